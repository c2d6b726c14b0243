import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import { compileSagaStoreOptions } from '../../../orchestrator/store/options.js';
import {
  RECORD_CODEC_VERSION,
  RECORD_FIELDS,
  SUMMARY_FIELDS,
  recordFromPairs,
  recordFromValues,
  recordToFields,
  recordToHash,
  summaryFromValues,
} from '../../../orchestrator/store/record-codec.js';
import { outboxArgs, outboxEntryFromStream } from '../../../orchestrator/store/outbox-codec.js';
import {
  ScriptStatus,
  interpretApplyReply,
  interpretOkReply,
} from '../../../orchestrator/store/script-status.js';

const record: SagaRecord = {
  id: 'order-1',
  type: 'order',
  definitionVersion: '3',
  revision: 4,
  status: 'parked',
  state: 'compensating.release',
  snapshot: { value: { compensating: 'release' }, context: { n: 1 } },
  pending: [
    {
      commandId: 'c1',
      step: 'reserve',
      participant: 'inventory',
      command: 'ReleaseItems',
      kind: 'compensation',
      attempt: 3,
      issuedAt: 10,
      expiresAt: 20,
    },
  ],
  timers: [{ timerId: 't', dueAt: 30, event: { type: 't', extra: 1 } }],
  createdAt: 1,
  updatedAt: 2,
  idempotencyKey: 'key-1',
};

/** HMGET's answer for a stored record. */
function hmget(r: SagaRecord): (string | null)[] {
  const fields = recordToFields(r);
  const map = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) map.set(fields[i] ?? '', fields[i + 1] ?? '');
  return RECORD_FIELDS.map((field) => map.get(field) ?? null);
}

