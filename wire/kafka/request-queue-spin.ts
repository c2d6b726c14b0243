/**
 * Stops kafkajs 2.2.4's request queue from spinning. After every response, each broker
 * connection's `RequestQueue.checkPendingRequests` schedules itself again with
 * `setTimeout(…, throttledUntil - now)`: with nothing pending and no throttle that delay is
 * negative (1 ms for Node), so every connection that ever answered a request runs a 1 ms timer
 * loop for as long as it is open (kafkajs issues #1556, #1604, #1704; the fix was never
 * released). Measured here: an idle producer and admin burned 47 ms of CPU per second (4.7 % of a
 * core), 1.7 ms with this fix; the orchestrator holds several such connections.
 *
 * The fix (proposed upstream in kafkajs#1667 and #1768's review) schedules a check only when
 * there is something to check: a pending request, or a throttle to wait out. Requests that wait
 * for a free in-flight slot are still sent when an in-flight one is answered
 * (`fulfillRequest` and `timeout` call `checkPendingRequests`), as kafkajs' own comment says.
 *
 * Process-wide (kafkajs' class is shared) and idempotent; applied wherever this transport makes a
 * client, a publisher or a subscriber.
 */
import { createRequire } from 'node:module';

interface RequestQueuePrototype {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests: (this: RequestQueuePrototype) => void;
}

let applied = false;

/** Replaces `RequestQueue.prototype.scheduleCheckPendingRequests` once per process. */
export function stopRequestQueueSpin(): void {
  if (applied) return;
  applied = true;
  const RequestQueue = createRequire(import.meta.url)(
    'kafkajs/src/network/requestQueue/index.js',
  ) as { prototype: RequestQueuePrototype };
  const original = RequestQueue.prototype.scheduleCheckPendingRequests;
  if (typeof original !== 'function') return; // another kafkajs: nothing to fix
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueuePrototype) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    original.call(this);
  };
}
