/**
 * A small saga that parks within seconds, for the telemetry run: `hold` succeeds, `refuse` fails
 * for good, and the compensation of `hold` goes to `ghost`, a participant nobody runs, so it times
 * out until the saga parks. Plus the `probe` participant that answers `Hold` and `Refuse`.
 */
import { createSagaKit, defineSaga } from '../../../../orchestrator/engine/index.js';
import { BusinessError, defineParticipant } from '../../../../participants/sdk/index.js';

interface ProbeInput {
  probeId: string;
}

const kit = createSagaKit<ProbeInput>();

const machine = kit.setup.createMachine({
  id: 'probe',
  context: kit.initialContext,
  initial: 'hold',
  on: kit.signals,
  states: {
    hold: {
      ...kit.step({
        name: 'hold',
        participant: 'probe',
        command: 'Hold',
        timeoutMs: 10_000,
        payload: ({ input }) => ({ probeId: input.probeId }),
        compensation: {
          participant: 'ghost',
          command: 'Release',
          timeoutMs: 600,
          maxAttempts: 2,
          backoff: { initialDelayMs: 100, jitter: 0 },
          payload: ({ input }) => ({ probeId: input.probeId }),
        },
      }),
      onDone: 'refuse',
    },
    refuse: {
      ...kit.step({
        name: 'refuse',
        participant: 'probe',
        command: 'Refuse',
        timeoutMs: 10_000,
        payload: ({ input }) => ({ probeId: input.probeId }),
      }),
      onDone: 'completed',
    },
    ...kit.endStates,
  },
});

export const probeSaga = defineSaga<ProbeInput>({
  type: 'probe',
  version: '1',
  machine,
  input: {
    schema: {
      type: 'object',
      required: ['probeId'],
      properties: { probeId: { type: 'string' } },
      additionalProperties: false,
    },
  },
});

export const probeParticipant = defineParticipant({
  name: 'probe',
  handlers: {
    Hold: async () => ({ held: true }),
    Refuse: async () => {
      throw new BusinessError('REFUSED', 'the probe always refuses');
    },
  },
});
