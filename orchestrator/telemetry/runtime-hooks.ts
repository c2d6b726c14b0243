/**
 * What the runtime tells telemetry. The runtime calls these hooks at its boundaries (a step
 * written, an event ignored, a timer claimed, a batch published, a message dead-lettered); the
 * OpenTelemetry implementation turns them into metrics and spans. Every hook is optional, and the
 * default does nothing, so telemetry that is off costs a property lookup.
 */
import type { Effect, SagaEvent, SagaRecord, SagaTraceContext } from '../engine/index.js';
import type { MessageHeaders } from '../../wire/transport/index.js';

export interface StepWritten {
  /** The record before the step; absent for a start. */
  before?: SagaRecord;
  after: SagaRecord;
  effects: readonly Effect[];
  /** What caused the step; absent for a start. */
  event?: SagaEvent;
  /** Headers of the Kafka message that carried the event (trace context), when there was one. */
  eventHeaders?: MessageHeaders;
  /** When the step was applied (ms since the epoch). */
  at: number;
}

/** A saga about to start, before anything is written. */
export interface SagaStarting {
  sagaId: string;
  sagaType: string;
  /** Headers of the start request (HTTP or the requests topic) with any trace context. */
  headers?: MessageHeaders;
}

export interface RuntimeHooks {
  /**
   * The trace a new saga joins, to be passed as `StartOptions.trace` so it is persisted with the
   * saga; undefined when tracing is off. Called once per start, before the write; the root span
   * itself is written by `stepWritten` once the start is stored.
   */
  sagaTrace?: (start: SagaStarting) => SagaTraceContext | undefined;
  stepWritten?: (step: StepWritten) => void;
  eventIgnored?: (event: {
    sagaId: string;
    sagaType?: string;
    event: SagaEvent;
    reason: string;
  }) => void;
  timerClaimed?: (event: { shard: number; dueAt: number; claimedAt: number }) => void;
  outboxPublished?: (event: {
    shard: number;
    count: number;
    /** Per message: publishedAt − enqueuedAt. */
    latenciesMs: readonly number[];
  }) => void;
  deadLettered?: (event: { source: string; topic: string; code: string }) => void;
  /**
   * Trace headers (W3C `traceparent`, `tracestate`) for a message the step publishes; the
   * participant continues the trace from them.
   */
  outgoingHeaders?: (record: SagaRecord, effect: Effect) => MessageHeaders;
}

export const noRuntimeHooks: RuntimeHooks = {};
