/**
 * Input validation for a definition, from a JSON Schema (draft 2020-12) compiled once with ajv.
 * Errors read as `/items/0/quantity must be >= 1`, one string per problem.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { InputCheck } from '../types.js';

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });

function describe(error: ErrorObject): string {
  const where = error.instancePath || '(input)';
  switch (error.keyword) {
    case 'required':
      return `${where} must have property "${String(error.params.missingProperty)}"`;
    case 'additionalProperties':
      return `${where} has unknown property "${String(error.params.additionalProperty)}"`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * Compiles `schema` and returns a `checkInput` for a `SagaDefinition`. `refine` adds checks a
 * schema cannot say (sums, cross-field rules); it returns error strings.
 */
export function inputChecker<TInput>(
  schema: Record<string, unknown>,
  refine?: (input: TInput) => string[],
): (input: unknown) => InputCheck<TInput> {
  const validate = ajv.compile<TInput>(schema);
  return (input) => {
    if (!validate(input)) {
      return { ok: false, errors: (validate.errors ?? []).map(describe) };
    }
    const errors = refine ? refine(input) : [];
    return errors.length > 0 ? { ok: false, errors } : { ok: true, value: input };
  };
}
