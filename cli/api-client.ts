/**
 * The CLI's client of the HTTP API (fetch, Node 20). An error answer becomes an
 * `ApiRequestError` carrying the API's code and message; a connection failure becomes an
 * `ApiUnreachableError` naming the URL.
 */
import type { AsyncApiDocument } from '../orchestrator/api/asyncapi/document.js';
import type { RetryParkedResult, SagaSummaryView, SagaView } from '../orchestrator/api/index.js';
import type { DefinitionDescription } from '../orchestrator/engine/describe-definition.js';
import type { CliConnection } from './config.js';

export type { RetryParkedResult, SagaSummaryView, SagaView };

export interface SagaPage {
  items: SagaSummaryView[];
  nextCursor?: string;
}

export interface SagaCountView {
  type: string;
  status: string;
  count: number;
}

export interface SagaResult {
  done: boolean;
  saga: SagaView;
}

export type DefinitionSummary = Omit<DefinitionDescription, 'definition' | 'config'> & {
  /** Every version run, oldest first, when there are several. */
  versions?: string[];
};

/** What `POST /v1/definitions/{type}/migrations` answers. */
export interface MigrationResult {
  type: string;
  from: string;
  to: string;
  dryRun: boolean;
  wouldMove: string[];
  moved: string[];
  cannot: { id: string; state: string; reason: string }[];
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export class ApiUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    // fetch fails with "fetch failed"; the reason (ECONNREFUSED, a timeout…) is its cause.
    const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
    const reason =
      typeof inner?.code === 'string'
        ? inner.code
        : typeof inner?.message === 'string'
          ? inner.message
          : cause instanceof Error
            ? cause.message
            : String(cause);
    super(`cannot reach the saga API at ${url} (${reason}); set --url or SAGA_API_URL`);
    this.name = 'ApiUnreachableError';
  }
}

/** Requests wait at most this long, plus the long poll's own time. */
const REQUEST_TIMEOUT_MS = 30_000;

export class SagaApiClient {
  constructor(private readonly connection: CliConnection) {}

  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; waitMs?: number } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.connection.token) headers.authorization = `Bearer ${this.connection.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const url = `${this.connection.url}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + (options.waitMs ?? 0)),
      });
    } catch (error) {
      throw new ApiUnreachableError(this.connection.url, error);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const error = (body as { error?: { code?: string; message?: string; details?: object } })
        ?.error;
      throw new ApiRequestError(
        response.status,
        error?.code ?? `HTTP_${response.status}`,
        error?.message ?? (text.slice(0, 200) || response.statusText),
        error?.details as Record<string, unknown> | undefined,
      );
    }
    return { status: response.status, body: body as T };
  }

  startSaga(request: { type: string; input: unknown; id?: string }, idempotencyKey?: string) {
    return this.request<SagaView>('POST', '/v1/sagas', {
      body: request,
      ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
    });
  }

  async getSaga(id: string, history?: { offset: number; limit: number }) {
    const query = history ? `?historyOffset=${history.offset}&historyLimit=${history.limit}` : '';
    return (await this.request<SagaView>('GET', `/v1/sagas/${encodeURIComponent(id)}${query}`))
      .body;
  }

  async listSagas(query: Record<string, string | number | undefined>) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    const suffix = params.size > 0 ? `?${params.toString()}` : '';
    return (await this.request<SagaPage>('GET', `/v1/sagas${suffix}`)).body;
  }

  async waitForResult(id: string, timeoutMs: number) {
    const path = `/v1/sagas/${encodeURIComponent(id)}/result?timeoutMs=${timeoutMs}`;
    return (await this.request<SagaResult>('GET', path, { waitMs: timeoutMs })).body;
  }

  /** An operator action; `audit` becomes the `Saga-Actor` / `Saga-Reason` headers. */
  async action(
    id: string,
    action: 'cancel' | 'retry' | 'pause' | 'resume',
    audit: ActionAudit = {},
  ) {
    const path = `/v1/sagas/${encodeURIComponent(id)}/${action}`;
    return (await this.request<SagaView>('POST', path, { headers: auditHeaders(audit) })).body;
  }

  /** Live counts of the stored sagas by type and status. */
  async counts() {
    return (await this.request<{ items: SagaCountView[] }>('GET', '/v1/sagas/counts')).body;
  }

  /** Retries the parked sagas of a type (and state), or only lists them with `dryRun`. */
  async retryParked(
    request: { type: string; state?: string; dryRun?: boolean; limit?: number },
    audit: ActionAudit = {},
  ) {
    return (
      await this.request<RetryParkedResult>('POST', '/v1/sagas/retry-parked', {
        body: request,
        headers: auditHeaders(audit),
      })
    ).body;
  }

  async signal(
    id: string,
    event: { type: string } & Record<string, unknown>,
    audit: ActionAudit = {},
  ) {
    return (
      await this.request<SagaView>('POST', `/v1/sagas/${encodeURIComponent(id)}/events`, {
        body: event,
        headers: auditHeaders(audit),
      })
    ).body;
  }

  /**
   * Moves the waiting sagas of `type` from version `from` to `to`, or only lists who would move
   * with `dryRun` (`POST /v1/definitions/{type}/migrations`).
   */
  async migrate(
    type: string,
    request: { from: string; to: string; state?: string; dryRun?: boolean; limit?: number },
    audit: ActionAudit = {},
  ) {
    return (
      await this.request<MigrationResult>(
        'POST',
        `/v1/definitions/${encodeURIComponent(type)}/migrations`,
        { body: request, headers: auditHeaders(audit) },
      )
    ).body;
  }

  async definitions() {
    return (await this.request<{ items: DefinitionSummary[] }>('GET', '/v1/definitions')).body
      .items;
  }

  async definition(type: string) {
    return (
      await this.request<DefinitionDescription>(
        'GET',
        `/v1/definitions/${encodeURIComponent(type)}`,
      )
    ).body;
  }

  /** The AsyncAPI 3.0 document of the wire contract for the orchestrator's definitions. */
  async asyncApi() {
    return (await this.request<AsyncApiDocument>('GET', '/asyncapi.json')).body;
  }
}

/** Who acts and why, written into the saga's history by the orchestrator. */
export interface ActionAudit {
  actor?: string;
  reason?: string;
}

/** Percent-encoded, so that any name or sentence travels in a header. */
function auditHeaders({ actor, reason }: ActionAudit): Record<string, string> {
  return {
    ...(actor !== undefined ? { 'saga-actor': encodeURIComponent(actor) } : {}),
    ...(reason !== undefined ? { 'saga-reason': encodeURIComponent(reason) } : {}),
  };
}
