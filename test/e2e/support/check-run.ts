/**
 * The end of a run of planned orders, checked from every side: each saga's status and history
 * (from the store) and the participants' state, counters, logs and command ledgers.
 */
import type { RedisClient } from '../../../orchestrator/store/index.js';
import type { HistoryEntry, SagaRecord } from '../../../orchestrator/engine/types.js';
import type { SagaStore } from '../../../orchestrator/store/index.js';
import {
  checkExampleInvariants,
  inventoryKeys,
  paymentKeys,
  readInventory,
  readPayment,
  readShipping,
  shippingKeys,
} from '../../../participants/examples/index.js';
import type { Expected, PlannedOrder } from './order-run.js';
import { until } from '../../support/eventually.js';

/** How long the outbox relay has to publish what the run's last writes left. */
const OUTBOX_DRAIN_MS = 15_000;

/** What a run left behind, for the test's report and its assertions. */
export interface RunFindings {
  /** Everything that is not as it must be (empty when the run is right). */
  problems: string[];
  byStatus: Record<string, number>;
  /** Forward commands sent again: a new attempt after a deadline passed. */
  stepRetries: number;
  /** Compensation commands sent again after a deadline passed. */
  compensationRetries: number;
  /**
   * Compensations of the step that failed: one of its attempts timed out, so its outcome was
   * unknown when a later attempt was refused, and the saga undid it to be safe (a no-op here).
   */
  precautionaryCompensations: number;
}

type Participant = 'inventory' | 'payment' | 'shipping';

const FORWARD_STEPS = ['reserveInventory', 'authorizePayment', 'confirmOrder'] as const;
type Step = (typeof FORWARD_STEPS)[number];

/** Each step's compensation: who runs it, and the counters of its effect and of its no-op. */
const UNDO: Record<Step, { participant: Participant; command: string; did: string; noop: string }> =
  {
    reserveInventory: {
      participant: 'inventory',
      command: 'ReleaseItems',
      did: 'releases',
      noop: 'releasesOfNothing',
    },
    authorizePayment: {
      participant: 'payment',
      command: 'VoidAuthorization',
      did: 'voids',
      noop: 'voidsOfNothing',
    },
    confirmOrder: {
      participant: 'shipping',
      command: 'CancelShipment',
      did: 'cancellations',
      noop: 'cancellationsOfNothing',
    },
  };

/** Where each participant keeps its state and, under `<base>:cmd:<commandId>`, its ledger. */
const LEDGER_BASE: Record<Participant, (keyPrefix: string) => { base: string }> = {
  inventory: inventoryKeys,
  payment: paymentKeys,
  shipping: shippingKeys,
};

/** The step each kind of order fails at (none for a completed one). */
const FAILS_AT: Record<Expected, Step | undefined> = {
  completed: undefined,
  'out-of-stock': 'reserveInventory',
  declined: 'authorizePayment',
};

const isCompensationId = (commandId: string | undefined) =>
  commandId !== undefined && /\.compensate\.\d+$/.test(commandId);
const isCommand = (e: HistoryEntry, kind: 'action' | 'compensation') =>
  e.kind === 'command' && e.data?.kind === kind;
const isSuccessReply = (e: HistoryEntry) => e.kind === 'reply' && e.data?.outcome === 'success';
/** A deadline that passed for one of the step's own commands (not a compensation's). */
const isStepDeadline = (e: HistoryEntry) =>
  e.kind === 'timer' &&
  e.step !== undefined &&
  e.commandId !== undefined &&
  !isCompensationId(e.commandId);

/**
 * Checks the end of a run. Each saga ended in the status its order must end in, with nothing
 * pending or armed; its history shows every step before the failing one succeeding exactly once
 * and none after it, the done steps undone in reverse order (the failing step first, only when one
 * of its attempts timed out and left its outcome unknown), each compensation succeeding exactly
 * once. The participants' state matches the outcomes exactly: reservations, authorizations and
 * shipments made once; every compensation's effect applied once per order that needed it, and
 * every other compensation run a no-op; each compensation that succeeded recorded in its
 * participant's command ledger; every invariant holds; and nothing is left in the outbox.
 */
