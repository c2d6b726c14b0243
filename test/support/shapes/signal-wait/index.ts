/**
 * A signal wait with its own deadline: reserve, then wait for `conformance.approve` (an operator's
 * signal) at most `deadlineMs`, then ship. No approval in time: the reservation is released.
 */
import { createSagaKit, defineSaga } from '../../../../orchestrator/engine/index.js';
import { GENEROUS_TIMEOUT_MS, shapeInputSchema, type ShapeInput } from '../common.js';

export const APPROVE_SIGNAL = 'conformance.approve';
/** The approval deadline's failure code. */
export const APPROVAL_TIMED_OUT = 'APPROVAL_TIMED_OUT';

const kit = createSagaKit<ShapeInput, { type: typeof APPROVE_SIGNAL }>();

export const signalWaitSaga = defineSaga<ShapeInput>({
  type: 'conformance-signal-wait',
  version: '1',
  input: { schema: shapeInputSchema },
  machine: kit.setup.createMachine({
    id: 'signalWait',
    context: kit.initialContext,
    initial: 'reserve',
    on: kit.signals,
    states: {
      reserve: {
        ...kit.step({
          name: 'reserve',
          participant: 'inventory',
          command: 'Reserve',
          timeoutMs: GENEROUS_TIMEOUT_MS,
          retry: { maxAttempts: 1 },
          payload: ({ input }) => ({ ref: input.ref }),
          compensation: { command: 'Release', payload: ({ input }) => ({ ref: input.ref }) },
        }),
        onDone: 'awaitingApproval',
      },
      awaitingApproval: kit.deadline(
        {
          name: 'approval',
          ms: ({ input }) => input.deadlineMs ?? 60_000,
          code: APPROVAL_TIMED_OUT,
        },
        { on: { [APPROVE_SIGNAL]: 'ship' } },
      ),
      ship: {
        ...kit.step({
          name: 'ship',
          participant: 'shipping',
          command: 'Ship',
          timeoutMs: GENEROUS_TIMEOUT_MS,
          retry: { maxAttempts: 1 },
          noCompensation: { reason: 'the last step: nothing after it can fail' },
          payload: ({ input }) => ({ ref: input.ref }),
        }),
        onDone: 'completed',
      },
      ...kit.endStates,
    },
  }),
});
export default signalWaitSaga;
