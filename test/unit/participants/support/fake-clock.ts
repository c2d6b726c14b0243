/**
 * A virtual clock for unit tests: time moves only when everything is asleep. Each `sleep`
 * registers a wake-up; once the event loop has nothing else to do (a `setImmediate` later), the
 * clock jumps to the earliest wake-up and resolves it. Back-offs cost no real time, concurrent
 * sleepers wake in the right order, and `advance` moves time by hand.
 */
import type { Clock } from '../../../../participants/sdk/index.js';

export interface FakeClock extends Clock {
  advance(ms: number): void;
  /** Every duration slept (requested), in order. */
  readonly slept: number[];
}

interface Sleeper {
  due: number;
  wake: () => void;
}

export function fakeClock(startAt = Date.parse('2026-11-26T10:00:00.000Z')): FakeClock {
  let now = startAt;
  const slept: number[] = [];
  const sleepers = new Set<Sleeper>();
  let tickScheduled = false;

  const tick = () => {
    tickScheduled = false;
    if (sleepers.size === 0) return;
    const earliest = Math.min(...[...sleepers].map((s) => s.due));
    now = Math.max(now, earliest);
    for (const sleeper of [...sleepers]) if (sleeper.due <= now) sleeper.wake();
    scheduleTick();
  };
  const scheduleTick = () => {
    if (tickScheduled || sleepers.size === 0) return;
    tickScheduled = true;
    // Two turns: let promise chains that are about to sleep register first.
    setImmediate(() => setImmediate(tick));
  };

  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
    slept,
    sleep(ms, signal) {
      slept.push(ms);
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const sleeper: Sleeper = {
          due: now + ms,
          wake: () => {
            sleepers.delete(sleeper);
            signal?.removeEventListener('abort', sleeper.wake);
            resolve();
          },
        };
        sleepers.add(sleeper);
        signal?.addEventListener('abort', sleeper.wake, { once: true });
        scheduleTick();
      });
    },
  };
}
