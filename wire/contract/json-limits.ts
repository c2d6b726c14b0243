/**
 * Bounds on a JSON message before anything deeper than the parser touches it. A valid JSON value
 * nested 10,000 levels deep made the engine's snapshot copy throw `RangeError` (its recursion
 * ran out of stack), and the requests batch that held it was retried for ever. The depth walk
 * here is iterative, so the check itself cannot overflow the stack.
 */

/** Limits of one JSON message; every wire message and HTTP body is held to them. */
export interface JsonLimits {
  /**
   * Most bytes of one message's value (UTF-8).
   * @default 1048576 (1 MiB, about the broker's default `message.max.bytes`)
   */
  maxBytes: number;
  /**
   * Deepest nesting of objects and arrays, the message itself counting as level 1
   * (`{"a":{"b":[1]}}` is 3 levels deep).
   * @default 64
   */
  maxDepth: number;
}

/** The limits the contract states (docs/wire-contract.md, "Limits"). */
export const DEFAULT_JSON_LIMITS: Readonly<JsonLimits> = Object.freeze({
  maxBytes: 1_048_576,
  maxDepth: 64,
});

/**
 * True when `value` nests objects or arrays deeper than `maxDepth`. Walks with an explicit
 * stack (no recursion) and stops at the first container past the limit.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: Array<{ node: object; depth: number }> = [];
  if (value !== null && typeof value === 'object') stack.push({ node: value, depth: 1 });
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    if (entry.depth > maxDepth) return true;
    const children = Array.isArray(entry.node) ? entry.node : Object.values(entry.node);
    for (const child of children as unknown[]) {
      if (child !== null && typeof child === 'object') {
        stack.push({ node: child, depth: entry.depth + 1 });
      }
    }
  }
  return false;
}

/** Why a parsed value breaks the depth limit, or undefined when it keeps it. */
export function depthProblem(value: unknown, limits: Pick<JsonLimits, 'maxDepth'>) {
  return nestsDeeperThan(value, limits.maxDepth)
    ? `nested deeper than the limit of ${limits.maxDepth} levels (maxDepth)`
    : undefined;
}
