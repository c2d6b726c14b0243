import { expect } from 'chai';
import { DLQ_ERROR_CODES, HEADERS } from '../../../wire/contract/index.js';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import {
  CODECS,
  COMPRESSIBLE,
  failCodecFor,
  produceWithKcat,
  watchCodec,
} from '../../support/codecs.js';
import { eventually } from '../../support/eventually.js';
import { orderInput } from '../../support/orders.js';
import { useSystem } from '../../support/system.js';
import { collectTopic } from '../participants/support/reply-collector.js';

/**
 * A participant that compresses (franz-go compresses with snappy by default) once made the
 * replies consumer crash-loop and stalled every saga. Here kcat (librdkafka) plays that
 * participant, in every codec Kafka defines, against a running orchestrator; and a batch the
 * orchestrator cannot decompress is dead-lettered while the other sagas go on.
 */
describe('orchestrator: replies in every compression codec (real Kafka, kcat)', function () {
  this.timeout(180_000);
  const sut = useSystem('codec-replies', { participants: false });
  const replies = () => `${sut.infra.prefix}.replies`;

  /** Starts an order saga and returns it once its ReserveItems command is pending. */
  async function sagaWaitingForReservation(): Promise<SagaRecord> {
    const started = await sut.system.orchestrator.startSaga({
      type: 'order',
      input: { ...orderInput() },
    });
    if (started.status !== 'started') throw new Error(`not started: ${started.status}`);
    const id = started.record.id;
    return eventually('the ReserveItems command to be pending', async () => {
      const record = await sut.system.orchestrator.store.load(id);
      return record?.pending.some((p) => p.command === 'ReserveItems') ? record : undefined;
    });
  }

  const reservedReply = (record: SagaRecord, reservationId: string) => {
    const pending = record.pending.find((p) => p.command === 'ReserveItems');
    if (!pending) throw new Error('no ReserveItems pending');
    return {
      key: record.id,
      value: JSON.stringify({
        commandId: pending.commandId,
        sagaId: record.id,
        type: 'ReserveItems',
        outcome: 'success',
        payload: { reservationId, padding: COMPRESSIBLE },
      }),
    };
  };

  const movedToPayment = (id: string) =>
    eventually(`saga ${id} to move on to authorizePayment`, async () => {
      const record = await sut.system.orchestrator.store.load(id);
      return record?.state.startsWith('authorizePayment') ? record : undefined;
    });

  for (const codec of CODECS) {
    it(`applies a reply produced in ${codec}: the saga moves on`, async () => {
      const record = await sagaWaitingForReservation();
      const watch = watchCodec(codec);
      try {
        await produceWithKcat(replies(), codec, [reservedReply(record, `res-${codec}`)]);
        const moved = await movedToPayment(record.id);
        expect(moved.pending.map((p) => p.command)).to.deep.equal(['AuthorizePayment']);
        expect(watch.batches(), `a ${codec} batch was decompressed`).to.be.greaterThan(0);
      } finally {
        watch.restore();
      }
    });
  }

  it('dead-letters a reply batch it cannot decompress; later replies on its partition and other partitions still apply', async () => {
    const dlq = await collectTopic(sut.infra, `${sut.infra.prefix}.dlq`);
    const poisoned = await sagaWaitingForReservation();
    const other = await sagaWaitingForReservation();
    const restore = failCodecFor('lz4', 'POISON', 'lz4: invalid frame (forced by the test)');
    try {
      // Partition 0: the poison batch (two replies), then the good reply for the same saga.
      // Partition 1: another saga's reply. Explicit partitions make "same" and "other" certain.
      const poison = [reservedReply(poisoned, 'POISON-1'), reservedReply(poisoned, 'POISON-2')];
      await produceWithKcat(replies(), 'lz4', poison, 0);
      await produceWithKcat(replies(), 'lz4', [reservedReply(poisoned, 'res-after')], 0);
      await produceWithKcat(replies(), 'lz4', [reservedReply(other, 'res-other')], 1);

      const after = await movedToPayment(poisoned.id);
      expect(after.snapshot).to.nested.include({
        'context.steps.reserveInventory.result.reservationId': 'res-after',
      });
      await movedToPayment(other.id);

      const letters = await eventually('the two dead letters', async () => {
        const found = dlq.messages.filter(
          (m) => m.headers[HEADERS.dlqErrorCode] === DLQ_ERROR_CODES.undecodable,
        );
        return found.length >= 2 ? found : undefined;
      });
      expect(letters).to.have.length(2);
      const offsets = letters.map((l) => Number(l.headers[HEADERS.dlqSourceOffset]));
      expect(offsets[1]).to.equal((offsets[0] ?? NaN) + 1);
      for (const letter of letters) {
        expect(letter.headers[HEADERS.dlqSource]).to.equal('orchestrator');
        expect(letter.headers[HEADERS.dlqSourceTopic]).to.equal(replies());
        expect(letter.headers[HEADERS.dlqSourcePartition]).to.equal('0');
        expect(letter.headers[HEADERS.dlqReason]).to.equal(
          'lz4 record batch could not be decompressed (lz4: invalid frame (forced by the test)); ' +
            `${replies()}[0] offsets ${offsets[0]}..${offsets[1]} (2 records) skipped`,
        );
      }
    } finally {
      restore();
    }
  });
});
