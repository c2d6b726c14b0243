import { expect } from 'chai';
import { DEFAULT_JSON_LIMITS, DLQ_ERROR_CODES, HEADERS } from '../../../wire/contract/index.js';
import { apiClient, type ApiResponse } from '../../support/api-client.js';
import { eventually } from '../../support/eventually.js';
import { orderInput } from '../../support/orders.js';
import { useSystem } from '../../support/system.js';
import { collectTopic, type TopicCollector } from '../participants/support/reply-collector.js';

/** `{"a":{"a":…1…}}`, `levels` objects deep: valid JSON, far past the depth limit. */
const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const DEEP = nested(10_000);
/** A start request for a good order carrying one field nested 10,000 levels deep. */
const deepRequest = () => {
  const input = JSON.stringify(orderInput());
  return `{"type":"order","input":${input.slice(0, -1)},"note":${DEEP}}}`;
};

interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * Inputs are bounded before the engine (issue 11): a start request whose input is nested 10,000
 * levels deep threw RangeError in the engine's snapshot copy, so its requests batch was retried
 * for ever, and the same body over HTTP answered 500. A reply whose saga-id header names another
 * saga than its value is dead-lettered.
 */
describe('bounded inputs: too deep or disagreeing messages are dead-lettered, HTTP answers 4xx (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('bounded-inputs', { api: true, participants: false });
  const api = () => apiClient(sut.system.apiUrl);
  let dlq: TopicCollector;
  let producer: Awaited<ReturnType<typeof sut.infra.producer>>;

  before(async function () {
    this.timeout(60_000);
    dlq = await collectTopic(sut.infra, `${sut.infra.prefix}.dlq`);
    producer = await sut.infra.producer({ idempotent: true });
  });

  const deadLetterAt = (topic: string, offset: string) =>
    eventually(`a dead letter for ${topic}@${offset}`, async () =>
      dlq.messages.find(
        (m) =>
          m.headers[HEADERS.dlqSourceTopic] === topic &&
          m.headers[HEADERS.dlqSourceOffset] === offset,
      ),
    );

  it('dead-letters a start request nested 10,000 levels deep; the next request on its partition starts within a second', async () => {
    const topic = `${sut.infra.prefix}.requests`;
    const key = `deep-${Date.now()}`;
    const [deep] = await producer.send({
      topic,
      messages: [{ key, value: deepRequest() }],
    });
    const letter = await deadLetterAt(topic, deep?.baseOffset ?? '');
    expect(letter.headers[HEADERS.dlqErrorCode]).to.equal(DLQ_ERROR_CODES.limitExceeded);
    expect(letter.headers[HEADERS.dlqReason]).to.equal(
      `start request: nested deeper than the limit of ${DEFAULT_JSON_LIMITS.maxDepth} levels (maxDepth)`,
    );

    // Same key, same partition, right behind it: started at once, not after a back-off.
    const id = `after-deep-${Date.now()}`;
    const sentAt = Date.now();
    const [good] = await producer.send({
      topic,
      messages: [{ key, value: JSON.stringify({ type: 'order', id, input: orderInput() }) }],
    });
    expect(good?.partition).to.equal(deep?.partition);
    await eventually(
      `saga ${id} to exist`,
      async () => ((await sut.system.orchestrator.store.load(id)) ? true : undefined),
      10_000,
      10,
    );
    const tookMs = Date.now() - sentAt;
    expect(tookMs, `the next request started after ${tookMs} ms`).to.be.below(1_000);
  });

  it('answers 400 naming the limit to the same body over HTTP, for a start and for an event', async () => {
    const start: ApiResponse<ErrorBody> = await api().post('/v1/sagas', undefined, {
      raw: deepRequest(),
      headers: { 'content-type': 'application/json' },
    });
    expect(start.status).to.equal(400);
    expect(start.body.error.code).to.equal('VALIDATION_FAILED');
    expect(start.body.error.message).to.equal(
      'the body is nested deeper than the limit of 64 levels (maxDepth)',
    );

    const started = await sut.system.orchestrator.startSaga({
      type: 'order',
      input: { ...orderInput() },
    });
    if (started.status !== 'started') throw new Error(started.status);
    const event: ApiResponse<ErrorBody> = await api().post(
      `/v1/sagas/${started.record.id}/events`,
      undefined,
      {
        raw: `{"type":"order.approve","note":${DEEP}}`,
        headers: { 'content-type': 'application/json' },
      },
    );
    expect(event.status).to.equal(400);
    expect(event.body.error.message).to.contain('maxDepth');

    // Size is express.json's limit: 413 naming it.
    const big: ApiResponse<ErrorBody> = await api().post('/v1/sagas', {
      type: 'order',
      input: { ...orderInput(), note: 'x'.repeat(300 * 1024) },
    });
    expect(big.status).to.equal(413);
    expect(big.body.error.message).to.equal('the body is larger than 262144 bytes');
  });

  it('dead-letters a reply whose saga-id header names another saga; the saga it names does not move', async () => {
    const started = await sut.system.orchestrator.startSaga({
      type: 'order',
      input: { ...orderInput() },
    });
    if (started.status !== 'started') throw new Error(started.status);
    const id = started.record.id;
    const waiting = await eventually('the ReserveItems command to be pending', async () => {
      const record = await sut.system.orchestrator.store.load(id);
      return record?.pending.find((p) => p.command === 'ReserveItems');
    });
    const reply = JSON.stringify({
      commandId: waiting.commandId,
      sagaId: id,
      type: 'ReserveItems',
      outcome: 'success',
      payload: { reservationId: 'r-1' },
    });
    const topic = `${sut.infra.prefix}.replies`;
    const [sent] = await producer.send({
      topic,
      messages: [{ key: id, value: reply, headers: { [HEADERS.sagaId]: 'some-other-saga' } }],
    });
    const letter = await deadLetterAt(topic, sent?.baseOffset ?? '');
    expect(letter.headers[HEADERS.dlqErrorCode]).to.equal(DLQ_ERROR_CODES.invalid);
    expect(letter.headers[HEADERS.dlqReason]).to.equal(
      `reply: header saga-id "some-other-saga" disagrees with sagaId "${id}"`,
    );
    const still = await sut.system.orchestrator.store.load(id);
    expect(still?.state.startsWith('reserveInventory'), still?.state).to.equal(true);

    // The same reply with an agreeing header is applied.
    await producer.send({
      topic,
      messages: [{ key: id, value: reply, headers: { [HEADERS.sagaId]: id } }],
    });
    await eventually('the saga to move on', async () => {
      const record = await sut.system.orchestrator.store.load(id);
      return record?.state.startsWith('authorizePayment') ? record : undefined;
    });
  });
});
