/**
 * Two regions with the same short deadline and one attempt each: when neither replies, both
 * deadlines are due at the same instant (one timer poll claims both) and the saga compensates
 * both steps (their outcome is unknown).
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
    retry: { maxAttempts: 1 },
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
