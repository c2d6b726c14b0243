/**
 * The SDK's counters and histogram, made once per participant from an OpenTelemetry `Meter`.
 * Without a registered metrics SDK the global meter is a no-op, which costs nearly nothing.
 */
import { metrics, type Attributes, type Meter } from '@opentelemetry/api';
import {
  counterOf,
  histogramOf,
  PARTICIPANT_METRIC_DEFINITIONS as D,
} from '../../wire/telemetry/index.js';
import { PARTICIPANT_ATTRIBUTES as A, PARTICIPANT_SCOPE } from './telemetry-names.js';

export interface ParticipantMetrics {
  handled(commandType: string, outcome: 'success' | 'failure'): void;
  failed(commandType: string, code: string, retryable: boolean): void;
  duplicate(commandType: string): void;
  expired(commandType: string): void;
  deadLettered(code: string): void;
  retried(commandType: string): void;
  handlerDuration(commandType: string, ms: number): void;
}

export function participantMetrics(participant: string, meter?: Meter): ParticipantMetrics {
  const m = meter ?? metrics.getMeter(PARTICIPANT_SCOPE);
  const handled = counterOf(m, D.handled);
  const failed = counterOf(m, D.failed);
  const duplicates = counterOf(m, D.duplicates);
  const expired = counterOf(m, D.expired);
  const deadLettered = counterOf(m, D.deadLettered);
  const retries = counterOf(m, D.retries);
  const duration = histogramOf(m, D.handlerDuration);
  const base = (commandType: string): Attributes => ({
    [A.participant]: participant,
    [A.commandType]: commandType,
  });
  return {
    handled: (type, outcome) => handled.add(1, { ...base(type), [A.outcome]: outcome }),
    failed: (type, code, retryable) =>
      failed.add(1, { ...base(type), [A.errorCode]: code, [A.retryable]: retryable }),
    duplicate: (type) => duplicates.add(1, base(type)),
    expired: (type) => expired.add(1, base(type)),
    deadLettered: (code) =>
      deadLettered.add(1, { [A.participant]: participant, [A.dlqCode]: code }),
    retried: (type) => retries.add(1, base(type)),
    handlerDuration: (type, ms) => duration.record(ms, base(type)),
  };
}
