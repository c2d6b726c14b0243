/**
 * The saga store: sagas, their history, the outbox, durable timers, indexes, counters and
 * retention in Redis, every step written by one atomic script. See `docs/store.md`.
 *
 * @example
 * const store = createSagaStore({ redis, keyPrefix: 'saga', shards: 16 });
 * const started = await store.create(record, { outbox, timersToSet, history });
 * const saga = await store.load(id);
 * const result = await store.commit(saga.revision, next, { outbox, timersToCancel, history });
 * if (result.status === 'conflict') { … reload and re-apply … }
 */
import { applyStepCall, type ScriptCall } from './apply-step-call.js';
import { countsByStatus, countsByTypeAndState } from './counters.js';
import {
  CorruptRecordError,
  InvalidRecordError,
  SagaStoreError,
  UnexpectedScriptReplyError,
  isRetriableStoreFailure,
} from './errors.js';
import { createStoreKeys } from './keys.js';
import { decodeHistoryEntry, unsealHistory } from './history-codec.js';
import { historiesToSeal } from './history-seal.js';
import { shardEpoch, takeShards } from './shard-epochs.js';
import { listSagas } from './list-sagas.js';
import { compileSagaStoreOptions, type SagaStoreOptions } from './options.js';
import {
  ackOutbox,
  outboxBacklog,
  outboxBatchFailed,
  outboxLengths,
  readOutbox,
  relayBatches,
  relayBatchesTaken,
} from './outbox.js';
import { pipelinePerShard, settledPipelinePerShard, type Settled } from './pipelines.js';
import { waitForReplicas } from './replica-acks.js';
import { purgeExpired, scheduledForPurge } from './retention.js';
import {
  INTERNAL_FIELDS,
  RECORD_FIELDS,
  SUMMARY_FIELDS,
  createdAtOf,
  recordFromValues,
  summaryFromValues,
} from './record-codec.js';
import { SameTickBatch, type ItemOutcome } from './same-tick-batch.js';
import { interpretApplyReply } from './script-status.js';
import { defineScripts, queueScript, runScript } from './scripts.js';
import {
  claimDueTimers,
  discardClaimedTimer,
  nextDueAt,
  nextDueAtEach,
  pauseTimers,
  pendingTimers,
} from './timers.js';
import type { SagaStore, CommitItem, CommitResult, LoadResult } from './types.js';

