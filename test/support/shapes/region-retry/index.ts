/**
 * A retry with backoff inside a region: the hotel region retries a retryable failure (up to 3
 * attempts, 200 ms then 400 ms, no jitter) on its own clock while the flight region completes.
 */
import { createSagaKit, defineSaga } from '../../../../orchestrator/engine/index.js';
import { GENEROUS_TIMEOUT_MS, shapeInputSchema, type ShapeInput } from '../common.js';

export const REGION_RETRY_BACKOFF = { initialDelayMs: 200, multiplier: 2, jitter: 0 } as const;

const kit = createSagaKit<ShapeInput>();

export const regionRetrySaga = defineSaga<ShapeInput>({
  type: 'conformance-region-retry',
  version: '1',
  input: { schema: shapeInputSchema },
  machine: kit.setup.createMachine({
    id: 'regionRetry',
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
            retry: { maxAttempts: 3, backoff: REGION_RETRY_BACKOFF },
            payload: ({ input }) => ({ ref: input.ref }),
            compensation: { command: 'CancelRoom', payload: ({ input }) => ({ ref: input.ref }) },
          }),
          flight: kit.step({
            name: 'bookFlight',
            participant: 'flights',
            command: 'BookSeat',
            timeoutMs: GENEROUS_TIMEOUT_MS,
            retry: { maxAttempts: 1 },
            payload: ({ input }) => ({ ref: input.ref }),
            compensation: { command: 'CancelSeat', payload: ({ input }) => ({ ref: input.ref }) },
          }),
        },
        onDone: 'completed',
      },
      ...kit.endStates,
    },
  }),
});
export default regionRetrySaga;
