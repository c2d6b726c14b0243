/**
 * What sealing an ended saga's history needs before its step is written: the history as stored
 * now (the sealed part of a saga that had ended before, then the list), read in one pipeline for
 * every ending write of a batch. The write then carries the whole history sealed, and apply-step
 * swaps the list for it if the list is still as long as it was when read (see apply-step-6.lua).
 */
import { isEnded } from '../../wire/contract/index.js';
import { isRetriableStoreFailure } from './errors.js';
import { unsealHistory } from './history-codec.js';
import type { StoreKeys } from './keys.js';
import type { RedisClient } from './options.js';
import { settledPipelinePerShard } from './pipelines.js';
import { INTERNAL_FIELDS } from './record-codec.js';
import type { CommitItem } from './types.js';

/** The history a write ending its saga seals: stored texts, oldest first, and the list's length. */
export interface HistoryToSeal {
  previous: readonly string[];
  listLength: number;
}

/**
 * For each item, the history its write seals, or `undefined` when it does not seal (its saga does
 * not end, or what is stored cannot be read: then its history stays a list). Throws only when
 * Redis fails as a whole, before anything was written.
 */
export async function historiesToSeal(
  redis: RedisClient,
  keys: StoreKeys,
  items: readonly CommitItem[],
): Promise<(HistoryToSeal | undefined)[]> {
  const result = new Array<HistoryToSeal | undefined>(items.length);
  const reads: { index: number; sagaId: string }[] = [];
  items.forEach((item, index) => {
    if (!isEnded(item.record.status)) return;
    // A create has nothing stored yet (if the id is taken, the script answers so and writes nothing).
    if (item.expectedRevision === 0) result[index] = { previous: [], listLength: 0 };
    else reads.push({ index, sagaId: item.record.id });
  });
  if (reads.length === 0) return result;
  const commands = reads.flatMap((read) => [
    { ...read, command: 'list' as const },
    { ...read, command: 'sealed' as const },
  ]);
  const replies = await settledPipelinePerShard(
    redis,
    commands,
    ({ sagaId }) => keys.shardOf(sagaId),
    (pipeline, { sagaId, command }) => {
      if (command === 'list') pipeline.lrange(keys.history(sagaId), 0, -1);
      else pipeline.hgetBuffer(keys.saga(sagaId), INTERNAL_FIELDS.sealedHistory);
    },
  );
  reads.forEach(({ index }, position) => {
    const [listError, list] = replies[2 * position] ?? [new Error('no reply'), null];
    const [sealedError, sealed] = replies[2 * position + 1] ?? [new Error('no reply'), null];
    for (const error of [listError, sealedError]) {
      if (error && isRetriableStoreFailure(error)) throw error;
    }
    if (listError || sealedError || !Array.isArray(list)) return;
    try {
      const earlier = Buffer.isBuffer(sealed) ? unsealHistory(sealed) : [];
      result[index] = { previous: [...earlier, ...(list as string[])], listLength: list.length };
    } catch {
      // A sealed part that does not inflate is left as it is; history() reports it corrupt.
    }
  });
  return result;
}
