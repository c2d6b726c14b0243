/**
 * Step contracts in the engine: a command payload that does not match its step's `payloadSchema`
 * is a clear `COMMAND_INVALID` (nothing is sent), a success reply that does not match its
 * `replySchema` is `REPLY_INVALID` (not applied), and a schema that does not compile is refused
 * when the definition is built.
 */
import { expect } from 'chai';
import {
  createEngine,
  createSagaKit,
  defineSaga,
  describeDefinition,
  SagaEngineError,
  type JsonSchema,
} from '../../../orchestrator/engine/index.js';
import { simulateSaga, successReply } from '../../../orchestrator/engine/testing/index.js';

interface ChargeInput {
  accountId: string;
  amount: number;
  /** Sent as the command's `note` when present: lets a test send a property the schema lacks. */
  note?: string;
}

const chargeSchema: JsonSchema = {
  type: 'object',
  required: ['accountId', 'amount'],
  properties: { accountId: { type: 'string' }, amount: { type: 'number', minimum: 0 } },
};

function chargeSaga(options: {
  payload?: (input: ChargeInput) => Record<string, string | number>;
  refundPayload?: (input: ChargeInput) => Record<string, string | number>;
  payloadSchema?: JsonSchema;
}) {
  const kit = createSagaKit<ChargeInput>();
  const machine = kit.setup.createMachine({
    id: 'charge',
    context: kit.initialContext,
    initial: 'charge',
    on: kit.signals,
    states: {
      charge: {
        ...kit.step({
          name: 'charge',
          participant: 'payment',
          command: 'Charge',
          timeoutMs: 1_000,
          retry: { maxAttempts: 1 },
          payloadSchema: options.payloadSchema ?? chargeSchema,
          replySchema: {
            type: 'object',
            required: ['chargeId'],
            properties: { chargeId: { type: 'string', minLength: 1 } },
          },
          payload: ({ input }) =>
            options.payload?.(input) ?? { accountId: input.accountId, amount: input.amount },
          compensation: {
            command: 'Refund',
            payloadSchema: chargeSchema,
            payload: ({ input }) =>
              options.refundPayload?.(input) ?? {
                accountId: input.accountId,
                amount: input.amount,
              },
          },
        }),
        onDone: 'completed',
      },
      ...kit.endStates,
    },
  });
  return defineSaga<ChargeInput>({
    type: 'charge',
    version: '1',
    machine,
    input: { schema: chargeSchema },
  });
}

const input: ChargeInput = { accountId: 'acc-1', amount: 12 };

function engineError(run: () => unknown): SagaEngineError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(SagaEngineError);
    return error as SagaEngineError;
  }
  throw new Error('expected a SagaEngineError');
}

describe('engine: step contracts (payload and reply schemas)', () => {
  it('sends a payload that matches its schema', () => {
    const sim = simulateSaga(chargeSaga({}), input);
    expect(sim.commands()[0]?.payload).to.deep.equal({ accountId: 'acc-1', amount: 12 });
  });

  it('refuses to send a payload that misses a required field, naming saga type, step, command and the error', () => {
    const saga = chargeSaga({ payload: ({ accountId }) => ({ accountId }) });
    const error = engineError(() =>
      createEngine([saga]).start('charge', { sagaId: 's-1', input, now: 0 }),
    );
    expect(error.code).to.equal('COMMAND_INVALID');
    expect(error.step).to.equal('charge');
    expect(error.sagaId).to.equal('s-1');
    expect(error.message).to.include('saga type charge, step charge');
    expect(error.message).to.include('payment.Charge');
    expect(error.message).to.include('must have property "amount"');
  });

  it('refuses a top-level property the schema does not declare (the published schema is the whole payload)', () => {
    const saga = chargeSaga({
      payload: ({ accountId, amount, note }) => ({ accountId, amount, note: note ?? '' }),
    });
    const error = engineError(() => simulateSaga(saga, { ...input, note: 'x' }));
    expect(error.code).to.equal('COMMAND_INVALID');
    expect(error.message).to.include('has property "note" the schema does not declare');
  });

  it('checks a compensation’s payload when it is sent', () => {
    const saga = chargeSaga({ refundPayload: ({ accountId }) => ({ accountId, amount: -1 }) });
    const sim = simulateSaga(saga, input);
    const error = engineError(() => sim.signal({ type: 'saga.cancel' }));
    expect(error.code).to.equal('COMMAND_INVALID');
    expect(error.message).to.include('compensation payment.Refund');
    expect(error.message).to.include('/amount must be >= 0');
  });

  it('does not apply a success reply whose payload does not match its reply schema', () => {
    const sim = simulateSaga(chargeSaga({}), input);
    const before = sim.record;
    const command = sim.pendingCommand('charge');
    const error = engineError(() =>
      createEngine([chargeSaga({})]).apply(
        before,
        { kind: 'reply', reply: successReply(command, before.id, { chargeId: 7 }) },
        1,
      ),
    );
    expect(error.code).to.equal('REPLY_INVALID');
    expect(error.message).to.include('reply to payment.Charge');
    expect(error.message).to.include('/chargeId must be string');
    // The same reply with good data completes the saga: the schema was the only obstacle.
    expect(sim.succeed('charge', { chargeId: 'ch-1' }).outcome).to.equal('applied');
    expect(sim.status).to.equal('completed');
  });

  it('does not check a failure reply against the reply schema', () => {
    const sim = simulateSaga(chargeSaga({}), input);
    sim.fail('charge', { code: 'DECLINED' });
    expect(sim.status).to.equal('compensated');
  });

  it('refuses a schema that does not compile when the definition is built', () => {
    expect(() => chargeSaga({ payloadSchema: { type: 'object', required: 'amount' } })).to.throw(
      /saga "charge" step "charge" payloadSchema: not a usable JSON Schema/,
    );
  });

  it('publishes the schemas in the step’s description (null where none was declared)', () => {
    const [step] = describeDefinition(chargeSaga({})).steps;
    expect(step?.contract.command.payload).to.deep.equal(chargeSchema);
    expect(step?.contract.command.reply)
      .to.have.property('required')
      .that.deep.equals(['chargeId']);
    expect(step?.contract.compensation).to.deep.equal({ payload: chargeSchema, reply: null });
  });
});
