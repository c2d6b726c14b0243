import { expect } from 'chai';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { silentLogger } from '../../../wire/telemetry/logger.js';
import { BatchProcessor } from '../../../wire/kafka/batch-processor.js';
import { DeferredCommits } from '../../../wire/kafka/deferred-commits.js';
import {
  placeholderRecords,
  UNDECODABLE_MARKER_HEADER,
} from '../../../wire/kafka/undecodable-batch.js';
import type { IncomingMessage, UndecodableEntry } from '../../../wire/transport/ports.js';

/**
 * The batch processor's rule for placeholders of an undecodable batch, with kafkajs' consumer
 * and batch payload faked (no broker): they go to the dead-letter sink, never to the handler, and
 * are committed with the batch; a sink that fails makes the batch come again.
 */

/**
 * A placeholder as kafkajs would hand it over. The marker's token is private to the module, so
 * it is read out of real placeholder bytes (the only UUID in them) rather than exported.
 */
function placeholderMessage(offset: string): KafkaMessage {
  const bytes = placeholderRecords(
    { firstOffset: BigInt(offset), lastOffsetDelta: 0, recordCount: 1 },
    { codec: 'zstd', error: 'bad frame' },
  );
  const text = bytes.toString('latin1');
  const token = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/u.exec(text)?.[0];
  const start = text.indexOf('{"codec"');
  const value = Buffer.from(text.slice(start, text.indexOf('}', start) + 1), 'latin1');
  return message(offset, value, { [UNDECODABLE_MARKER_HEADER]: Buffer.from(token ?? '') });
}

function message(offset: string, value: Buffer, headers: KafkaMessage['headers'] = {}) {
  return {
    offset,
    key: Buffer.from('k'),
    value,
    headers,
    timestamp: '0',
    attributes: 0,
  } as KafkaMessage;
}

interface Run {
  handled: IncomingMessage[][];
  deadLettered: UndecodableEntry[];
  committed: string[];
  seeks: string[];
}

async function runBatch(messages: KafkaMessage[], sinkFails = false): Promise<Run> {
  const run: Run = { handled: [], deadLettered: [], committed: [], seeks: [] };
  let resolved = '';
  const processor = new BatchProcessor(
    silentLogger,
    { initialMs: 60_000, maxMs: 60_000 },
    new DeferredCommits({
      intervalMs: 1_000,
      maxPendingMessages: 500,
      logger: silentLogger,
      commit: async () => {},
    }),
    () => true,
    async (entries) => {
      if (sinkFails) throw new Error('dlq unavailable');
      run.deadLettered.push(...entries);
    },
  );
  const payload = {
    batch: { topic: 't', partition: 3, messages },
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
    pause: () => () => undefined,
    resolveOffset: (offset: string) => {
      resolved = offset;
    },
    uncommittedOffsets: () => ({
      topics: [
        { topic: 't', partitions: [{ partition: '3', offset: String(Number(resolved) + 1) }] },
      ],
    }),
    commitOffsetsIfNecessary: async (offsets: {
      topics: { partitions: { offset: string }[] }[];
    }) => {
      run.committed.push(offsets.topics[0]?.partitions[0]?.offset ?? '');
    },
  } as unknown as EachBatchPayload;
  const consumer = {
    seek: ({ offset }: { offset: string }) => run.seeks.push(offset),
  } as unknown as Consumer;
  await processor.process(consumer, async (batch) => void run.handled.push([...batch]), payload);
  processor.reset();
  return run;
}

describe('transport: placeholders of an undecodable batch', () => {
  it('go to the dead-letter sink with the reason, never to the handler, and are committed with the batch', async () => {
    const run = await runBatch([
      message('10', Buffer.from('{"ok":1}')),
      placeholderMessage('11'),
      message('12', Buffer.from('{"ok":2}')),
    ]);
    expect(run.handled.map((batch) => batch.map((m) => m.offset))).to.deep.equal([['10', '12']]);
    expect(run.deadLettered).to.have.length(1);
    expect(run.deadLettered[0]?.message).to.include({ offset: '11', key: null, value: null });
    expect(run.deadLettered[0]?.message.headers).to.deep.equal({});
    expect(run.deadLettered[0]?.reason).to.deep.equal({
      code: 'UNDECODABLE',
      reason:
        'zstd record batch could not be decompressed (bad frame); t[3] offsets 11..11 (1 record) skipped',
    });
    expect(run.committed).to.deep.equal(['13']);
  });

  it('a batch of nothing but placeholders is committed without calling the handler', async () => {
    const run = await runBatch([placeholderMessage('20')]);
    expect(run.handled).to.deep.equal([]);
    expect(run.deadLettered).to.have.length(1);
    expect(run.committed).to.deep.equal(['21']);
  });

  it('when their dead letters cannot be published, nothing is committed and the batch comes again', async () => {
    const run = await runBatch([placeholderMessage('30'), message('31', Buffer.from('{}'))], true);
    expect(run.committed).to.deep.equal([]);
    expect(run.handled).to.deep.equal([]);
    expect(run.seeks).to.deep.equal(['30']);
  });

  it('a record that only copies the marker header is an ordinary record', async () => {
    const forged = message('40', Buffer.from('{"codec":"zstd"}'), {
      [UNDECODABLE_MARKER_HEADER]: Buffer.from('00000000-0000-0000-0000-000000000000'),
    });
    const run = await runBatch([forged]);
    expect(run.deadLettered).to.deep.equal([]);
    expect(run.handled.map((batch) => batch.map((m) => m.offset))).to.deep.equal([['40']]);
  });
});
