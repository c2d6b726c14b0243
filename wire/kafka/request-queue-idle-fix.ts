/**
 * kafkajs 2.2.4 keeps every broker connection's request queue busy when there is nothing to do:
 * after each request it schedules a check of the pending requests, and with none pending and no
 * throttle the delay comes out negative, so the check runs again after 1 ms, and again, forever
 * (kafkajs issues #1556 and #1704; the fix of pull request #1667 is not released, and kafkajs is in
 * maintenance). An idle orchestrator has a handful of such connections (producer, consumer, broker
 * probe): measured here, about 470 event-loop wake-ups a second and most of its idle CPU.
 *
 * The fix is the one upstream proposes: with nothing pending and no throttle to wait out there is
 * nothing to check later. A request that cannot be sent at once is queued by `push`, which
 * schedules its own check, and an in-flight request that completes checks the queue itself, so no
 * request waits on the loop that is skipped.
 */
import { createRequire } from 'node:module';

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests: (this: RequestQueueInternals) => void;
}

const FIXED = Symbol.for('saga-orchestrator.kafkajs-idle-loop-fixed');

/**
 * Replaces kafkajs' `RequestQueue.prototype.scheduleCheckPendingRequests` once per process with
 * one that does not spin when nothing is pending. Returns whether the fix is in place (false when
 * a kafkajs version without that method is installed: then there is nothing to fix).
 */
export function fixKafkajsIdleLoop(): boolean {
  const require = createRequire(import.meta.url);
  let RequestQueue: { prototype: RequestQueueInternals & { [FIXED]?: true } };
  try {
    RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as typeof RequestQueue;
  } catch {
    return false;
  }
  const proto = RequestQueue.prototype;
  if (proto[FIXED]) return true;
  const original = proto.scheduleCheckPendingRequests;
  if (typeof original !== 'function') return false;
  proto.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(
    this: RequestQueueInternals,
  ) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    original.call(this);
  };
  proto[FIXED] = true;
  return true;
}
