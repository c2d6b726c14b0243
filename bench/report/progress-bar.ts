/**
 * The progress bar (cli-progress) on stderr: planned measurement seconds done, the phase, and the
 * completion rate the system under test reports every half second.
 */
import cliProgress from 'cli-progress';
import type { ProgressSink } from '../harness/session-types.js';

export function progressBar(totalSeconds: number): ProgressSink & { stop(): void } {
  const bar = new cliProgress.SingleBar(
    {
      format:
        '{bar} {percentage}% | ETA {eta_formatted} | {phase} | {rate} sagas/s, {inFlight} in flight',
      hideCursor: true,
      etaBuffer: 50,
      stream: process.stderr,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  bar.start(Math.max(1, Math.round(totalSeconds)), 0, { phase: 'starting', rate: 0, inFlight: 0 });
  return {
    phase: (label) => bar.update({ phase: label }),
    advance(seconds) {
      done += seconds;
      bar.update(Math.min(Math.round(done), Math.round(totalSeconds)));
    },
    rate: (sagasPerSec, inFlight) => bar.update({ rate: sagasPerSec, inFlight }),
    stop: () => bar.stop(),
  };
}

/** Plain lines instead of a bar (no TTY): one line per phase. */
export function progressLines(): ProgressSink & { stop(): void } {
  let last = '';
  return {
    phase(label) {
      if (label === last) return;
      last = label;
      process.stderr.write(`[bench] ${label}\n`);
    },
    advance: () => undefined,
    rate: () => undefined,
    stop: () => undefined,
  };
}
