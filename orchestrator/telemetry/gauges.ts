/**
 * Gauges read from the store and from Kafka when metrics are collected (a Prometheus scrape), not
 * on the hot path: sagas in flight and the oldest one per state, timers pending and overdue, the
 * outbox backlog, consumer lag. One batch callback reads every source side by side; a source
 * that fails or is slow is skipped for that collection (and logged) rather than failing the
 * scrape.
 */
import type { Meter } from '@opentelemetry/api';
import type { PartitionLag } from '../../wire/kafka/index.js';
import { isEnded } from '../../wire/contract/index.js';
import type { SagaStatus } from '../engine/index.js';
import type { OldestInState } from '../store/index.js';
import {
  gaugeOf,
  silentLogger,
  type Logger,
  ATTRIBUTES as A,
  ORCHESTRATOR_METRICS as M,
} from '../../wire/telemetry/index.js';

/** Sagas per (type, state, status), as `store.countsByTypeAndState()` gives them. */
export interface StateCount {
  type: string;
  state: string;
  status: SagaStatus;
  count: number;
}

/** The oldest saga (by start time) in a (type, state, status): the store reads it. */
export type { OldestInState };

/** A consumer group whose lag is reported. */
export interface ConsumerLagSource {
  groupId: string;
  fetch: () => Promise<readonly PartitionLag[]>;
}

/** A state of a known definition (see `sagaStatesOf`), reported as 0 when no saga is in it. */
export interface KnownState {
  type: string;
  state: string;
  status: SagaStatus;
}

/** Where the gauges read from; each one is optional (a participant has no store). */
export interface GaugeSources {
  /** The states of the definitions, so the in-flight and oldest-age gauges report empty ones as 0. */
  knownStates?: readonly KnownState[];
  counts?: () => Promise<readonly StateCount[]>;
  oldestInState?: () => Promise<readonly OldestInState[]>;
  outboxBacklog?: () => Promise<number>;
  pendingTimers?: () => Promise<number>;
  /** The earliest due time of any timer (ms), or undefined when none is armed. */
  nextTimerDueAt?: () => Promise<number | undefined>;
  consumerLag?: readonly ConsumerLagSource[];
  /** @default Date.now */
  now?: () => number;
  /**
   * How long one source may take before it is skipped for this collection.
   * @default 5000
   */
  timeoutMs?: number;
  /** @default silentLogger */
  logger?: Logger;
}

const keyOf = (s: KnownState) => `${s.type}\u0000${s.state}\u0000${s.status}`;

/** Registers the gauges on `meter`; returns a function that unregisters them. */
export function observeGauges(meter: Meter, sources: GaugeSources): () => void {
  const inFlight = gaugeOf(meter, M.sagasInFlight);
  const oldest = gaugeOf(meter, M.oldestInState);
  const backlog = gaugeOf(meter, M.outboxBacklog);
  const timersPending = gaugeOf(meter, M.timersPending);
  const timersOverdue = gaugeOf(meter, M.timersOverdue);
  const lag = gaugeOf(meter, M.consumerLag);
  const now = sources.now ?? (() => Date.now());
  const timeoutMs = sources.timeoutMs ?? 5000;
  const logger = sources.logger ?? silentLogger;

  const read = async <T>(name: string, source: (() => Promise<T>) | undefined) => {
    if (!source) return undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        source(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      logger.warn('a metrics source failed; its gauge is left out of this collection', {
        source: name,
        error,
      });
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };

  const callback: Parameters<Meter['addBatchObservableCallback']>[0] = async (result) => {
    const [counts, oldestList, outbox, pending, nextDue, lags] = await Promise.all([
      read('counts', sources.counts),
      read('oldestInState', sources.oldestInState),
      read('outboxBacklog', sources.outboxBacklog),
      read('pendingTimers', sources.pendingTimers),
      // Wrapped: "no timer armed" (undefined) must differ from a failed read.
      read(
        'nextTimerDueAt',
        sources.nextTimerDueAt && (async () => ({ dueAt: await sources.nextTimerDueAt?.() })),
      ),
      Promise.all(
        (sources.consumerLag ?? []).map(async (source) => ({
          groupId: source.groupId,
          lags: await read(`consumerLag:${source.groupId}`, source.fetch),
        })),
      ),
    ]);
    const at = now();
    if (counts) {
      const inFlightNow = new Map<string, KnownState & { count: number }>();
      for (const known of sources.knownStates ?? []) {
        if (!isEnded(known.status)) inFlightNow.set(keyOf(known), { ...known, count: 0 });
      }
      for (const { type, state, status, count } of counts) {
        if (!isEnded(status))
          inFlightNow.set(keyOf({ type, state, status }), { type, state, status, count });
      }
      for (const { type, state, status, count } of inFlightNow.values()) {
        result.observe(inFlight, count, {
          [A.sagaType]: type,
          [A.sagaState]: state,
          [A.sagaStatus]: status,
        });
      }
    }
    if (oldestList) {
      // An empty state of a known definition is 0 s old, so its panel shows 0, not "No data".
      const ages = new Map<string, KnownState & { age: number }>();
      for (const known of sources.knownStates ?? []) {
        if (!isEnded(known.status)) ages.set(keyOf(known), { ...known, age: 0 });
      }
      for (const { type, state, status, createdAt } of oldestList) {
        ages.set(keyOf({ type, state, status }), {
          type,
          state,
          status,
          age: Math.max(0, at - createdAt) / 1000,
        });
      }
      for (const { type, state, status, age } of ages.values()) {
        result.observe(oldest, age, {
          [A.sagaType]: type,
          [A.sagaState]: state,
          [A.sagaStatus]: status,
        });
      }
    }
    if (outbox !== undefined) result.observe(backlog, outbox);
    if (pending !== undefined) result.observe(timersPending, pending);
    if (nextDue) {
      const { dueAt } = nextDue;
      result.observe(timersOverdue, dueAt === undefined ? 0 : Math.max(0, at - dueAt) / 1000);
    }
    for (const { groupId, lags: partitions } of lags) {
      if (!partitions) continue;
      const byTopic = new Map<string, number>();
      for (const { topic, lag: value } of partitions) {
        byTopic.set(topic, (byTopic.get(topic) ?? 0) + value);
      }
      for (const [topic, value] of byTopic) {
        result.observe(lag, value, {
          [A.consumerGroup]: groupId,
          [A.messagingDestination]: topic,
        });
      }
    }
  };

  const observables = [inFlight, oldest, backlog, timersPending, timersOverdue, lag];
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
