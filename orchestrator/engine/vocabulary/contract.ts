/**
 * A step's command contract: JSON Schemas (draft 2020-12) of the payload it sends and of the data a
 * success reply carries, for its action and its compensation. Declared on the step
 * (`payloadSchema`, `replySchema`), carried in the step's `meta.saga.contract`, so the engine
 * validates with them, `GET /v1/definitions` publishes them and the AsyncAPI document describes
 * each command's message with them.
 *
 * Schemas are optional: a step without them sends and accepts any object, and is published as such
 * (`null`). With a `payloadSchema`, what the engine sends must validate — and must not hold a
 * top-level property the schema does not declare, so the published schema is the whole payload.
 */

/** A JSON Schema (draft 2020-12) as a plain JSON object. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** The schemas a step (or its compensation) may declare. */
export interface ContractSchemas {
  /** What the command's `payload` holds; the engine refuses to send one that does not match. */
  payloadSchema?: JsonSchema;
  /**
   * What a success reply's `payload` holds. A success reply that does not match is not applied:
   * the orchestrator dead-letters it (`SCHEMA_INVALID`) and the step waits for its deadline.
   */
  replySchema?: JsonSchema;
}

/** One command's schemas; `null` where none was declared. */
export interface MessageContract {
  payload: JsonSchema | null;
  reply: JsonSchema | null;
}

/** The contract in a step's meta: its action, and its compensation when it has one. */
export interface StepContract {
  command: MessageContract;
  compensation: MessageContract | null;
}

const messageContract = (schemas: ContractSchemas): MessageContract => ({
  payload: schemas.payloadSchema ?? null,
  reply: schemas.replySchema ?? null,
});

/** The contract of a step built from its options. */
export function stepContractOf(
  step: ContractSchemas & { compensation?: ContractSchemas | undefined },
): StepContract {
  return {
    command: messageContract(step),
    compensation: step.compensation ? messageContract(step.compensation) : null,
  };
}
