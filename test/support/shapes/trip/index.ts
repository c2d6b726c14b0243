/**
 * The trip: book a hotel and a flight in parallel, then charge the customer, all under one
 * saga-level deadline (`kit.deadline`). The worked example of sagas/README.md is this file.
 */
import { createSagaKit, defineSaga } from '../../../../orchestrator/engine/index.js';
import { GENEROUS_TIMEOUT_MS, idFrom, shapeInputSchema, type ShapeInput } from '../common.js';

/** The whole trip must be booked and paid within this, unless the input says otherwise. */
export const TRIP_DEADLINE_MS = 5 * 60_000;

const kit = createSagaKit<ShapeInput>();

export const tripMachine = kit.setup.createMachine({
  id: 'trip',
  context: kit.initialContext,
  initial: 'booking',
  on: kit.signals, // saga.cancel
  states: {
    booking: kit.deadline(
      // One durable timer, `saga.deadline.trip`, armed when `booking` is entered.
      { name: 'trip', ms: ({ input }) => input.deadlineMs ?? TRIP_DEADLINE_MS },
      {
        initial: 'reserving',
        states: {
          reserving: {
            type: 'parallel', // both commands go out at once
            states: {
              hotel: kit.step({
                name: 'bookHotel',
                participant: 'hotels',
                command: 'BookRoom',
                timeoutMs: GENEROUS_TIMEOUT_MS,
                retry: { maxAttempts: 2, backoff: { initialDelayMs: 500 } },
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
                retry: { maxAttempts: 2, backoff: { initialDelayMs: 500 } },
                payload: ({ input }) => ({ ref: input.ref }),
                compensation: {
                  command: 'CancelSeat',
                  payload: ({ input }, reply) => ({ ref: input.ref, ...idFrom(reply, 'seatId') }),
                },
              }),
            },
            onDone: 'charging', // when both regions are done
          },
          charging: {
            ...kit.step({
              name: 'charge',
              participant: 'payment',
              command: 'Charge',
              timeoutMs: GENEROUS_TIMEOUT_MS,
              payload: ({ input, steps }) => ({
                ref: input.ref,
                ...idFrom(steps.bookHotel?.result, 'roomId'),
                ...idFrom(steps.bookFlight?.result, 'seatId'),
              }),
              compensation: {
                command: 'Refund',
                payload: ({ input }, reply) => ({ ref: input.ref, ...idFrom(reply, 'chargeId') }),
              },
            }),
            onDone: 'booked',
          },
          booked: { type: 'final' },
        },
        onDone: 'completed', // leaving `booking` cancels the deadline's timer
      },
    ),
    ...kit.endStates,
  },
});

export const tripSaga = defineSaga<ShapeInput>({
  type: 'trip',
  version: '1',
  machine: tripMachine,
  input: { schema: shapeInputSchema },
});
export default tripSaga;
