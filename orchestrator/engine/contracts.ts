/**
 * The command contracts of a definition, compiled once per machine: the engine checks every
 * command payload it sends against its step's `payloadSchema` and every success reply it applies
 * against its `replySchema` (see `vocabulary/contract.ts`).
 *
 * - A payload that does not match is a definition bug: `COMMAND_INVALID`, thrown, nothing sent.
 *   The author's tests (the simulator runs this engine) find it before a participant does.
 * - A success reply that does not match is the participant's bug: `REPLY_INVALID`, thrown, the
 *   reply not applied. The runtime dead-letters it with `SCHEMA_INVALID`; the step keeps waiting
 *   and its deadline, retries and (outcome unknown) compensation take over — never moving the saga
 *   on data it cannot trust, and never forgetting that the action may have happened.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { AnyStateMachine } from 'xstate';
import { describeErrors, type JsonObject } from '../../wire/contract/index.js';
import { SagaEngineError } from './errors.js';
import type { JsonSchema, MessageContract } from './vocabulary/contract.js';
import { sagaStepsOf } from './vocabulary/introspect.js';

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });

interface CompiledMessage {
  command: string;
  participant: string;
  payload: ValidateFunction | null;
  reply: ValidateFunction | null;
}

type Kind = 'action' | 'compensation';

/** Validators by `<kind>:<step>`. */
export type CompiledContracts = ReadonlyMap<string, CompiledMessage>;

const compiledByMachine = new WeakMap<AnyStateMachine, CompiledContracts>();

/**
 * What the engine sends must be all the schema says: the author's schema, and no top-level
 * property it does not declare (`unevaluatedProperties` sees through `allOf`).
 */
const sentPayload = (schema: JsonSchema) => ({
  type: 'object',
  allOf: [schema],
  unevaluatedProperties: false,
});

function compile(
  where: string,
  schema: JsonSchema | null,
  wrap: (s: JsonSchema) => object = (s) => s,
): ValidateFunction | null {
  if (schema === null) return null;
  try {
    return ajv.compile(wrap(schema));
  } catch (error) {
    throw new Error(`${where}: not a usable JSON Schema: ${(error as Error).message}`);
  }
}

function compileMessage(
  where: string,
  contract: MessageContract | null | undefined,
  participant: string,
  command: string,
): CompiledMessage {
  return {
    command,
    participant,
    payload: compile(`${where} payloadSchema`, contract?.payload ?? null, sentPayload),
    reply: compile(`${where} replySchema`, contract?.reply ?? null),
  };
}

/**
 * Compiles (once per machine) the schemas of every step; throws at load when one is not a usable
 * JSON Schema, naming the saga and the step.
 */
export function contractsOf(machine: AnyStateMachine): CompiledContracts {
  const cached = compiledByMachine.get(machine);
  if (cached) return cached;
  const compiled = new Map<string, CompiledMessage>();
  for (const step of sagaStepsOf(machine)) {
    const where = `saga "${machine.id}" step "${step.step}"`;
    // Optional chaining: a step meta written by hand (not by `sagaStep`) may have no contract.
    const contract = (step as { contract?: typeof step.contract }).contract;
    compiled.set(
      `action:${step.step}`,
      compileMessage(where, contract?.command, step.participant, step.command),
    );
    if (step.compensation) {
      compiled.set(
        `compensation:${step.step}`,
        compileMessage(
          `${where} compensation`,
          contract?.compensation,
          step.compensation.participant,
          step.compensation.command,
        ),
      );
    }
  }
  compiledByMachine.set(machine, compiled);
  return compiled;
}

/** ajv's errors in one line; a property the schema does not declare is named. */
function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) =>
      e.keyword === 'unevaluatedProperties'
        ? `${e.instancePath || '(root)'} has property "${String(e.params.unevaluatedProperty)}" the schema does not declare`
        : describeErrors([e]),
    )
    .join('; ');
}

interface Checked {
  sagaType: string;
  sagaId: string;
  step: string;
  kind: Kind;
  payload: JsonObject;
}

const label = (kind: Kind, message: CompiledMessage) =>
  `${kind === 'compensation' ? 'compensation ' : ''}${message.participant}.${message.command}`;

/** Throws `COMMAND_INVALID` when a command's payload does not match its step's schema. */
export function checkCommandPayload(machine: AnyStateMachine, checked: Checked): void {
  const message = contractsOf(machine).get(`${checked.kind}:${checked.step}`);
  if (!message?.payload || message.payload(checked.payload)) return;
  throw new SagaEngineError(
    'COMMAND_INVALID',
    `saga type ${checked.sagaType}, step ${checked.step}: the ${label(checked.kind, message)} ` +
      `payload does not match its payloadSchema: ${describe(message.payload.errors)} ` +
      `(saga ${checked.sagaId})`,
    checked.sagaId,
    checked.step,
  );
}

/** Throws `REPLY_INVALID` when a success reply's payload does not match its step's schema. */
export function checkReplyPayload(machine: AnyStateMachine, checked: Checked): void {
  const message = contractsOf(machine).get(`${checked.kind}:${checked.step}`);
  if (!message?.reply || message.reply(checked.payload)) return;
  throw new SagaEngineError(
    'REPLY_INVALID',
    `saga type ${checked.sagaType}, step ${checked.step}: the success reply to ` +
      `${label(checked.kind, message)} does not match its replySchema: ` +
      `${describe(message.reply.errors)} (saga ${checked.sagaId})`,
    checked.sagaId,
    checked.step,
  );
}
