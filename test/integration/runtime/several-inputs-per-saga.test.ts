/**
 * Several inputs of one saga in one batch (two replies of a parallel state in one consumer batch,
 * two deadlines in one timer poll): the step runner applies them in order and writes them in one
 * commit. Regression: the commit stored revision 3 from revision 1, the store refused it
 * (`InvalidRecordError: a write from revision 1 must store revision 2, not 3`) and the whole batch
 * failed, stalling every saga of its partition.
 *
 * Also: one saga whose input fails (the engine throws, the store refuses the write, the input names
 * another saga type) answers its own failure and never fails the other sagas of the batch.
 * Real Redis; the engine's inputs are built here rather than carried by Kafka (the conformance
 * suite drives the same paths through the consumers).
 */
import { expect } from 'chai';
import { topicNames } from '../../../wire/contract/topics.js';
import {
  createEngine,
  createSagaKit,
  defineSaga,
  type SagaEvent,
  type SagaRecord,
} from '../../../orchestrator/engine/index.js';
import { ManualClock } from '../../../orchestrator/runtime/clock.js';
import {
  SagaEventApplier,
  type ApplyOutcome,
  type SagaEventItem,
  type StepStore,
} from '../../../orchestrator/runtime/saga-event-applier.js';
import { createSagaStore, InvalidRecordError } from '../../../orchestrator/store/index.js';
import { tripSaga } from '../../unit/engine/trip-saga.js';
import { useInfra } from '../../support/infra.js';

/** Two steps in parallel, then a third whose payload throws when step `left` replied `explode`. */
const kit = createSagaKit<{ id: string }>();
const pairSaga = defineSaga<{ id: string }>({
  type: 'pair',
  version: '1',
  input: { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } },
  machine: kit.setup.createMachine({
    id: 'pair',
    context: kit.initialContext,
    initial: 'both',
    on: kit.signals,
    states: {
      both: {
        type: 'parallel',
        states: {
          left: kit.step({
            name: 'left',
            participant: 'p',
            command: 'Left',
            timeoutMs: 5_000,
            retry: { maxAttempts: 2, backoff: { jitter: 0 } },
            payload: ({ input }) => {
              if (input.id.startsWith('explode')) throw new Error('cannot start an exploding pair');
              return { id: input.id };
            },
          }),
          right: kit.step({
            name: 'right',
            participant: 'p',
            command: 'Right',
            timeoutMs: 5_000,
            retry: { maxAttempts: 2, backoff: { jitter: 0 } },
            payload: ({ input }) => ({ id: input.id }),
          }),
        },
        onDone: 'last',
      },
      last: {
        ...kit.step({
          name: 'last',
          participant: 'p',
          command: 'Last',
          timeoutMs: 5_000,
          payload: ({ input, steps }) => {
            if (steps.left?.result?.explode === true) throw new Error('left said explode');
            return { id: input.id };
          },
        }),
        onDone: 'completed',
      },
      ...kit.endStates,
    },
  }),
});

