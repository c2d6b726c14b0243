/**
 * Parallel fork/join: book a hotel and a flight at once (two regions), then charge.
 *
 * ```
 * booking (parallel) ─┬ hotel:  bookHotel  (hotels.BookRoom, undo CancelRoom)  ─┐
 *                     └ flight: bookFlight (flights.BookSeat, undo CancelSeat) ─┴▶ charge ─▶ completed
 * ```
 * One attempt per step: a refusal or a deadline fails the step at once.
 */
import { createSagaKit, defineSaga } from '../../../../orchestrator/engine/index.js';
import { GENEROUS_TIMEOUT_MS, idFrom, shapeInputSchema, type ShapeInput } from '../common.js';

const kit = createSagaKit<ShapeInput>();

export const forkJoinSaga = defineSaga<ShapeInput>({
  type: 'conformance-fork-join',
  version: '1',
  input: { schema: shapeInputSchema },
  machine: kit.setup.createMachine({
    id: 'forkJoin',
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
            timeoutMs: GENEROUS_TIMEOUT_MS,
            retry: { maxAttempts: 1 },
            payload: ({ input }) => ({ ref: input.ref }),
            compensation: {
              command: 'CancelRoom',
              payload: ({ input }, reply) => ({ ref: input.ref, ...idFrom(reply, 'roomId') }),
            },
          }),
          flight: kit.step({
            name: 'bookFlight',
            participant: 'flights',
            command: 'BookSeat',
            timeoutMs: GENEROUS_TIMEOUT_MS,
            retry: { maxAttempts: 1 },
            payload: ({ input }) => ({ ref: input.ref }),
            compensation: {
              command: 'CancelSeat',
              payload: ({ input }, reply) => ({ ref: input.ref, ...idFrom(reply, 'seatId') }),
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
          timeoutMs: GENEROUS_TIMEOUT_MS,
          retry: { maxAttempts: 1 },
          noCompensation: { reason: 'the last step: nothing after it can fail' },
          payload: ({ input, steps }) => ({
            ref: input.ref,
            ...idFrom(steps.bookHotel?.result, 'roomId'),
            ...idFrom(steps.bookFlight?.result, 'seatId'),
          }),
        }),
        onDone: 'completed',
      },
      ...kit.endStates,
    },
  }),
});
export default forkJoinSaga;
