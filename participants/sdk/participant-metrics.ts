/**
 * The SDK's counters and histogram, made once per participant from an OpenTelemetry `Meter`.
 * Without a registered metrics SDK the global meter is a no-op, which costs nearly nothing.
 *
 * Every series of the participant's command types exists from start-up at 0 (the dead letters
 * per DLQ code, the duplicates, expired commands and retries per command type), so a panel that
 * says "No data" means the participant is not scraped, not that nothing went wrong yet.
 */
import { metrics, type Attributes, type Meter } from '@opentelemetry/api';
import { DLQ_ERROR_CODES } from '../../wire/contract/index.js';
import {
  counterOf,
  histogramOf,
  openHistogramSeries,
  PARTICIPANT_METRIC_DEFINITIONS as D,
} from '../../wire/telemetry/index.js';
import { UNEXPECTED_ERROR_CODE } from './errors.js';
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

/**
 * The participant's metrics; `commandTypes` (its handlers' keys) are reported at 0 from the start.
 */
export function participantMetrics(
  participant: string,
  meter?: Meter,
  commandTypes: readonly string[] = [],
): ParticipantMetrics {
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

  for (const type of commandTypes) {
    for (const outcome of ['success', 'failure'])
      handled.add(0, { ...base(type), [A.outcome]: outcome });
    // The one failure code every handler can give (anything it throws that is not a
    // ParticipantError); a handler's own codes appear when it first uses them.
    failed.add(0, { ...base(type), [A.errorCode]: UNEXPECTED_ERROR_CODE, [A.retryable]: true });
    duplicates.add(0, base(type));
    expired.add(0, base(type));
    retries.add(0, base(type));
    openHistogramSeries(duration, base(type));
  }
  for (const code of Object.values(DLQ_ERROR_CODES)) {
    deadLettered.add(0, { [A.participant]: participant, [A.dlqCode]: code });
  }

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
