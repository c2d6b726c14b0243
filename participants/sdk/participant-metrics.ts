/**
 * The SDK's counters and histogram, made once per participant from an OpenTelemetry `Meter`.
 * Without a registered metrics SDK the global meter is a no-op, which costs nearly nothing.
 */
import { metrics, type Attributes, type Meter } from '@opentelemetry/api';
import {
  PARTICIPANT_ATTRIBUTES as A,
  PARTICIPANT_METRICS as M,
  PARTICIPANT_SCOPE,
} from './telemetry-names.js';

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
  const handled = m.createCounter(M.handled, { description: 'Commands handled to a reply' });
  const failed = m.createCounter(M.failed, { description: 'Commands replied with a failure' });
  const duplicates = m.createCounter(M.duplicates, {
    description: 'Re-delivered commands answered from the ledger',
  });
  const expired = m.createCounter(M.expired, { description: 'Expired commands dropped' });
  const deadLettered = m.createCounter(M.deadLettered, {
    description: 'Messages sent to the dead-letter topic',
  });
  const retries = m.createCounter(M.retries, { description: 'In-process handler retries' });
  const duration = m.createHistogram(M.handlerDuration, {
    description: 'Time in the handler per delivery (all tries)',
    unit: 'ms',
  });
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
