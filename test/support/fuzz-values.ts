/**
 * Values a fuzzer tries where a string, a path segment or a query value goes: odd unicode (lone
 * surrogates, combining marks, right-to-left marks), percent-encodings that do not decode, Latin-1
 * bytes, huge and non-finite numbers. Used by the API fuzzer's request arbitraries.
 */
import fc from 'fast-check';
import type { ParameterSpec } from '../../orchestrator/api/openapi/operations.js';

/**
 * Percent-encodes the UTF-8 bytes of `text` (a lone surrogate becomes U+FFFD, as on any wire),
 * leaving letters, digits and `-._~` as they are. `encodeURIComponent` throws on lone surrogates.
 */
export const percentEncode = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/** Strings a fuzzer should try anywhere a string goes. */
export const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uD800',
    '\uFFFF',
    '\u202E',
    '💥',
    'e\u0301',
    '__proto__',
    'constructor',
    'toString',
    '../../etc/passwd',
    '%',
    '%FF',
    'x'.repeat(10_000),
  ),
);

/** Percent-encodings that do not decode, or decode to something odd. */
export const percentJunk = fc.constantFrom(
  '%',
  '%F',
  '%zz',
  '%FF%FE',
  '%C0%AF',
  '%ED%A0%80',
  '%E2%82',
  '%00',
  '%2F',
  '%2e%2e',
  '%25',
  '%u0041',
  '%%41',
);

/** A path segment: odd unicode percent-encoded, raw junk, or Latin-1 bytes sent as they are. */
export const oddSegment = fc.oneof(
  oddString.filter((s) => s !== '').map((s) => percentEncode(s)),
  fc
    .array(fc.oneof(percentJunk, fc.stringMatching(/^[A-Za-z0-9._:-]{1,5}$/)), {
      minLength: 1,
      maxLength: 4,
    })
    .map((parts) => parts.join('')),
  fc
    .string({ unit: fc.integer({ min: 0xa1, max: 0xff }).map((c) => String.fromCharCode(c)) })
    .filter((s) => s !== ''),
  fc.constantFrom('a'.repeat(201), 'a'.repeat(20_000), '.', '..', 'a;b', 'a,b', '*'),
);

/** Query values for a parameter of this schema that the document does not allow. */
export function badQueryValue(schema: Record<string, unknown>): fc.Arbitrary<string> | undefined {
  if (schema.type === 'integer') {
    return fc.constantFrom(
      'abc',
      '',
      '1.5',
      '-1',
      '1e20',
      '9'.repeat(400),
      'NaN',
      'Infinity',
      '-0x10',
      `${Number(schema.maximum ?? 0) + 1}`,
      '%FF',
      'true',
      '[]',
    );
  }
  if (Array.isArray(schema.enum)) {
    return oddString.filter((s) => !(schema.enum as unknown[]).includes(s)).map(percentEncode);
  }
  // A free string: only the empty one is refused, where there is a minimum length.
  return 'minLength' in schema ? fc.constant('') : undefined;
}

/** Query values the document allows (bounded so a long poll stays short). */
export function goodQueryValue(parameter: ParameterSpec): fc.Arbitrary<string> {
  const schema = parameter.schema as Record<string, unknown>;
  if (parameter.name === 'timeoutMs') return fc.integer({ min: 0, max: 20 }).map(String);
  if (schema.type === 'integer') {
    return fc
      .integer({ min: Number(schema.minimum ?? 0), max: Number(schema.maximum ?? 1000) })
      .map(String);
  }
  if (schema.type === 'boolean') return fc.constantFrom('true', 'false');
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as string[]));
  const minLength = Number(schema.minLength ?? 0);
  const maxLength = Number(schema.maxLength ?? Infinity);
  return oddString
    .filter((s) => [...s].length >= minLength && s.length <= maxLength)
    .map(percentEncode);
}

/** A JSON value of any shape, odd strings and numbers included. */
export const anyJson = fc.jsonValue({ maxDepth: 3 });
