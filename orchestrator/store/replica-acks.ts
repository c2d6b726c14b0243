/**
 * Redis replicates asynchronously: a primary acknowledges a write before its replica has it, and
 * a primary killed then loses the write when the replica is promoted. `WAIT numreplicas timeout`
 * after a batch of saga writes holds the batch until the replicas acknowledged every write made on
 * that connection so far, so what the orchestrator then acts on (publishes, commits offsets for,
 * answers an HTTP request with) survives a failover. WAIT has no key: on a cluster it is queued at
 * the end of each node's pipeline, so it runs on the node that took the writes (ioredis sends a
 * pipeline to the node of its keys, and has one connection per node).
 *
 * When fewer replicas answer within the timeout (the replica is down or far behind) the writes
 * stand and the batch goes on: WAIT cannot undo a write, and with no replica in sync there is no
 * replica a failover could promote with less either (docs/reliability.md).
 */
import type { ReplicaAcks } from '../config/index.js';
import type { PipelineTail } from './pipelines.js';

export type { ReplicaAcks };

/** The WAIT to queue after each pipeline of writes; `short` hears of each one answered short. */
export function waitForReplicas(
  acks: ReplicaAcks,
  short: (acknowledged: number) => void = () => undefined,
): PipelineTail {
  return {
    queue: (pipeline) => void pipeline.call('WAIT', acks.replicas, acks.timeoutMs),
    settled: ([error, reply]) => {
      // An error of the WAIT itself (the node went away) fails the writes of its pipeline too.
      if (!error && typeof reply === 'number' && reply < acks.replicas) short(reply);
    },
  };
}
