import type { RuntimeHooks } from '../telemetry/index.js';

type AnyHook = (...args: never[]) => unknown;

/**
 * The telemetry's hooks and the caller's, both called: the telemetry's first, and for a hook that
 * answers (a trace context, headers) the telemetry's answer unless it has none.
 */
export function bothHooks(
  first: RuntimeHooks | undefined,
  second: RuntimeHooks | undefined,
): RuntimeHooks | undefined {
  if (!first || !second) return first ?? second;
  const merged: Record<string, AnyHook | undefined> = { ...first, ...second };
  for (const name of Object.keys(first) as (keyof RuntimeHooks)[]) {
    const a = first[name] as AnyHook | undefined;
    const b = second[name] as AnyHook | undefined;
    if (a && b) {
      merged[name] = (...args: never[]) => {
        const answer = a(...args);
        const other = b(...args);
        return answer ?? other;
      };
    }
  }
  return merged;
}
