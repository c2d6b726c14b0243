/**
 * Consumer lag: how far a consumer group is behind, per partition. Lag is the partition's high
 * watermark (the offset the next message will get) minus the group's committed offset (the next
 * message the group will read). A partition the group has never committed counts every message
 * still retained (high − low), as a group starting from the beginning would see it.
 */
import type { Admin } from 'kafkajs';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Offset the next produced message will get. */
  highWatermark: string;
  /** Oldest offset still retained. */
  lowWatermark: string;
  /** Next offset the group reads, or null when it never committed one for this partition. */
  committedOffset: string | null;
  /** Messages the group has yet to commit; 0 or more. */
  lag: number;
}

export interface ConsumerLagQuery {
  /** A connected kafkajs admin client. */
  admin: Admin;
  groupId: string;
  topics: readonly string[];
}

/** Per-partition lag of `groupId` on `topics`, sorted by topic then partition. */
export async function fetchConsumerLag(query: ConsumerLagQuery): Promise<PartitionLag[]> {
  const { admin, groupId, topics } = query;
  if (topics.length === 0) return [];
  const [committed, ...watermarks] = await Promise.all([
    admin.fetchOffsets({ groupId, topics: [...topics] }),
    ...topics.map((topic) => admin.fetchTopicOffsets(topic)),
  ]);
  const committedOf = new Map<string, string>();
  for (const { topic, partitions } of committed) {
    for (const { partition, offset } of partitions)
      committedOf.set(`${topic}|${partition}`, offset);
  }
  const result: PartitionLag[] = [];
  topics.forEach((topic, index) => {
    for (const { partition, high, low } of watermarks[index] ?? []) {
      const offset = committedOf.get(`${topic}|${partition}`);
      // kafkajs reports "no committed offset" as -1.
      const committedOffset = offset === undefined || BigInt(offset) < 0n ? null : offset;
      const from =
        committedOffset === null ? BigInt(low) : maxBigInt(BigInt(committedOffset), BigInt(low));
      const lag = BigInt(high) - from;
      result.push({
        topic,
        partition,
        highWatermark: high,
        lowWatermark: low,
        committedOffset,
        lag: Number(lag > 0n ? lag : 0n),
      });
    }
  });
  return result.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** Sum of the lags (for a single gauge). */
export function totalLag(lags: readonly PartitionLag[]): number {
  return lags.reduce((sum, entry) => sum + entry.lag, 0);
}

function maxBigInt(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
