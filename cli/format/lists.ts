/** Lists for people: sagas, and saga definitions with their steps. */
import type {
  DefinitionSummary,
  MigrationResult,
  RetryParkedResult,
  SagaCountView,
  SagaPage,
} from '../api-client.js';
import { table, when } from './table.js';

export function renderSagaPage(page: SagaPage): string {
  if (page.items.length === 0) return 'No sagas.';
  const rows = page.items.map((s) => [
    s.id,
    s.type,
    s.status,
    s.state,
    when(s.createdAt),
    when(s.updatedAt),
  ]);
  const lines = [table(['id', 'type', 'status', 'state', 'created', 'updated'], rows)];
  lines.push(`${page.items.length} saga${page.items.length === 1 ? '' : 's'}`);
  if (page.nextCursor) lines.push(`More: --cursor ${page.nextCursor}`);
  return lines.join('\n');
}

/** Counts by type and status: one row per type, one column per status it has sagas in. */
export function renderCounts(items: readonly SagaCountView[]): string {
  if (items.length === 0) return 'No sagas.';
  const statuses = [...new Set(items.map((item) => item.status))].sort();
  const types = [...new Set(items.map((item) => item.type))].sort();
  const count = (type: string, status: string) =>
    items.find((item) => item.type === type && item.status === status)?.count ?? 0;
  return table(
    ['type', ...statuses],
    types.map((type) => [type, ...statuses.map((status) => String(count(type, status)))]),
  );
}

/** What a bulk retry did (or, in a dry run, would do), with every saga it could not retry. */
export function renderRetryParked(result: RetryParkedResult, dryRun: boolean): string {
  const plural = (n: number) => `${n} parked saga${n === 1 ? '' : 's'}`;
  const lines = dryRun
    ? [`Dry run: ${plural(result.matched)} would be retried.`, ...result.ids]
    : [`Retried ${result.retried} of ${plural(result.matched)}.`];
  if (result.failed.length > 0) {
    lines.push(
      '',
      table(
        ['not retried', 'why'],
        result.failed.map((f) => [f.id, f.reason]),
      ),
    );
  }
  return lines.join('\n');
}

/** Who moved (or would) from one definition version to another, and who stays, with why. */
export function renderMigration(result: MigrationResult): string {
  const sagas = (n: number) => `${n} ${result.type} saga${n === 1 ? '' : 's'}`;
  const versions = `from v${result.from} to v${result.to}`;
  const lines = result.dryRun
    ? [`Dry run: ${sagas(result.wouldMove.length)} would move ${versions}.`, ...result.wouldMove]
    : [`Moved ${sagas(result.moved.length)} ${versions}.`, ...result.moved];
  if (result.cannot.length > 0) {
    lines.push(
      '',
      table(
        ['cannot move', 'state', 'why'],
        result.cannot.map((c) => [c.id, c.state, c.reason]),
      ),
    );
  }
  return lines.join('\n');
}

/** `completed 12 · running 3` */
export function statusCounts(items: ReadonlyArray<{ status: string }>): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
  return [...counts.entries()].map(([status, n]) => `${status} ${n}`).join(' · ') || 'none';
}

export function renderDefinitions(definitions: DefinitionSummary[]): string {
  return table(
    ['type', 'version', 'steps', 'description'],
    definitions.map((d) => [
      d.type,
      // Versions side by side: new sagas start on `version`, older sagas finish on theirs.
      d.versions ? `${d.version} (runs ${d.versions.join(', ')})` : d.version,
      d.steps.map((s) => s.step).join(' → '),
      d.description ?? '',
    ]),
  );
}

export function renderDefinition(definition: DefinitionSummary): string {
  const header = `${definition.type} (version ${definition.version})${
    definition.description ? `\n${definition.description}` : ''
  }`;
  const steps = table(
    ['step', 'participant', 'command', 'timeout', 'attempts', 'compensation'],
    definition.steps.map((s) => [
      s.step,
      s.participant,
      s.command,
      `${s.timeoutMs} ms`,
      String(s.maxAttempts),
      s.compensation ? `${s.compensation.participant}.${s.compensation.command}` : '—',
    ]),
  );
  return `${header}\n\n${steps}\n\nThe statechart as JSON: saga definitions ${definition.type} --json`;
}
