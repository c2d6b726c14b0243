/**
 * `defineMigration()`: how sagas waiting on one version of a definition move to the next. The
 * architect writes it beside the new version and hands it to that version's `defineSaga`
 * (`migrations: [...]`); an operator applies it (`saga definitions migrate`). It is data and one
 * pure function: a map of states and an optional change of the context.
 *
 * @example
 * ```ts
 * export const fromV1 = defineMigration({
 *   type: 'order',
 *   from: '1',
 *   to: '2',
 *   states: { awaitingApproval: 'awaitingReview', parked: 'parked' },
 * });
 * export default defineSaga({ type: 'order', version: '2', machine, input, migrations: [fromV1] });
 * ```
 */
import type { JsonObject } from '../../../wire/contract/index.js';

export interface SagaMigration {
  readonly type: string;
  /** The version the sagas run on now. */
  readonly from: string;
  /** The version they move to: the definition this migration is given to. */
  readonly to: string;
  /**
   * Which state of `from` becomes which state of `to`, as state paths (`awaitingApproval`,
   * `authorizePayment.backoff`; a saga's `state` as the API shows it). A saga in a state not
   * listed here stays where it is (the dry run says so).
   */
  readonly states: Readonly<Record<string, string>>;
  /**
   * The saga's context (input, step results, bookkeeping) as `to` needs it. Pure: it may run
   * again for the same saga (a dry run, a lost race). Absent: the context moves unchanged.
   */
  readonly context?: (context: JsonObject) => JsonObject;
  readonly description?: string;
}

/** Checks a migration's shape when its module loads; see {@link SagaMigration}. */
export function defineMigration(migration: SagaMigration): SagaMigration {
  const { type, from, to, states } = migration;
  const name = `migration of ${type} from ${from} to ${to}`;
  if (type.trim() === '' || from.trim() === '' || to.trim() === '') {
    throw new Error(`${name}: type, from and to must not be empty`);
  }
  if (from === to) throw new Error(`${name}: from and to are the same version`);
  const entries = Object.entries(states);
  if (entries.length === 0) throw new Error(`${name}: maps no state`);
  for (const [source, target] of entries) {
    if (source === '' || typeof target !== 'string' || target === '') {
      throw new Error(`${name}: state "${source}" → "${String(target)}" is not a state path`);
    }
  }
  return Object.freeze({ ...migration, states: Object.freeze({ ...states }) });
}