describe('store record codec, script statuses, options', () => {
  it('round-trips a record through hash fields', () => {
    expect(recordFromValues(record.id, hmget(record))).to.deep.equal(record);
    const { idempotencyKey: _omit, ...withoutKey } = record;
    expect(recordFromValues(record.id, hmget(withoutKey))).to.deep.equal(withoutKey);
    expect(recordFromPairs(record.id, recordToFields(record))).to.deep.equal(record);
    expect(
      recordFromValues(
        record.id,
        RECORD_FIELDS.map(() => null),
      ),
    ).to.equal(undefined);
  });

  it('keeps a record in few hash fields: no id, no empty pending or timers, implied timer events', () => {
    const { fields, deleted } = recordToHash({
      ...record,
      pending: [],
      timers: [{ timerId: 't', dueAt: 30, event: { type: 't' } }],
    });
    const names = fields.filter((_, i) => i % 2 === 0);
    expect(names).to.deep.equal(['version', 'm', 'snapshot', 'timers']);
    expect(deleted).to.deep.equal(['snapshotZ', 'pending', 'trace']);
    expect(fields[names.indexOf('timers') * 2 + 1]).to.equal('[{"timerId":"t","dueAt":30}]');
    expect(JSON.parse(fields[3] ?? '')).to.deep.equal([
      RECORD_CODEC_VERSION,
      'order',
      '3',
      'parked',
      'compensating.release',
      1,
      2,
      null,
      'key-1',
    ]);
  });

  it("leaves out a pending command's id when it is the engine's <sagaId>.<step>.<attempt>", () => {
    const engineNamed = { ...record.pending[0]!, commandId: 'order-1.reserve.3' };
    const withBoth: SagaRecord = { ...record, pending: [engineNamed, ...record.pending] };
    const { fields } = recordToHash(withBoth);
    const stored = JSON.parse(fields[fields.indexOf('pending') + 1] ?? '') as object[];
    expect(stored[0]).to.not.have.property('commandId');
    expect(stored[1]).to.have.property('commandId', 'c1');
    expect(recordFromValues(withBoth.id, hmget(withBoth))).to.deep.equal(withBoth);
  });

  it('keeps the snapshot of an ended saga deflated, and reads it back', () => {
    const snapshot = { status: 'done', value: 'completed', context: { steps: 'x'.repeat(2_000) } };
    const ended: SagaRecord = { ...record, status: 'completed', state: 'completed', snapshot };
    const { fields, deleted } = recordToHash(ended);
    const names = fields.filter((_, i) => i % 2 === 0);
    expect(names).to.include('snapshotZ').and.not.include('snapshot');
    expect(deleted).to.include('snapshot');
    expect(fields[names.indexOf('snapshotZ') * 2 + 1]).to.have.length.below(200);
    expect(recordFromValues(ended.id, hmget(ended))).to.deep.equal(ended);
    const broken = hmget(ended);
    broken[RECORD_FIELDS.indexOf('snapshotZ')] = 'bm90IGRlZmxhdGVk';
    expect(() => recordFromValues(ended.id, broken)).to.throw(/snapshotZ/);
  });

  it('reads a record written by the first encoding (one field per meta value)', () => {
    // As the store wrote it before issue 13: an installation upgrades with these in flight.
    const firstEncoding: Record<string, string> = {
      id: 'order-1',
      type: 'order',
      definitionVersion: '3',
      version: '4',
      status: 'parked',
      state: 'compensating.release',
      snapshot: JSON.stringify(record.snapshot),
      pending: JSON.stringify(record.pending),
      timers: JSON.stringify(record.timers),
      createdAt: '1',
      updatedAt: '2',
      idempotencyKey: 'key-1',
      stateEnteredAt: '2',
      _indexMember: '000000000000001:order-1',
    };
    const expected = { ...record, stateEnteredAt: 2 };
    const values = RECORD_FIELDS.map((field) => firstEncoding[field] ?? null);
    expect(recordFromValues('order-1', values)).to.deep.equal(expected);
    expect(recordFromPairs('order-1', Object.entries(firstEncoding).flat())).to.deep.equal(
      expected,
    );
    const summary = summaryFromValues(
      'order-1',
      SUMMARY_FIELDS.map((field) => firstEncoding[field] ?? null),
    );
    expect(summary).to.deep.equal({
      id: 'order-1',
      type: 'order',
      definitionVersion: '3',
      revision: 4,
      status: 'parked',
      state: 'compensating.release',
      createdAt: 1,
      updatedAt: 2,
    });
  });

  it('reports a corrupt stored record with its id', () => {
    const values = hmget(record);
    values[RECORD_FIELDS.indexOf('snapshot')] = '{not json';
    expect(() => recordFromValues(record.id, values)).to.throw(/snapshot/);
    const badStatus = hmget({ ...record, status: 'sleeping' as SagaRecord['status'] });
    expect(() => recordFromValues(record.id, badStatus)).to.throw(/status/);
    const otherCodec = hmget(record);
    otherCodec[RECORD_FIELDS.indexOf('m')] = '[3,"order"]';
    expect(() => recordFromValues(record.id, otherCodec)).to.throw(/codec/);
  });

  it('round-trips outbox messages, text and binary', () => {
    const text = { topic: 't', key: 'k', value: '{"a":1}', headers: { traceparent: 'x' } };
    const binary = { topic: 't', key: 'k', value: Buffer.from([0, 1, 254]) };
    const asStream = (args: string[]) => {
      const [topic, key, value, headers, encoding] = args;
      const fields = ['t', topic, 'k', key, 'v', value];
      if (headers) fields.push('h', headers);
      if (encoding) fields.push('e', encoding);
      return fields as string[];
    };
    expect(outboxEntryFromStream('1700000000000-0', asStream(outboxArgs(text)))).to.deep.equal({
      id: '1700000000000-0',
      message: text,
      enqueuedAt: 1_700_000_000_000,
    });
    expect(outboxEntryFromStream('5-1', asStream(outboxArgs(binary))).message).to.deep.equal(
      binary,
    );
  });

  it('turns every apply-step status into its result, and anything else into an error', () => {
    expect(interpretApplyReply('s', [ScriptStatus.Ok], 2)).to.deep.equal({
      status: 'committed',
      sagaId: 's',
      revision: 2,
    });
    expect(interpretApplyReply('s', [ScriptStatus.SagaMissing], 2)).to.deep.equal({
      status: 'missing',
      sagaId: 's',
    });
    expect(interpretApplyReply('s', [ScriptStatus.VersionConflict, 7], 2)).to.deep.equal({
      status: 'conflict',
      sagaId: 's',
      currentRevision: 7,
    });
    expect(
      interpretApplyReply('order-1', [ScriptStatus.SagaExists, recordToFields(record)], 1),
    ).to.deep.equal({ status: 'exists', sagaId: 'order-1', record });
    for (const weird of [null, [], [9], [ScriptStatus.VersionConflict], 'OK']) {
      expect(() => interpretApplyReply('s', weird, 1), JSON.stringify(weird)).to.throw(
        /apply-step answered/,
      );
    }
    expect(interpretOkReply('discard-timer', ScriptStatus.Ok)).to.equal(true);
    expect(interpretOkReply('discard-timer', ScriptStatus.Unchanged)).to.equal(false);
    expect(() => interpretOkReply('discard-timer', -1)).to.throw(/discard-timer answered/);
  });

  it('fills option defaults and rejects what cannot work', () => {
    const redis = new Redis({ lazyConnect: true });
    const compiled = compileSagaStoreOptions({ redis });
    expect(compiled).to.include({
      keyPrefix: 'saga',
      shards: 16,
      retentionMs: 7 * 24 * 3_600_000,
      historyLimit: 500,
      listScanLimit: 2000,
    });
    const bad = [
      { keyPrefix: '' },
      { keyPrefix: 'a{b}' },
      { keyPrefix: 'a\nb' },
      { shards: 0 },
      { shards: 16385 },
      { shards: 1.5 },
      { retentionMs: -1 },
      { historyLimit: 0 },
    ];
    for (const options of bad) {
      expect(
        () => compileSagaStoreOptions({ redis, ...options }),
        JSON.stringify(options),
      ).to.throw(/keyPrefix|shards|retentionMs|historyLimit/);
    }
    const prefixed = new Redis({ lazyConnect: true, keyPrefix: 'x:' });
    expect(() => compileSagaStoreOptions({ redis: prefixed })).to.throw(/keyPrefix/);
    redis.disconnect();
    prefixed.disconnect();
  });
});
