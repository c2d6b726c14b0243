/**
 * A persisted snapshot is JSON twice on its way to Redis: deep-copied through JSON by the engine
 * (so the record holds exactly what a later load reads back) and stringified again by the store.
 * The copy remembers the text it was parsed from, so the store writes that text instead of
 * stringifying the same value a second time (the bench's profile had the snapshot's JSON work
 * among the largest costs of a step; see docs/benchmarks.md).
 *
 * Only values that nobody changes afterwards may be remembered: records are immutable once made.
 */
const texts = new WeakMap<object, string>();

/** A deep copy through JSON that remembers its JSON text (see {@link jsonTextOf}). */
export function rememberedJsonCopy<T extends object>(value: T): T {
  const text = JSON.stringify(value);
  const copy = JSON.parse(text) as T;
  texts.set(copy, text);
  return copy;
}

/** The JSON text of a value: the remembered one for a copy made above, else `JSON.stringify`. */
export function jsonTextOf(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    const text = texts.get(value);
    if (text !== undefined) return text;
  }
  return JSON.stringify(value);
}
