/**
 * Which lifecycle events go to `<prefix>.events` (`SAGA_LIFECYCLE_EVENTS`), a setting of the wire
 * contract (docs/wire-contract.md, "Which lifecycle events are published"):
 * - `saga`: the saga's own (started, completed, compensated, failed, parked, cancelled, resumed)
 *   and a definition's `emit()`s — two records for a saga that completes;
 * - `steps`: those and every step and compensation event (started, succeeded, failed, timed out);
 * - `none`: nothing.
 *
 * Whatever is not published is still in the saga's history.
 */
export type LifecycleEventLevel = 'saga' | 'steps' | 'none';

export const LIFECYCLE_EVENT_LEVELS: readonly LifecycleEventLevel[] = ['saga', 'steps', 'none'];

/** The one default of the lifecycle-events setting, wherever it is left out. */
export const DEFAULT_LIFECYCLE_EVENT_LEVEL: LifecycleEventLevel = 'saga';