export async function checkRun(
  store: SagaStore,
  redis: RedisClient,
  participantsKeyPrefix: string,
  orders: readonly PlannedOrder[],
): Promise<RunFindings> {
  const problems: string[] = [];
  const findings: RunFindings = {
    problems,
    byStatus: {},
    stepRetries: 0,
    compensationRetries: 0,
    precautionaryCompensations: 0,
  };
  const sent = new Map<Step, number>();
  const succeeded = new Map<Step, string[]>();
  const records = await store.loadMany(orders.map((o) => o.sagaId));

  for (const [i, order] of orders.entries()) {
    const record: SagaRecord | undefined = records[i];
    const name = `${order.key} (${order.expected}, saga ${order.sagaId})`;
    if (!record) {
      problems.push(`${name}: no saga`);
      continue;
    }
    findings.byStatus[record.status] = (findings.byStatus[record.status] ?? 0) + 1;
    const { entries, dropped } = await store.history(order.sagaId, { limit: 1_000 });
    const problem = (what: string) =>
      problems.push(`${name}: ${what}\n${entries.map((e) => `    ${e.summary}`).join('\n')}`);
    const want = order.expected === 'completed' ? 'completed' : 'compensated';
    if (record.status !== want || record.state !== want) {
      problem(`ended ${record.status} in ${record.state}`);
      continue;
    }
    if (record.pending.length > 0 || record.timers.length > 0) {
      problem('ended with pending commands or armed timers');
    }
    if (dropped > 0) problem('history entries were dropped');

    const count = (step: string, undo: boolean) =>
      entries.filter(
        (e) => isSuccessReply(e) && e.step === step && isCompensationId(e.commandId) === undo,
      ).length;
    const failsAt = FAILS_AT[order.expected];
    const failIndex = failsAt ? FORWARD_STEPS.indexOf(failsAt) : FORWARD_STEPS.length;
    const done = FORWARD_STEPS.slice(0, failIndex);
    for (const step of FORWARD_STEPS) {
      const times = count(step, false);
      if (times !== (done.includes(step) ? 1 : 0)) problem(`step ${step} succeeded ${times} times`);
    }

    // The steps undone, in the order their compensations were first sent, each exactly once.
    const uncertain =
      failsAt !== undefined && entries.some((e) => isStepDeadline(e) && e.step === failsAt);
    const wantUndone =
      failsAt === undefined ? [] : [...(uncertain ? [failsAt] : []), ...[...done].reverse()];
    const compensations = entries.filter((e) => isCommand(e, 'compensation'));
    const undone = [...new Set(compensations.map((e) => e.step))];
    if (JSON.stringify(undone) !== JSON.stringify(wantUndone)) {
      problem(`undid ${JSON.stringify(undone)}, not ${JSON.stringify(wantUndone)}`);
    }
    if (uncertain) findings.precautionaryCompensations += 1;
    for (const step of wantUndone) {
      const times = count(step, true);
      if (times !== 1) problem(`the compensation of ${step} succeeded ${times} times`);
    }
    for (const e of compensations) {
      const step = e.step as Step;
      sent.set(step, (sent.get(step) ?? 0) + 1);
    }
    for (const e of entries) {
      if (isSuccessReply(e) && isCompensationId(e.commandId) && e.commandId) {
        const step = e.step as Step;
        succeeded.set(step, [...(succeeded.get(step) ?? []), e.commandId]);
      }
    }
    findings.compensationRetries += compensations.length - undone.length;
    const actions = entries.filter((e) => isCommand(e, 'action'));
    findings.stepRetries += actions.length - new Set(actions.map((e) => e.step)).size;
  }

  await checkParticipants(redis, participantsKeyPrefix, orders, { sent, succeeded }, problems);
  // A saga's last write may leave its final message (the outcome for the requester) in the
  // outbox for the relay's next batch: the outbox must drain, not be empty at this instant.
  let backlog = await store.outboxBacklog();
  await until('the outbox to drain', async () => (backlog = await store.outboxBacklog()) === 0, {
    timeoutMs: OUTBOX_DRAIN_MS,
  }).catch(() => undefined);
  if (backlog !== 0) {
    problems.push(`${backlog} messages left in the outbox ${OUTBOX_DRAIN_MS} ms after the run`);
  }
  return findings;
}