describe('step runner: several inputs of one saga in one batch (real Redis)', function () {
  const infra = useInfra('several-inputs');
  const clock = new ManualClock(1_700_000_000_000);
  const engine = createEngine([tripSaga, pairSaga]);
  let sequence = 0;

  /** A runner on the real store; `refuse` makes the store refuse the writes it matches. */
  function runner(
    options: { recentRecords?: number; refuse?: (record: SagaRecord) => boolean } = {},
  ) {
    const store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: 4 });
    const refusing: StepStore = {
      shardOf: store.shardOf,
      create: (record, write) => store.create(record, write),
      loadEach: (ids) => store.loadEach(ids),
      async commitMany(items) {
        const refused = items.map((item) => options.refuse?.(item.record) ?? false);
        const results = await store.commitMany(items.filter((_, i) => !refused[i]));
        return items.map((item, i) => {
          if (refused[i]) {
            const sagaId = item.record.id;
            return {
              status: 'rejected',
              sagaId,
              error: new InvalidRecordError('refused', { sagaId }),
            };
          }
          const result = results.shift();
          if (!result) throw new Error('commitMany answered too few results');
          return result;
        });
      },
    };
    const applier = new SagaEventApplier({
      engine,
      store: refusing,
      topics: topicNames(infra.prefix),
      clock,
      ...(options.recentRecords !== undefined ? { recentRecords: options.recentRecords } : {}),
    });
    return { runner: applier, store };
  }

  async function start(applier: SagaEventApplier, type: 'trip' | 'pair'): Promise<SagaRecord> {
    sequence += 1;
    const sagaId = `${type}-${sequence}`;
    const input = type === 'trip' ? { tripId: sagaId } : { id: sagaId };
    const outcome = await applier.start(type, { sagaId, input });
    if (outcome.status !== 'started') throw new Error(`not started: ${outcome.status}`);
    return outcome.record;
  }

  /** The success reply to the pending command of `step`. */
  function reply(record: SagaRecord, step: string, payload: Record<string, unknown> = {}) {
    const command = record.pending.find((c) => c.step === step);
    if (!command) throw new Error(`saga ${record.id} waits for no ${step}`);
    const event: SagaEvent = {
      kind: 'reply',
      reply: {
        commandId: command.commandId,
        sagaId: record.id,
        type: command.command,
        outcome: 'success',
        payload: payload,
      },
    };
    return { sagaId: record.id, event } satisfies SagaEventItem;
  }

  function deadline(record: SagaRecord, statePath: string): SagaEventItem {
    const timer = record.timers.find((t) => t.timerId.includes(statePath));
    if (!timer) throw new Error(`saga ${record.id} has no timer for ${statePath}`);
    return {
      sagaId: record.id,
      event: { kind: 'timer', timerId: timer.timerId, dueAt: timer.dueAt },
    };
  }

  /** A record and its history with the saga id taken out, to compare two sagas' paths. */
  async function comparable(store: ReturnType<typeof runner>['store'], sagaId: string) {
    const record = await store.load(sagaId);
    const history = await store.history(sagaId);
    const text = JSON.stringify({ record, history: history.entries });
    return JSON.parse(text.replaceAll(sagaId, '<saga>')) as unknown;
  }

  function statuses(outcomes: readonly ApplyOutcome[]) {
    return outcomes.map((o) => (o.status === 'error' ? `error:${o.code}` : o.status));
  }

  for (const recentRecords of [4096, 0]) {
    const kept = recentRecords > 0 ? 'kept records' : 'loading every saga';
    it(`applies both replies of a parallel state in one batch as in two (${kept})`, async () => {
      const { runner: applier, store } = runner({ recentRecords });
      const together = await start(applier, 'trip');
      const apart = await start(applier, 'trip');

      const outcomes = await applier.applyBatch([
        reply(together, 'bookHotel', { roomId: 'room-7' }),
        reply(together, 'bookFlight', { seatId: 'seat-9' }),
      ]);
      expect(statuses(outcomes)).to.deep.equal(['applied', 'applied']);
      await applier.applyBatch([reply(apart, 'bookHotel', { roomId: 'room-7' })]);
      await applier.applyBatch([reply(apart, 'bookFlight', { seatId: 'seat-9' })]);

      const stored = await store.load(together.id);
      expect(stored?.state).to.equal('charge.attempting');
      expect(stored?.revision).to.equal(3);
      expect(stored?.pending.map((c) => c.command)).to.deep.equal(['Charge']);
      expect(await comparable(store, together.id)).to.deep.equal(await comparable(store, apart.id));
    });
  }

  it('applies both deadlines of a parallel state (one due time) in one poll as in two', async () => {
    const { runner: applier, store } = runner();
    const together = await start(applier, 'pair');
    const apart = await start(applier, 'pair');
    clock.advance(5_000);

    const outcomes = await applier.applyBatch([
      deadline(together, 'both.left'),
      deadline(together, 'both.right'),
    ]);
    expect(statuses(outcomes)).to.deep.equal(['applied', 'applied']);
    await applier.applyBatch([deadline(apart, 'both.left')]);
    await applier.applyBatch([deadline(apart, 'both.right')]);

    const stored = await store.load(together.id);
    expect(stored?.state).to.equal('both.left.retrying,both.right.retrying');
    expect(stored?.revision).to.equal(3);
    expect(await comparable(store, together.id)).to.deep.equal(await comparable(store, apart.id));
  });

  it('a reply the engine throws on fails alone; the rest of the batch is applied', async () => {
    const { runner: applier, store } = runner();
    const broken = await start(applier, 'pair');
    const healthy = await start(applier, 'pair');

    const outcomes = await applier.applyBatch([
      reply(broken, 'right'),
      reply(healthy, 'left'),
      reply(broken, 'left', { explode: true }), // leaving the parallel state runs the throwing payload
      reply(healthy, 'right'),
    ]);

    expect(statuses(outcomes)).to.deep.equal([
      'applied',
      'applied',
      'error:ENGINE_ERROR',
      'applied',
    ]);
    const failure = outcomes[2];
    expect(failure?.status === 'error' && failure.error.message).to.include('left said explode');
    expect((await store.load(healthy.id))?.state).to.equal('last.attempting');
    // The broken saga keeps what was applied before the input that failed.
    const stored = await store.load(broken.id);
    expect(stored?.revision).to.equal(2);
    expect(stored?.state).to.equal('both.left.attempting,both.right.done');
  });

  it('a write the store refuses fails only the input that made it, found one input at a time', async () => {
    const poisoned = (record: SagaRecord) =>
      JSON.stringify(record.snapshot).includes('"poison":true');
    const { runner: applier, store } = runner({ refuse: poisoned });
    const saga = await start(applier, 'pair');
    const other = await start(applier, 'pair');

    const outcomes = await applier.applyBatch([
      reply(saga, 'left'),
      reply(other, 'left'),
      reply(saga, 'right', { poison: true }),
    ]);

    expect(statuses(outcomes)).to.deep.equal(['applied', 'applied', 'error:STORE_REFUSED']);
    const stored = await store.load(saga.id);
    expect(stored?.revision).to.equal(2);
    expect(stored?.state).to.equal('both.left.done,both.right.attempting');
    expect((await store.load(other.id))?.revision).to.equal(2);
  });

  it('a start the definition throws on answers ENGINE_ERROR and writes nothing', async () => {
    const { runner: applier, store } = runner();
    const outcome = await applier.start('pair', {
      sagaId: 'explode-1',
      input: { id: 'explode-1' },
    });
    expect(outcome.status, JSON.stringify(outcome)).to.equal('error');
    expect(outcome.status === 'error' && outcome.code).to.equal('ENGINE_ERROR');
    expect(outcome.status === 'error' && outcome.error.message).to.equal(
      'saga explode-1 (pair v1): the definition threw: cannot start an exploding pair',
    );
    expect(await store.load('explode-1')).to.equal(undefined);
  });

  it('an input whose saga-type header names another type fails with MISMATCH and moves nothing', async () => {
    const { runner: applier, store } = runner();
    const saga = await start(applier, 'trip');
    const outcomes = await applier.applyBatch([
      { ...reply(saga, 'bookHotel'), sagaType: 'order' },
      { ...reply(saga, 'bookFlight'), sagaType: 'trip' },
    ]);
    expect(statuses(outcomes)).to.deep.equal(['error:MISMATCH', 'applied']);
    expect((await store.load(saga.id))?.state).to.equal(
      'booking.hotel.attempting,booking.flight.done',
    );
  });
});
