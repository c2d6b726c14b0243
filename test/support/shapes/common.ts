/**
 * What the conformance shapes share: their input and how a compensation payload picks an id
 * from the step's reply. Each shape is a folder `<name>/index.ts` default-exporting its
 * definition, so this folder is also a `SAGA_DEFINITIONS_DIR` for a real orchestrator process.
 */
import type { JsonObject } from '../../../wire/contract/messages.js';

/** The input of every conformance shape: a reference, plus the knobs a shape reads. */
export interface ShapeInput {
  ref: string;
  /** trip: the saga-level deadline's length. signal-wait: the approval deadline's length. */
  deadlineMs?: number;
  /** optional-steps: take the optional step. */
  insured?: boolean;
}

export const shapeInputSchema = {
  type: 'object',
  required: ['ref'],
  properties: {
    ref: { type: 'string', minLength: 1 },
    deadlineMs: { type: 'integer', minimum: 1 },
    insured: { type: 'boolean' },
  },
} as const;

/** `{ [key]: id }` when the reply carried a string id under `key`, else nothing. */
export function idFrom(reply: JsonObject | undefined, key: string): JsonObject {
  const id = reply?.[key];
  return typeof id === 'string' ? { [key]: id } : {};
}

/**
 * A deadline for steps whose deadline is not the point of the test: long enough that a loaded
 * two-core machine never times out a healthy step.
 */
export const GENEROUS_TIMEOUT_MS = 30_000;
