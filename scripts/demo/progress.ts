/**
 * The run's progress on stderr: a cli-progress bar on a terminal (log lines are printed above
 * it, so it stays readable), or a plain line every few seconds otherwise (CI logs, tests).
 */
import cliProgress from 'cli-progress';
import type { Tally } from './outcomes.js';

export interface Progress {
  /** Writes one line (a log line) without breaking the bar. */
  log(line: string): void;
  /** Draws the bar one last time and leaves it on the screen. */
  stop(): void;
}

const REFRESH_MS = 250;
const LINE_EVERY_MS = 5_000;

function counters(tally: Tally, startedAt: number) {
  const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
  return {
    started: tally.started,
    completed: tally.count('completed'),
    compensated: tally.count('compensated'),
    parked: tally.parkedNow + tally.count('parked'),
    running: tally.running,
    rate: Math.round(tally.finished / seconds),
  };
}

/** A bar of sagas at rest out of `total`, with the counts next to it. */
export function progressBar(total: number, tally: Tally): Progress {
  const startedAt = Date.now();
  // The whole line must fit the terminal (cli-progress cuts it): short labels on narrow ones.
  const wide = (process.stderr.columns ?? 80) >= 150;
  const format = wide
    ? ' {bar} {value}/{total} at rest | started {started} | completed {completed} | ' +
      'compensated {compensated} | parked {parked} | running {running} | {rate} sagas/s | {duration_formatted}'
    : ' {bar} {value}/{total} | start {started} run {running} ok {completed} ' +
      'comp {compensated} park {parked}';
  const bars = new cliProgress.MultiBar(
    {
      format,
      hideCursor: true,
      stream: process.stderr,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: wide ? 24 : 16,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(total, 0, counters(tally, startedAt));
  const refresh = () => bar.update(tally.finished, counters(tally, startedAt));
  const timer = setInterval(refresh, REFRESH_MS);
  return {
    log: (line) => bars.log(`${line}\n`),
    stop() {
      clearInterval(timer);
      refresh();
      bars.stop();
    },
  };
}

/** A line every few seconds, for output that is not a terminal. */
export function progressLines(total: number, tally: Tally): Progress {
  const startedAt = Date.now();
  const print = () => {
    const c = counters(tally, startedAt);
    process.stderr.write(
      `[demo] ${tally.finished}/${total} at rest: started ${c.started}, completed ${c.completed}, ` +
        `compensated ${c.compensated}, parked ${c.parked}, running ${c.running}, ${c.rate} sagas/s\n`,
    );
  };
  const timer = setInterval(print, LINE_EVERY_MS);
  return {
    log: (line) => process.stderr.write(`${line}\n`),
    stop() {
      clearInterval(timer);
      print();
    },
  };
}
