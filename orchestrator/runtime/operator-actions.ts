/**
 * The operator actions (signal, cancel, retry, pause, resume, migrate), what each answers, and how
 * a pause makes sure nothing of its saga is published after it answers.
 *
 * Pausing and resuming a saga (issue 14): the engine writes the pause into the record (the
 * store's compare-and-set on its revision, like every step, so it is atomic against a reply or a
 * timer applied at the same moment) and the same write takes the saga's unpublished messages out
 * of the outbox (apply-step-6.lua). A relay batch read just before that write may still be
 * publishing some of them: the pause answers only once the shard's batches in flight are done
 * (store/outbox.ts), so that nothing of the saga is published after the pause has answered.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonObject } from '../../wire/contract/index.js';
import {
  SignalInvalidError,
  type OperatorAudit,
  type SagaEngine,
  type SagaRecord,
  type SignalViolation,
} from '../engine/index.js';
import type { SagaStore } from '../store/index.js';
import type { Logger } from '../../wire/telemetry/index.js';
import type { Clock } from './clock.js';
import {
  migrateSagas,
  type MigrationReport,
  type MigrationRequest,
} from './definition-migration.js';
import type { ApplyOutcome } from './saga-event-outcomes.js';
import type { SagaEventApplier } from './saga-event-applier.js';

/** What a signal, a cancel or a retry did. */
export type SignalOutcome =
  | { status: 'applied'; record: SagaRecord }
  | { status: 'not-accepted'; reason: string; record: SagaRecord }
  | { status: 'unknown-saga' };

/**
 * A signal whose fields break the schema the saga's definition (the version it runs on) declares
 * for its type: nothing is applied; `message` says what, `violations` lists each.
 */
export interface SignalInvalid {
  status: 'invalid';
  message: string;
  violations: readonly SignalViolation[];
}

export function signalOutcome(outcome: ApplyOutcome | undefined): SignalOutcome {
  if (!outcome || outcome.status === 'unknown-saga') return { status: 'unknown-saga' };
  if (outcome.status === 'error') throw outcome.error;
  if (outcome.status === 'ignored') {
    return { status: 'not-accepted', reason: outcome.reason, record: outcome.record };
  }
  return { status: 'applied', record: outcome.record };
}

/** What a pause or a resume did. */
export type PauseOutcome =
  /** Applied: the saga is paused (or resumed) now. */
  | { status: 'applied'; record: SagaRecord }
  /** The saga was paused (or running) already: nothing was written. */
  | { status: 'unchanged'; record: SagaRecord }
  /** The saga has ended: nothing pauses it. */
  | { status: 'ended'; record: SagaRecord }
  | { status: 'unknown-saga' };

export function pauseOutcome(outcome: ApplyOutcome | undefined): PauseOutcome {
  if (!outcome || outcome.status === 'unknown-saga') return { status: 'unknown-saga' };
  if (outcome.status === 'error') throw outcome.error;
  if (outcome.status === 'applied') return { status: 'applied', record: outcome.record };
  if (outcome.reason === 'saga-ended') return { status: 'ended', record: outcome.record };
  return { status: 'unchanged', record: outcome.record };
}

/** The default operator of actions that name none (`Saga-Actor` absent). */
export const DEFAULT_AUDIT: OperatorAudit = { actor: 'operator', role: 'operator' };

export interface RelayWaitOptions {
  store: Pick<SagaStore, 'relayBatches'>;
  logger: Logger;
  /**
   * How long a pause waits for a relay batch in flight. A relay that died mid-batch never
   * finishes it: the pause then answers after this long (and says so in the log).
   * @default 5000
   */
  timeoutMs?: number;
  /** @default 2 */
  pollMs?: number;
}

/**
 * Resolves once every relay batch of `shard` started before the call is done (or `timeoutMs`
 * passed: false). One read when no batch is in flight, which is the usual case.
 */
export async function relayBatchesDone(shard: number, options: RelayWaitOptions): Promise<boolean> {
  const { store, logger, timeoutMs = 5_000, pollMs = 2 } = options;
  const started = Date.now();
  const { read } = await store.relayBatches(shard);
  for (;;) {
    const { done } = await store.relayBatches(shard);
    if (done >= read) return true;
    if (Date.now() - started >= timeoutMs) {
      logger.warn('a relay batch read before a pause did not finish in time', {
        shard,
        read,
        done,
        timeoutMs,
      });
      return false;
    }
    await sleep(pollMs);
  }
}

