/**
 * Migrating the waiting sagas of one definition version to another (issue 15): an operator asks,
 * the engine decides per saga (engine/migrate-saga.ts), and each move is written like any step,
 * atomically per saga with the store's compare-and-set on its revision. A saga that moved on
 * between the listing and its write is looked at again from a fresh load: it moves if it still
 * can, and is reported in `cannot` with the reason if not; it is never clobbered.
 *
 * A dry run asks the engine the same question on each saga as stored and writes nothing.
 */
import type { OperatorAudit, SagaEngine, SagaRecord } from '../engine/index.js';
import type { SagaStore } from '../store/index.js';
import type { ApplyOutcome, SagaEventItem } from './saga-event-outcomes.js';

export interface MigrationRequest {
  type: string;
  /** The version the sagas run on now. */
  from: string;
  /** The version to move them to; it must declare a migration from `from`. */
  to: string;
  /** List who would move and who cannot; change nothing. */
  dryRun?: boolean;
  /** Only sagas in this state (of `from`). */
  state?: string;
  /**
   * Most sagas looked at (moved or not), newest first; call again for the rest.
   * @default 1000
   */
  limit?: number;
}

/** A saga that stays on its version, and why. */
export interface MigrationRefused {
  id: string;
  state: string;
  reason: string;
}

export type MigrationReport =
  | { status: 'no-migration'; message: string }
  | {
      status: 'done';
      dryRun: boolean;
      /** The sagas moved now (empty in a dry run). */
      moved: string[];
      /** In a dry run: the sagas that would move (empty otherwise). */
      wouldMove: string[];
      cannot: MigrationRefused[];
    };

export interface MigrationDeps {
  engine: Pick<SagaEngine, 'versions' | 'apply'>;
  store: Pick<SagaStore, 'listSagas' | 'loadEach'>;
  /** The applier's batch: load, engine, compare-and-set write, with retries on a lost race. */
  applyBatch: (items: readonly SagaEventItem[]) => Promise<ApplyOutcome[]>;
  now: () => number;
}

export const DEFAULT_MIGRATION_LIMIT = 1_000;
/** A page of the saga list (its largest). */
const PAGE = 500;
/** Sagas moved per batch: one pipelined load and one pipelined commit each. */
const BATCH = 64;

/** The non-ended sagas of `type` on version `from` (in `state`), newest first, at most `limit`. */
async function candidates(
  store: MigrationDeps['store'],
  request: MigrationRequest,
  limit: number,
): Promise<string[]> {
  const ids: string[] = [];
  // Parked sagas wait too; ended ones never move.
  for (const status of ['running', 'parked'] as const) {
    let cursor: string | undefined;
    do {
      const page = await store.listSagas({
        type: request.type,
        status,
        ...(request.state !== undefined ? { state: request.state } : {}),
        limit: PAGE,
        ...(cursor !== undefined ? { cursor } : {}),
      });
      for (const saga of page.items) {
        if (saga.definitionVersion === request.from && ids.length < limit) ids.push(saga.id);
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined && ids.length < limit);
  }
  return ids;
}

function refusal(id: string, outcome: ApplyOutcome | undefined): MigrationRefused {
  if (!outcome || outcome.status === 'unknown-saga') {
    return { id, state: '', reason: 'the saga is gone (purged)' };
  }
  if (outcome.status === 'error') return { id, state: '', reason: outcome.error.message };
  const { record } = outcome;
  const reason = outcome.status === 'ignored' ? (outcome.detail ?? outcome.reason) : 'moved';
  return { id, state: record.state, reason };
}

export async function migrateSagas(
  deps: MigrationDeps,
  request: MigrationRequest,
  audit: OperatorAudit,
): Promise<MigrationReport> {
  const target = deps.engine.versions(request.type).find((d) => d.version === request.to);
  if (!target?.migrations?.some((m) => m.from === request.from)) {
    const versions = deps.engine.versions(request.type).map((d) => d.version);
    return {
      status: 'no-migration',
      message:
        versions.length === 0
          ? `no saga definition of type "${request.type}"`
          : `${request.type} version ${request.to} declares no migration from version ${request.from} (versions: ${versions.join(', ')})`,
    };
  }
  const dryRun = request.dryRun ?? false;
  const ids = await candidates(deps.store, request, request.limit ?? DEFAULT_MIGRATION_LIMIT);
  const report = {
    status: 'done' as const,
    dryRun,
    moved: [] as string[],
    wouldMove: [] as string[],
    cannot: [] as MigrationRefused[],
  };
  const event = { kind: 'migrate' as const, to: request.to, audit };
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH);
    if (dryRun) {
      const loaded = await deps.store.loadEach(batch);
      batch.forEach((id, i) => {
        const found = loaded[i];
        if (found?.error) report.cannot.push({ id, state: '', reason: found.error.message });
        else if (!found?.record) report.cannot.push(refusal(id, undefined));
        else dryRunOne(deps, found.record, event, report);
      });
      continue;
    }
    const outcomes = await deps.applyBatch(batch.map((sagaId) => ({ sagaId, event })));
    batch.forEach((id, i) => {
      const outcome = outcomes[i];
      if (outcome?.status === 'applied') report.moved.push(id);
      else report.cannot.push(refusal(id, outcome));
    });
  }
  return report;
}

function dryRunOne(
  deps: MigrationDeps,
  record: SagaRecord,
  event: { kind: 'migrate'; to: string; audit: OperatorAudit },
  report: { wouldMove: string[]; cannot: MigrationRefused[] },
): void {
  try {
    const result = deps.engine.apply(record, event, deps.now());
    if (result.outcome === 'applied') report.wouldMove.push(record.id);
    else
      report.cannot.push({
        id: record.id,
        state: record.state,
        reason: result.detail ?? result.reason,
      });
  } catch (error) {
    report.cannot.push({ id: record.id, state: record.state, reason: (error as Error).message });
  }
}
