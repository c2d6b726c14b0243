/** Loads data and loads it again every few seconds (auto-refresh), and on demand. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** How often the pages refresh what they show. */
export const REFRESH_MS = 3_000;

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Calls `load` now, whenever `key` changes, and every `intervalMs` while `enabled` and not
 * `stopWhen`; a slow answer for an old key never overwrites a newer one.
 */
export function usePoll<T>(
  key: string,
  load: () => Promise<T>,
  options: {
    intervalMs?: number;
    enabled?: boolean;
    /** Stop refreshing once the data says so (a saga at rest changes no more). */
    stopWhen?: (data: T) => boolean;
  } = {},
): Polled<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: unknown; loading: boolean }>({
    key,
    loading: true,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);

  const run = useCallback(() => {
    const mine = ++generation.current;
    loadRef.current().then(
      (data) => {
        if (mine === generation.current) setState({ key, data, loading: false });
      },
      (error: unknown) => {
        if (mine === generation.current) setState((s) => ({ ...s, key, error, loading: false }));
      },
    );
  }, [key]);

  useEffect(() => {
    setState((s) => (s.key === key ? s : { key, loading: true }));
    run();
  }, [run]);

  const settled =
    state.key === key && state.data !== undefined && (options.stopWhen?.(state.data) ?? false);
  const enabled = (options.enabled ?? true) && !settled;
  const intervalMs = options.intervalMs ?? 0;
  useEffect(() => {
    if (!enabled || intervalMs <= 0) return undefined;
    const timer = setInterval(run, intervalMs);
    return () => clearInterval(timer);
  }, [run, enabled, intervalMs]);

  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current || state.loading,
    reload: run,
  };
}
