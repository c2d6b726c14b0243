/**
 * The API's JSON as the console reads it (docs/api.md): a browser-side copy, since the bundle
 * cannot import the server's modules. Fields added by later API versions are optional here.
 */
export type SagaStatus =
  'running' | 'completed' | 'compensated' | 'failed' | 'parked' | 'cancelled';

export const SAGA_STATUSES: readonly SagaStatus[] = [
  'running',
  'parked',
  'failed',
  'compensated',
  'cancelled',
  'completed',
];

export interface PausedInfo {
  at: string;
  actor: string;
  reason?: string;
}

export interface SagaSummary {
  id: string;
  type: string;
  version: string;
  revision: number;
  status: SagaStatus;
  state: string;
  createdAt: string;
  updatedAt: string;
  paused?: PausedInfo;
  traceId?: string;
}

export interface HistoryEntry {
  at: string;
  kind: string;
  summary: string;
  step?: string;
  commandId?: string;
  from?: string;
  to?: string;
  data?: Record<string, unknown>;
}

export interface SagaDetail extends SagaSummary {
  context: Record<string, unknown>;
  pending: Array<{
    commandId: string;
    step: string;
    participant: string;
    command: string;
    kind: 'action' | 'compensation';
    attempt: number;
    issuedAt: string;
    expiresAt: string;
  }>;
  timers: Array<{ timerId: string; dueAt: string; event: string }>;
  waitingFor: { summary: string[]; events: string[]; canCancel: boolean; canRetry: boolean };
  history: HistoryEntry[];
  historyPage: { offset: number; limit: number; total: number; dropped: number };
}

export interface SagaPage {
  items: SagaSummary[];
  nextCursor?: string;
}

export interface CountsAnswer {
  items: Array<{ type: string; status: SagaStatus; count: number }>;
}

export interface SessionInfo {
  role: 'operator' | 'read-only';
  links: { grafanaUrl?: string; traceUrlTemplate?: string };
}

export interface DefinitionSummary {
  type: string;
  version: string;
  description?: string;
}

export interface DefinitionDetail extends DefinitionSummary {
  definition: Record<string, unknown>;
  /** The steps the step helper wrote into the statechart (`meta.saga`). */
  steps?: Array<{ step: string; timeoutMs?: number; compensation?: { timeoutMs?: number } }>;
  /** The signals it declares, with their schemas; absent when it declares none. */
  signals?: SignalContracts;
}

/** A definition's declared signals, by event type (the API's `SignalContracts`). */
export type SignalContracts = Record<
  string,
  { description: string; schema: Record<string, unknown> }
>;

export interface BulkRetryAnswer {
  matched: number;
  retried: number;
  ids: string[];
  failed: Array<{ id: string; reason: string }>;
}