/** The participants' state, counters, logs and ledgers against the outcomes. */
async function checkParticipants(
  redis: RedisClient,
  keyPrefix: string,
  orders: readonly PlannedOrder[],
  compensations: { sent: ReadonlyMap<Step, number>; succeeded: ReadonlyMap<Step, string[]> },
  problems: string[],
): Promise<void> {
  const completed = orders.filter((o) => o.expected === 'completed');
  const declined = orders.filter((o) => o.expected === 'declined');
  const ids = (list: readonly PlannedOrder[]) => list.map((o) => o.key).sort();
  const same = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      const show = (v: unknown) => JSON.stringify(v)?.slice(0, 300);
      problems.push(`${what}: ${show(actual)}, expected ${show(expected)}`);
    }
  };
  const options = { keyPrefix };
  const [inventory, payment, shipping] = await Promise.all([
    readInventory(redis, options),
    readPayment(redis, options),
    readShipping(redis, options),
  ]);

  // What the forward steps did: the completed orders hold their items, an authorization and a
  // shipment; the declined ones reserved once; the out-of-stock ones never held anything.
  same('orders holding a reservation', Object.keys(inventory.reservations).sort(), ids(completed));
  same(
    'SKU-A reserved',
    inventory.reserved['SKU-A'] ?? 0,
    completed.reduce((sum, o) => sum + (o.input.items[0]?.quantity ?? 0), 0),
  );
  same('SKU-B reserved', inventory.reserved['SKU-B'] ?? 0, completed.length);
  same('SKU-GONE reserved', inventory.reserved['SKU-GONE'] ?? 0, 0);
  same('reservations made', inventory.stats.reservations ?? 0, completed.length + declined.length);
  same(
    'orders holding an authorization',
    Object.keys(payment.authorizations).sort(),
    ids(completed),
  );
  same('authorizations made', payment.stats.authorizations ?? 0, completed.length);
  same(
    'authorizations logged',
    payment.log.filter((e) => e.op === 'authorize').length,
    completed.length,
  );
  same('orders shipped', shipping.shipments, ids(completed));
  same('shipments booked', shipping.stats.shipments ?? 0, completed.length);
  same('shipments logged', shipping.log.length, completed.length);

  // What the compensations did: each declined order's reservation released exactly once, nothing
  // else undone in effect. Every other compensation that ran found nothing to undo: at least the
  // ones that had nothing to undo and succeeded, at most every one sent beyond those needed.
  const stats: Record<Participant, Record<string, number>> = {
    inventory: inventory.stats,
    payment: payment.stats,
    shipping: shipping.stats,
  };
  const needed: Record<Step, number> = {
    reserveInventory: declined.length,
    authorizePayment: 0,
    confirmOrder: 0,
  };
  for (const step of FORWARD_STEPS) {
    const undo = UNDO[step];
    const counters = stats[undo.participant];
    same(`${undo.command}: effects`, counters[undo.did] ?? 0, needed[step]);
    const succeededIds = compensations.succeeded.get(step) ?? [];
    const noops = counters[undo.noop] ?? 0;
    const least = succeededIds.length - needed[step];
    const most = (compensations.sent.get(step) ?? 0) - needed[step];
    if (noops < least || noops > most) {
      problems.push(`${undo.command}: ${noops} no-op runs, expected ${least} to ${most}`);
    }
    // The reply each saga acted on is the participant's recorded one: its ledger has it done.
    const ledger = `${LEDGER_BASE[undo.participant](keyPrefix).base}:cmd:`;
    const states = await Promise.all(
      succeededIds.map((id) => redis.hget(`${ledger}${id}`, 'state')),
    );
    same(
      `${undo.command}: succeeded but not in the ledger`,
      succeededIds.filter((_, i) => states[i] !== 'done'),
      [],
    );
  }

  for (const violation of await checkExampleInvariants(redis, options)) problems.push(violation);
}
