/**
 * JSON without copies. A persisted snapshot is JSON text only once, when the store writes it:
 * the engine keeps the persisted object by reference (XState's `assign` builds a new context and
 * never changes the old one) and the store asks {@link jsonTextOf} for its text, which is
 * stringified once, on first ask, and remembered. Values the engine hands out are made of plain
 * JSON already ({@link asJson}): a deep copy through JSON on every step would change nothing but
 * the CPU and garbage it costs (the bench's profile had it first; see docs/benchmarks.md).
 *
 * Only values that nobody changes afterwards may be remembered: records are immutable once made,
 * and the testing kit checks that a definition does not change the context it is given
 * (testing/simulator.ts).
 */

/** A value registered with {@link rememberJsonText}: its text once asked for, and its origin. */
interface Remembered {
  text: string | undefined;
  origin: unknown;
}

/**
 * Where a registered value keeps its {@link Remembered}: on itself, under a private symbol that is
 * not enumerable, so JSON, spreads, key listings and deep equality never see it (a spread copy is
 * not registered). A WeakMap would do the same, but every entry of one is work for each scavenge
 * of the garbage collector, one entry per step: side by side, 10-15 % of the engine's CPU.
 */
const REMEMBERED = Symbol('rememberedJsonText');

type Registered = { [REMEMBERED]?: Remembered };

/**
 * Marks `value` as immutable JSON whose text {@link jsonTextOf} may stringify once and remember,
 * with `origin`, what it was made from ({@link rememberedOrigin}). Returns `value` itself.
 */
export function rememberJsonText<T extends object>(value: T, origin?: unknown): T {
  const remembered: Remembered = { text: undefined, origin };
  Object.defineProperty(value, REMEMBERED, { value: remembered });
  return value;
}

/** What a value registered with {@link rememberJsonText} was made from. */
export function rememberedOrigin(value: object): unknown {
  return (value as Registered)[REMEMBERED]?.origin;
}

/** The JSON text of a value: remembered for a value registered above, else `JSON.stringify`. */
export function jsonTextOf(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    const remembered = (value as Registered)[REMEMBERED];
    if (remembered) return (remembered.text ??= JSON.stringify(value));
  }
  return JSON.stringify(value);
}

/** A deep copy through JSON: what a value becomes once stored and read back. */
export function toJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Nesting past this is treated as not plain (a cycle, say): `toJson` then decides, or throws. */
const MAX_DEPTH = 200;

/**
 * Where `value` is not plain JSON — the first place a trip through JSON would change it (an
 * `undefined` or a function, a `Date` or another class instance, `NaN`, `-0`, a hole in an
 * array) — as a path like `$.steps.pay.at`; `undefined` when the trip changes nothing.
 */
export function jsonInstability(value: unknown): string | undefined {
  const at = unstableAt(value, 0);
  if (at === undefined) return undefined;
  return `$${at
    .reverse()
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`))
    .join('')}`;
}

/** The path (innermost key first) to the first value JSON would change; allocates only then. */
function unstableAt(value: unknown, depth: number): (string | number)[] | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? undefined : [];
    case 'object':
      break;
    default:
      return []; // undefined, function, symbol, bigint
  }
  if (value === null) return undefined;
  if (depth >= MAX_DEPTH) return [];
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return [];
    for (let i = 0; i < value.length; i++) {
      const inner = unstableAt(value[i], depth + 1);
      if (inner !== undefined) {
        inner.push(i);
        return inner;
      }
    }
    return undefined;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return [];
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return [];
  for (const key in value) {
    const inner = unstableAt((value as Record<string, unknown>)[key], depth + 1);
    if (inner !== undefined) {
      inner.push(key);
      return inner;
    }
  }
  return undefined;
}

/**
 * `value` itself when it is plain JSON (a trip through JSON would change nothing), else its deep
 * copy through JSON. For values the engine hands out that nobody changes afterwards: checking
 * allocates nothing, copying allocates the whole value again.
 */
export function asJson<T>(value: T): T {
  return jsonInstability(value) === undefined ? value : toJson(value);
}