export function createSagaStore(options: SagaStoreOptions): SagaStore {
  const settings = compileSagaStoreOptions(options);
  const { redis } = settings;
  const keys = createStoreKeys(settings.keyPrefix, settings.shards);
  defineScripts(redis);
  const context = { redis, keys };
  const replicaWait = settings.replicaAcks ? waitForReplicas(settings.replicaAcks) : undefined;

  /** Runs apply-step for every item (one pipeline), each item with its own outcome or error. */
  const applySettled = async (
    items: readonly CommitItem[],
  ): Promise<ItemOutcome<ReturnType<typeof interpretApplyReply>>[]> => {
    const outcomes = new Array<ItemOutcome<ReturnType<typeof interpretApplyReply>>>(items.length);
    const calls: { index: number; item: CommitItem; call: ScriptCall }[] = [];
    // Writes that end their saga seal its history: they need what is stored (one read for all).
    const seals = await historiesToSeal(redis, keys, items);
    items.forEach((item, index) => {
      try {
        const call = applyStepCall(
          keys,
          settings,
          item.expectedRevision,
          item.record,
          item.write,
          item.steps,
          seals[index],
        );
        calls.push({ index, item, call });
      } catch (error) {
        // Whatever stops the call from being built is this write's own problem, never Redis'.
        outcomes[index] = {
          ok: false,
          error:
            error instanceof SagaStoreError
              ? error
              : new InvalidRecordError(`the write cannot be encoded: ${String(error)}`, {
                  sagaId: item.record.id,
                  cause: error,
                }),
        };
      }
    });
    // With replica acknowledgements even one write goes in a pipeline: its WAIT must follow it
    // on the same node.
    const replies: Settled[] =
      calls.length === 1 && calls[0] && !replicaWait
        ? await runScript(redis, 'applyStep', calls[0].call.keys, calls[0].call.args).then(
            (reply): Settled[] => [[null, reply]],
            (error: Error): Settled[] => [[error, null]],
          )
        : await settledPipelinePerShard(
            redis,
            calls,
            ({ item }) => keys.shardOf(item.record.id),
            (pipeline, { call }) => queueScript(pipeline, 'applyStep', call.keys, call.args),
            replicaWait,
          );
    calls.forEach(({ index, item }, position) => {
      const [error, reply] = replies[position] ?? [new Error('no reply'), null];
      if (error) {
        outcomes[index] = { ok: false, error };
        return;
      }
      try {
        outcomes[index] = {
          ok: true,
          value: interpretApplyReply(item.record.id, reply, item.record.revision),
        };
      } catch (cause) {
        outcomes[index] = { ok: false, error: cause };
      }
    });
    return outcomes;
  };

  // Creates issued in the same tick (a loop starting sagas) share one pipeline.
  const creates = new SameTickBatch<CommitItem, ReturnType<typeof interpretApplyReply>>(
    applySettled,
  );

  const loadSummaries = async (sagaIds: readonly string[]) => {
    const replies = await pipelinePerShard(redis, sagaIds, keys.shardOf, (pipeline, id) =>
      pipeline.hmget(keys.saga(id), ...SUMMARY_FIELDS),
    );
    return sagaIds.map((id, index) => summaryFromValues(id, replies[index] as (string | null)[]));
  };

  const store: SagaStore = {
    keys,
    shards: settings.shards,
    shardOf: keys.shardOf,

    async create(record, write) {
      const outcome = await creates.add({ expectedRevision: 0, record, write: write ?? {} });
      if (outcome?.status === 'committed') return { created: true, record };
      if (outcome?.status === 'exists') return { created: false, record: outcome.record };
      throw new UnexpectedScriptReplyError(`create answered ${outcome?.status}`, {
        sagaId: record.id,
      });
    },

    async load(sagaId) {
      const values = await redis.hmget(keys.saga(sagaId), ...RECORD_FIELDS);
      return recordFromValues(sagaId, values);
    },

    async loadMany(sagaIds) {
      // One read path: loadEach's results, the first saga that cannot be read back failing all.
      return (await store.loadEach(sagaIds)).map((result) => {
        if (result.error) throw result.error;
        return result.record;
      });
    },

    async loadEach(sagaIds) {
      const replies = await settledPipelinePerShard(redis, sagaIds, keys.shardOf, (pipeline, id) =>
        pipeline.hmget(keys.saga(id), ...RECORD_FIELDS),
      );
      return sagaIds.map((id, index): LoadResult => {
        const [error, reply] = replies[index] ?? [new Error('no reply'), null];
        if (error) {
          if (isRetriableStoreFailure(error)) throw error;
          return { error };
        }
        try {
          return { record: recordFromValues(id, reply as (string | null)[]) };
        } catch (cause) {
          return { error: cause instanceof Error ? cause : new Error(String(cause)) };
        }
      });
    },

    async commit(expectedRevision, record, write) {
      const [result] = await store.commitMany([{ expectedRevision, record, write: write ?? {} }]);
      if (!result) throw new UnexpectedScriptReplyError('commit answered nothing');
      if (result.status === 'rejected') throw result.error;
      return result;
    },

    async commitMany(items) {
      for (const item of items) {
        if (item.expectedRevision < 1) {
          throw new InvalidRecordError('commit needs the revision the saga had (≥ 1)', {
            sagaId: item.record.id,
          });
        }
      }
      const outcomes = await applySettled(items);
      // A failure of the infrastructure fails the call; a write's own failure is its result.
      for (const outcome of outcomes) {
        if (!outcome.ok && isRetriableStoreFailure(outcome.error)) throw outcome.error;
      }
      return outcomes.map((outcome, index): CommitResult => {
        const sagaId = items[index]?.record.id ?? '';
        if (!outcome.ok) {
          const error =
            outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
          return { status: 'rejected', sagaId, error };
        }
        if (outcome.value.status === 'exists') {
          return {
            status: 'rejected',
            sagaId,
            error: new UnexpectedScriptReplyError('commit answered as a create', { sagaId }),
          };
        }
        return outcome.value;
      });
    },

    async history(sagaId, page = {}) {
      const offset = Math.max(0, page.offset ?? 0);
      const limit = Math.max(1, page.limit ?? 100);
      const [listed, listLength, [dropped, meta, firstEncodingCreatedAt], sealed] =
        await Promise.all([
          redis.lrange(keys.history(sagaId), offset, offset + limit - 1),
          redis.llen(keys.history(sagaId)),
          redis.hmget(keys.saga(sagaId), INTERNAL_FIELDS.historyDropped, 'm', 'createdAt'),
          redis.hgetBuffer(keys.saga(sagaId), INTERNAL_FIELDS.sealedHistory),
        ]);
      // An ended saga's history is sealed in its record; entries of a later step (an operator
      // retry) follow in the list.
      let entries = listed;
      let total = listLength;
      if (sealed) {
        let earlier: string[];
        try {
          earlier = unsealHistory(sealed);
        } catch (cause) {
          throw new CorruptRecordError(`saga field 'historyZ' does not inflate`, { sagaId, cause });
        }
        total = earlier.length + listLength;
        entries = earlier.slice(offset, offset + limit);
        const fromList = Math.max(0, offset - earlier.length);
        if (entries.length < limit && listLength > fromList) {
          const rest = limit - entries.length;
          entries = [
            ...entries,
            ...(await redis.lrange(keys.history(sagaId), fromList, fromList + rest - 1)),
          ];
        }
      }
      // Compact entries keep their time as an offset from the saga's creation.
      const createdAt =
        entries.length === 0
          ? 0
          : createdAtOf(sagaId, meta ?? null, firstEncodingCreatedAt ?? null);
      return {
        entries: entries.map((entry) => decodeHistoryEntry(entry, sagaId, createdAt)),
        total,
        dropped: Number(dropped ?? 0),
      };
    },

    readOutbox: (shard, limit, epoch) => readOutbox(context, shard, limit, epoch),
    ackOutbox: (shard, entryIds, epoch) => ackOutbox(context, shard, entryIds, epoch),
    outboxBatchFailed: (shard) => outboxBatchFailed(context, shard),
    relayBatches: (shard) => relayBatches(context, shard),
    relayBatchesTaken: (shard) => relayBatchesTaken(context, shard),
    outboxBacklog: () => outboxBacklog(context),
    outboxLengths: (shards) => outboxLengths(context, shards),

    takeShards: (shards) => takeShards(context, shards),
    shardEpoch: (shard) => shardEpoch(context, shard),

    claimDueTimers: (shard, now, limit, leaseMs, epoch) =>
      claimDueTimers(context, shard, now, limit, leaseMs, epoch),
    discardClaimedTimer: (claim) => discardClaimedTimer(context, claim),
    pendingTimers: () => pendingTimers(context),
    nextDueAt: (shard) => nextDueAt(context, shard),
    nextDueAtEach: (shards) => nextDueAtEach(context, shards),
    pauseTimers: (shard, outage) => pauseTimers(context, shard, outage),

    listSagas: (query = {}) =>
      listSagas({ ...context, scanLimit: settings.listScanLimit, loadSummaries }, query),
    loadSummaries,

    countsByTypeAndState: () => countsByTypeAndState(context),
    async countsByStatus() {
      return countsByStatus(await countsByTypeAndState(context));
    },

    purgeExpired: (now, limitPerShard = 100) => purgeExpired(context, now, limitPerShard),
    scheduledForPurge: () => scheduledForPurge(context),
  };
  return store;
}
