/** A small saga with a parallel state, for the engine's tests: book a hotel and a flight at once, then charge. */
import { createSagaKit, defineSaga } from '../../../orchestrator/engine/index.js';

export interface TripInput {
  tripId: string;
}

const kit = createSagaKit<TripInput>();

/** The step contracts: every payload carries the trip, and may carry the ids replies gave. */
const tripId = { type: 'string', minLength: 1 };
const payloadWith = (...ids: string[]) => ({
  type: 'object',
  required: ['tripId'],
  properties: { tripId, ...Object.fromEntries(ids.map((id) => [id, { type: 'string' }])) },
});
const replyWith = (id: string) => ({ type: 'object', properties: { [id]: { type: 'string' } } });

const idFrom = (reply: Record<string, unknown> | undefined, key: string) => {
  const id = reply?.[key];
  return typeof id === 'string' ? { [key]: id } : {};
};

export const tripMachine = kit.setup.createMachine({
  id: 'trip',
  context: kit.initialContext,
  initial: 'booking',
  on: kit.signals,
  states: {
    booking: {
      type: 'parallel',
      states: {
        hotel: kit.step({
          name: 'bookHotel',
          participant: 'hotels',
          command: 'BookRoom',
          timeoutMs: 5_000,
          retry: { maxAttempts: 2, backoff: { initialDelayMs: 1_000, jitter: 0 } },
          payload: ({ input }) => ({ tripId: input.tripId }),
          payloadSchema: payloadWith(),
          replySchema: replyWith('roomId'),
          compensation: {
            command: 'CancelRoom',
            payloadSchema: payloadWith('roomId'),
            payload: ({ input }, reply) => ({ tripId: input.tripId, ...idFrom(reply, 'roomId') }),
          },
        }),
        flight: kit.step({
          name: 'bookFlight',
          participant: 'flights',
          command: 'BookSeat',
          timeoutMs: 8_000,
          retry: { maxAttempts: 2 },
          payload: ({ input }) => ({ tripId: input.tripId }),
          payloadSchema: payloadWith(),
          replySchema: replyWith('seatId'),
          compensation: {
            command: 'CancelSeat',
            payloadSchema: payloadWith('seatId'),
            payload: ({ input }, reply) => ({ tripId: input.tripId, ...idFrom(reply, 'seatId') }),
          },
        }),
      },
      onDone: 'charge',
    },
    charge: {
      ...kit.step({
        name: 'charge',
        participant: 'payment',
        command: 'Charge',
        timeoutMs: 5_000,
        payloadSchema: payloadWith('roomId', 'seatId'),
        payload: ({ input, steps }) => ({
          tripId: input.tripId,
          ...idFrom(steps.bookHotel?.result, 'roomId'),
          ...idFrom(steps.bookFlight?.result, 'seatId'),
        }),
      }),
      onDone: 'completed',
    },
    ...kit.endStates,
  },
});

export const tripSaga = defineSaga<TripInput>({
  type: 'trip',
  version: '1',
  machine: tripMachine,
  input: {
    schema: {
      type: 'object',
      required: ['tripId'],
      properties: { tripId: { type: 'string', minLength: 1 } },
    },
  },
});
