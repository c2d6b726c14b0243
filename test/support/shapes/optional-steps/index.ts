/**
 * An optional step chosen by a guard: reserve, then insure only when the input asks for it,
 * then ship. A failure undoes only the steps that ran.
 */
import { createSagaKit, defineSaga } from '../../../../orchestrator/engine/index.js';
import { GENEROUS_TIMEOUT_MS, shapeInputSchema, type ShapeInput } from '../common.js';

const kit = createSagaKit<ShapeInput>();

const step = (name: string, participant: string, command: string, undo?: string) =>
  kit.step({
    name,
    participant,
    command,
    timeoutMs: GENEROUS_TIMEOUT_MS,
    retry: { maxAttempts: 1 },
    payload: ({ input }) => ({ ref: input.ref }),
    ...(undo
      ? { compensation: { command: undo, payload: ({ input }) => ({ ref: input.ref }) } }
      : { noCompensation: { reason: 'the last step: nothing after it can fail' } }),
  });

export const optionalStepsSaga = defineSaga<ShapeInput>({
  type: 'conformance-optional-steps',
  version: '1',
  input: { schema: shapeInputSchema },
  machine: kit.setup
    .extend({ guards: { wantsInsurance: ({ context }) => context.input.insured === true } })
    .createMachine({
      id: 'optionalSteps',
      context: kit.initialContext,
      initial: 'reserve',
      on: kit.signals,
      states: {
        reserve: {
          ...step('reserve', 'inventory', 'Reserve', 'Release'),
          onDone: [{ guard: 'wantsInsurance', target: 'insure' }, { target: 'ship' }],
        },
        insure: { ...step('insure', 'insurance', 'Insure', 'CancelInsurance'), onDone: 'ship' },
        ship: { ...step('ship', 'shipping', 'Ship'), onDone: 'completed' },
        ...kit.endStates,
      },
    }),
});
export default optionalStepsSaga;