export interface OperatorActionsDeps {
  applier: Pick<SagaEventApplier, 'applyBatch'>;
  store: SagaStore;
  engine: SagaEngine;
  clock: Clock;
  logger: Logger;
}

/** The actions an operator takes on one saga (or, migrating, on the sagas of a state). */
export class OperatorActions {
  constructor(private readonly deps: OperatorActionsDeps) {}

  /**
   * Sends an external event into the saga's statechart. With `audit` (an operator's), its history
   * line says who sent it and why. A paused saga refuses it (`not-accepted`, `saga-paused`); a
   * signal whose fields break the schema its definition declares is refused (`invalid`).
   */
  async signal(
    sagaId: string,
    event: { type: string } & JsonObject,
    audit?: OperatorAudit,
  ): Promise<SignalOutcome | SignalInvalid> {
    const outcome = await this.applySignal(sagaId, event, audit);
    if (outcome?.status === 'error' && outcome.error instanceof SignalInvalidError) {
      const { message, violations } = outcome.error;
      return { status: 'invalid', message, violations };
    }
    return signalOutcome(outcome);
  }

  private async applySignal(
    sagaId: string,
    event: { type: string } & JsonObject,
    audit: OperatorAudit | undefined,
  ): Promise<ApplyOutcome | undefined> {
    const [outcome] = await this.deps.applier.applyBatch([
      { sagaId, event: { kind: 'signal', event, ...(audit ? { audit } : {}) } },
    ]);
    return outcome;
  }

  /** Cancels a running saga: its compensations run and it ends `cancelled`. */
  async cancel(sagaId: string, audit?: OperatorAudit): Promise<SignalOutcome> {
    return signalOutcome(await this.applySignal(sagaId, { type: 'saga.cancel' }, audit));
  }

  /** Lets a parked saga try its compensation again. */
  async retry(sagaId: string, audit?: OperatorAudit): Promise<SignalOutcome> {
    return signalOutcome(await this.applySignal(sagaId, { type: 'saga.retry' }, audit));
  }

  /**
   * Pauses a running or parked saga: it sends no command and fires no timer until resumed;
   * replies are held. When this resolves, no message of the saga is published any more (the
   * relay's batch in flight, if any, is done: operator-actions.ts).
   */
  async pause(sagaId: string, audit: OperatorAudit = DEFAULT_AUDIT): Promise<PauseOutcome> {
    const [outcome] = await this.deps.applier.applyBatch([
      { sagaId, event: { kind: 'pause', audit } },
    ]);
    const paused = pauseOutcome(outcome);
    if (paused.status === 'applied' || paused.status === 'unchanged') {
      await relayBatchesDone(this.deps.store.shardOf(sagaId), {
        store: this.deps.store,
        logger: this.deps.logger.child('pause'),
      });
    }
    return paused;
  }

  /**
   * Resumes a paused saga: its timers and deadlines move later by the time it was paused, its
   * held messages go out and the replies it held are applied, in arrival order.
   */
  async resume(sagaId: string, audit: OperatorAudit = DEFAULT_AUDIT): Promise<PauseOutcome> {
    const [outcome] = await this.deps.applier.applyBatch([
      { sagaId, event: { kind: 'resume', audit } },
    ]);
    return pauseOutcome(outcome);
  }

  /**
   * Moves the waiting sagas of `request.type` from version `from` to `to` with the migration `to`
   * declares, each atomically and with an operator history line; a dry run only lists who would
   * move and who cannot, and why (definition-migration.ts).
   */
  migrateSagas(
    request: MigrationRequest,
    audit: OperatorAudit = DEFAULT_AUDIT,
  ): Promise<MigrationReport> {
    return migrateSagas(
      {
        engine: this.deps.engine,
        store: this.deps.store,
        applyBatch: (items) => this.deps.applier.applyBatch(items),
        now: () => this.deps.clock.now(),
      },
      request,
      audit,
    );
  }
}
