import { expect } from 'chai';
import {
  AvailabilityWatch,
  expiryAfterOutages,
  outageAllowanceMs,
} from '../../../orchestrator/runtime/availability.js';
import { ManualClock } from '../../../orchestrator/runtime/clock.js';
import { createLogger } from '../../../wire/telemetry/index.js';

describe('runtime: the availability watch (fake clock, scripted checks)', function () {
  function watchWith(results: Record<string, boolean>[]) {
    const clock = new ManualClock(1_000);
    const lines: { level: string; msg: string }[] = [];
    const logger = createLogger('test', {
      level: 'debug',
      write: (line) => lines.push(JSON.parse(line) as { level: string; msg: string }),
    });
    let next = 0;
    const watch = new AvailabilityWatch({
      check: () => Promise.resolve(results[Math.min(next++, results.length - 1)] ?? {}),
      now: () => clock.now(),
      logger,
    });
    return { watch, clock, lines };
  }

  const good = { redis: true, kafkaBroker: true, kafkaConsumer: true };
  const brokerDown = { redis: true, kafkaBroker: false, kafkaConsumer: true };

  it('is unavailable before its first check, and while any check fails', async function () {
    const { watch } = watchWith([good, brokerDown]);
    expect(watch.available()).to.equal(false);
    expect(watch.checks()).to.equal(undefined);
    await watch.checkOnce();
    expect(watch.available()).to.equal(true);
    await watch.checkOnce();
    expect(watch.available()).to.equal(false);
    expect(watch.checks()).to.deep.equal(brokerDown);
  });

  it('measures an outage from the last good check to the first good one after it', async function () {
    const { watch, clock, lines } = watchWith([good, brokerDown, brokerDown, good]);
    await watch.checkOnce(); // good at 1_000
    clock.advance(1_000);
    await watch.checkOnce(); // down at 2_000: the outage began after 1_000
    clock.advance(5_000);
    await watch.checkOnce(); // still down at 7_000
    expect(watch.outagesEndedAfter(0)).to.deep.equal([]);
    clock.advance(1_000);
    await watch.checkOnce(); // good at 8_000
    expect(watch.outagesEndedAfter(0)).to.deep.equal([{ since: 1_000, until: 8_000 }]);
    expect(watch.outagesEndedAfter(8_000)).to.deep.equal([]);
    expect(lines.map((l) => l.msg)).to.deep.equal([
      'unavailable: no timer fires until it is available again',
      'available again: deadlines are pushed back by the outage',
    ]);
  });

  it('does not count the time before its first good check as an outage (start-up)', async function () {
    const { watch, clock } = watchWith([brokerDown, brokerDown, good]);
    await watch.checkOnce();
    clock.advance(3_000);
    await watch.checkOnce();
    clock.advance(3_000);
    await watch.checkOnce();
    expect(watch.available()).to.equal(true);
    expect(watch.outagesEndedAfter(0)).to.deep.equal([]);
  });

  it('forgets outages that ended longer ago than it remembers (60 s)', async function () {
    const { watch, clock } = watchWith([good, brokerDown, good, good]);
    await watch.checkOnce();
    clock.advance(1_000);
    await watch.checkOnce();
    clock.advance(1_000);
    await watch.checkOnce(); // outage 1_000 → 3_000
    expect(watch.outagesEndedAfter(0)).to.have.length(1);
    clock.advance(60_001);
    await watch.checkOnce();
    expect(watch.outagesEndedAfter(0)).to.deep.equal([]);
  });
});

describe('runtime: how far an outage moves deadlines and command expiries', function () {
  it('allows an outage its length plus as long again, at most the grace', function () {
    expect(outageAllowanceMs({ since: 0, until: 4_000 }, 20_000)).to.equal(8_000);
    expect(outageAllowanceMs({ since: 0, until: 30_000 }, 20_000)).to.equal(50_000);
    expect(outageAllowanceMs({ since: 5, until: 5 }, 20_000)).to.equal(0);
  });

  it('moves a command’s expiry by the outages that held it up, as its timer moves', function () {
    const stored = 10_000;
    const expires = 13_000;
    // Ended before the command was stored: its deadline was armed after it, nothing moves.
    expect(expiryAfterOutages(expires, stored, [{ since: 1_000, until: 9_000 }], 20_000)).to.equal(
      expires,
    );
    // Began after the command expired: the timer fired before it, nothing moves.
    expect(
      expiryAfterOutages(expires, stored, [{ since: 14_000, until: 20_000 }], 20_000),
    ).to.equal(expires);
    // Held it up: moved by the allowance; a second outage is judged against the moved expiry.
    expect(
      expiryAfterOutages(
        expires,
        stored,
        [
          { since: 9_000, until: 12_000 },
          { since: 18_000, until: 19_000 },
        ],
        20_000,
      ),
    ).to.equal(expires + 6_000 + 2_000);
  });
});
