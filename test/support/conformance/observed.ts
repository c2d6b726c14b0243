/**
 * What a conformance scenario observed of one saga, normalized so that two deliveries of the
 * same replies (one batch, separate batches) can be compared: the end as stored, and the
 * commands the participants received.
 */
import { expect } from 'chai';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import type { Delivery, ScriptedParticipants } from './scripted-participants.js';

export interface EndState {
  status: string;
  state: string;
  /** The code of the failure that sent the saga into compensation, if any. */
  failure: string | null;
  /** Steps whose compensation succeeded, in order. */
  compensated: string[];
  /** Each step's last status (`succeeded`, `failed`, `unknown`, …). */
  steps: Record<string, string>;
  pending: number;
  timers: number;
}

export interface Observed {
  end: EndState;
  /** `participant.Command` of every distinct action command, sorted (regions race). */
  actions: string[];
  /** `participant.Command` of every distinct compensation, in the order sent. */
  compensations: string[];
}

interface StoredContext {
  failure?: { code?: string };
  compensated?: string[];
  steps?: Record<string, { status?: string }>;
}

export function endStateOf(record: SagaRecord): EndState {
  const context = (record.snapshot.context ?? {}) as StoredContext;
  return {
    status: record.status,
    state: record.state,
    failure: context.failure?.code ?? null,
    compensated: context.compensated ?? [],
    steps: Object.fromEntries(
      Object.entries(context.steps ?? {}).map(([step, progress]) => [step, progress.status ?? '']),
    ),
    pending: record.pending.length,
    timers: record.timers.length,
  };
}

/** The saga's end, once it no longer runs, and what its participants received. */
export async function observeEnd(
  players: ScriptedParticipants,
  sagaId: string,
  waitForEnd: (sagaId: string) => Promise<SagaRecord | undefined>,
): Promise<Observed> {
  const record = await waitForEnd(sagaId);
  if (!record) throw new Error(`saga ${sagaId} does not exist`);
  const end = endStateOf(record);
  expect(end.status, `saga ${sagaId} still runs in ${end.state}`).to.not.equal('running');
  const compensations = players.sent(sagaId, 'compensation');
  // Each compensation is sent once: one command per step, its first attempt.
  expect(compensations.map((c) => `${c.step}:${c.attempt}`)).to.deep.equal(
    compensations.map((c) => `${c.step}:1`),
  );
  return {
    end,
    actions: players
      .sent(sagaId, 'action')
      .map((c) => `${c.participant}.${c.type}`)
      .sort(),
    compensations: players.compensationsSent(sagaId),
  };
}

export const DELIVERIES = ['separate', 'one-batch'] as const satisfies readonly Delivery[];

/**
 * Runs a scenario once per delivery (at the same time, each its own saga) and checks that both
 * end the same way; returns what was observed. A variant that fails is named in the error.
 */
export async function inBothDeliveries(
  run: (delivery: Delivery) => Promise<Observed>,
): Promise<Observed> {
  const settled = await Promise.allSettled(DELIVERIES.map((delivery) => run(delivery)));
  const failures = settled.flatMap((result, i) =>
    result.status === 'rejected' ? [`${DELIVERIES[i]}: ${String(result.reason)}`] : [],
  );
  if (failures.length > 0) throw new Error(failures.join('\n'));
  const [separate, oneBatch] = settled.map((r) => (r as PromiseFulfilledResult<Observed>).value);
  expect(oneBatch, 'replies in one batch end like replies in separate batches').to.deep.equal(
    separate,
  );
  return separate as Observed;
}
