/**
 * kafkajs' request queue re-checked its (empty) pending queue every millisecond for as long as a
 * connection lived (kafkajs #1556, #1704): most of an idle orchestrator's CPU. wire/kafka applies
 * the upstream fix wherever it makes a client, publisher or subscriber (request-queue-spin.ts). Pinned on kafkajs' own
 * RequestQueue: idle, no check is scheduled; throttled or with requests waiting, one still is, so
 * no request is left unsent.
 */
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { stopRequestQueueSpin } from '../../../wire/kafka/index.js';

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  destroy(): void;
}

const require = createRequire(import.meta.url);
const RequestQueueClass = require('kafkajs/src/network/requestQueue/index.js') as new (options: {
  clientId: string;
  broker: string;
  logger: unknown;
}) => RequestQueue;

const quietLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  namespace: () => quietLogger,
};

function newQueue(): RequestQueue {
  return new RequestQueueClass({ clientId: 'test', broker: 'localhost:9092', logger: quietLogger });
}

describe('kafkajs request queue: no 1 ms loop when idle', () => {
  let queue: RequestQueue | undefined;
  before(() => stopRequestQueueSpin());
  afterEach(() => {
    queue?.destroy();
    queue = undefined;
  });

  it('schedules no check when nothing is pending and nothing throttles', () => {
    const idle = (queue = newQueue());
    idle.checkPendingRequests(); // what kafkajs runs after every response
    expect(idle.throttleCheckTimeoutId).to.equal(null);
  });

  it('still schedules a check while the broker throttles', () => {
    const throttled = (queue = newQueue());
    throttled.throttledUntil = Date.now() + 1_000;
    throttled.checkPendingRequests();
    expect(throttled.throttleCheckTimeoutId).to.not.equal(null);
  });

  it('still schedules a check while requests wait', () => {
    const waiting = (queue = newQueue());
    waiting.throttledUntil = Date.now() + 1_000; // so the waiting request is not sent at once
    waiting.pending.push({ correlationId: 1 });
    waiting.checkPendingRequests();
    expect(waiting.throttleCheckTimeoutId).to.not.equal(null);
    waiting.pending.length = 0;
  });
});
