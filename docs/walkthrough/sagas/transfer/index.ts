/**
 * The walkthrough's saga (docs/walkthrough/README.md): move money between two accounts of the
 * `ledger` participant. Debit the payer, then credit the payee; when the credit is refused, the
 * debit is refunded.
 *
 * It imports only the package's entry point for definitions, as a definition in its own
 * repository does; the orchestrator loads it from `SAGA_DEFINITIONS_DIR`.
 */
import { createSagaKit, defineSaga, type JsonSchema } from 'saga-orchestrator/definitions';

export interface TransferInput {
  transferId: string;
  from: string;
  to: string;
  amount: number;
}

const kit = createSagaKit<TransferInput>();

/**
 * What the ledger receives and answers: published in `GET /v1/definitions` and `/asyncapi.json`
 * for the participant's team, and checked by the engine (it never sends a payload that breaks
 * its schema; a success reply that breaks its schema is dead-lettered, not applied).
 */
const movement: JsonSchema = {
  type: 'object',
  required: ['transferId', 'account', 'amount'],
  additionalProperties: false,
  properties: {
    transferId: { type: 'string' },
    account: { type: 'string' },
    amount: { type: 'integer', minimum: 1 },
  },
};

const machine = kit.setup.createMachine({
  id: 'transfer',
  context: kit.initialContext,
  initial: 'debit',
  on: kit.signals, // saga.cancel
  states: {
    debit: {
      ...kit.step({
        name: 'debit',
        participant: 'ledger',
        command: 'Debit',
        timeoutMs: 5_000,
        payload: ({ input }) => ({
          transferId: input.transferId,
          account: input.from,
          amount: input.amount,
        }),
        payloadSchema: movement,
        replySchema: {
          type: 'object',
          required: ['debitId'],
          properties: { debitId: { type: 'string' } },
        },
        compensation: {
          command: 'Refund',
          payloadSchema: movement,
          replySchema: {
            type: 'object',
            required: ['refunded'],
            properties: { refunded: { type: 'boolean' } },
          },
          // Runs when the credit is refused, or when the debit's outcome is unknown.
          payload: ({ input }) => ({
            transferId: input.transferId,
            account: input.from,
            amount: input.amount,
          }),
        },
      }),
      onDone: 'credit',
    },
    credit: {
      ...kit.step({
        name: 'credit',
        participant: 'ledger',
        command: 'Credit',
        timeoutMs: 5_000,
        payload: ({ input }) => ({
          transferId: input.transferId,
          account: input.to,
          amount: input.amount,
        }),
        payloadSchema: movement,
        replySchema: {
          type: 'object',
          required: ['creditId'],
          properties: { creditId: { type: 'string' } },
        },
        // The last step: once the payee is credited nothing can fail after it (the lint asks).
        noCompensation: { reason: 'the last step; nothing after it can fail' },
      }),
      onDone: 'completed',
    },
    ...kit.endStates, // compensating, parked, completed, compensated, failed, cancelled
  },
});

export default defineSaga<TransferInput>({
  type: 'transfer',
  version: '1',
  description: 'Debit the payer, credit the payee; refund the payer when the credit is refused',
  machine,
  input: {
    schema: {
      type: 'object',
      required: ['transferId', 'from', 'to', 'amount'],
      additionalProperties: false,
      properties: {
        transferId: { type: 'string', minLength: 1 },
        from: { type: 'string', minLength: 1 },
        to: { type: 'string', minLength: 1 },
        amount: { type: 'integer', minimum: 1 },
      },
    },
  },
});
