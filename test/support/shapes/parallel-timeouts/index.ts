/**
 * Two regions with the same short deadline and two attempts each: when neither replies, both
 * deadlines are due at the same instant (one timer poll claims both) and both are applied — each
 * region schedules its retry (the same backoff, no jitter: the retries and their deadlines are due
 * together again). When the second deadlines pass the saga compensates both steps (their outcome
 * is unknown); the second of those two deadlines finds its timer cancelled and changes nothing.
 */
import { createSagaKit, defineSaga } from '../../../../orchestrator/engine/index.js';
import { shapeInputSchema, type ShapeInput } from '../common.js';

/** Short: the deadline is the point of this shape. */
export const PARALLEL_STEP_TIMEOUT_MS = 2_000;

const kit = createSagaKit<ShapeInput>();

const region = (name: string, participant: string, command: string, undo: string) =>
  kit.step({
    name,
    participant,
    command,
    timeoutMs: PARALLEL_STEP_TIMEOUT_MS,
    retry: { maxAttempts: 2, backoff: { initialDelayMs: 100, jitter: 0 } },
    payload: ({ input }) => ({ ref: input.ref }),
    compensation: { command: undo, payload: ({ input }) => ({ ref: input.ref }) },
  });

export const parallelTimeoutsSaga = defineSaga<ShapeInput>({
  type: 'conformance-parallel-timeouts',
  version: '1',
  input: { schema: shapeInputSchema },
  machine: kit.setup.createMachine({
    id: 'parallelTimeouts',
    context: kit.initialContext,
    initial: 'booking',
    on: kit.signals,
    states: {
      booking: {
        type: 'parallel',
        states: {
          hotel: region('bookHotel', 'hotels', 'BookRoom', 'CancelRoom'),
          flight: region('bookFlight', 'flights', 'BookSeat', 'CancelSeat'),
        },
        onDone: 'completed',
      },
      ...kit.endStates,
    },
  }),
});
export default parallelTimeoutsSaga;
