/**
 * A saga's signals: the external events it accepts (e.g. `order.approve`), each with a JSON Schema
 * (draft 2020-12) of the event's fields besides `type` and a description. Declared in `defineSaga`
 * (`signals`), checked by the engine before a signal reaches the statechart (see
 * `../signals.ts`) and published by `GET /v1/definitions/:type`.
 *
 * A signal type the definition declares no schema for is sent to the statechart unchecked, as
 * before signals were declared.
 */
import type { JsonSchema } from './contract.js';

/** One signal as the architect declares it, by event type. */
export interface SignalDeclaration {
  /** What the event means, for operators (the console shows it beside the payload editor). */
  description: string;
  /**
   * The event's fields besides `type`, as a JSON Schema of an object. Say
   * `additionalProperties: false` to refuse fields the saga does not read.
   */
  schema: JsonSchema;
}

/**
 * A definition's signals by event type (e.g. `order.approve`), as declared and as published: the
 * same shape in `defineSaga` options, on the `SagaDefinition` and in `GET /v1/definitions/:type`.
 */
export type SignalContracts = Readonly<Record<string, SignalDeclaration>>;
