/**
 * A real Jaeger for tests: the one `scripts/jaeger.sh up` starts (`npm test` does), named by
 * `JAEGER_OTLP_ENDPOINT` and `JAEGER_QUERY_URL`, and a reader of its HTTP query API
 * (`/api/traces?service=…&tags=…`, `/api/traces/<traceId>`: the JSON the Jaeger UI reads).
 */

export interface JaegerEndpoints {
  /** Where services export spans: give it to them as `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  otlpEndpoint: string;
  /** The query API and UI. */
  queryUrl: string;
}

/** A span as the query API gives it. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[];
  processID: string;
  tags: { key: string; type: string; value: unknown }[];
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/**
 * Where Jaeger is; fails with the command to run when it is not set or does not answer. Tests
 * that need it fail rather than skip: CI builds and starts it.
 */
export async function jaegerEndpoints(): Promise<JaegerEndpoints> {
  const otlpEndpoint = process.env.JAEGER_OTLP_ENDPOINT;
  const queryUrl = process.env.JAEGER_QUERY_URL;
  if (!otlpEndpoint || !queryUrl) {
    throw new Error(
      'This test needs a real Jaeger: run `npm test` (it starts one), or ' +
        '`eval "$(scripts/jaeger.sh up)"` and then mocha (scripts/install-jaeger.sh builds it once, ' +
        'from the Go module proxy).',
    );
  }
  try {
    const response = await fetch(`${queryUrl}/api/services`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    throw new Error(
      `Jaeger's query API at ${queryUrl} (JAEGER_QUERY_URL) does not answer (${String(error)}): ` +
        'is `scripts/jaeger.sh up` running?',
    );
  }
  return { otlpEndpoint, queryUrl };
}

/** Reads traces back through Jaeger's HTTP query API. */
export function jaegerQuery(queryUrl: string) {
  const get = async (path: string): Promise<JaegerTrace[]> => {
    const response = await fetch(`${queryUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
    // The API answers 404 for a trace id it does not have (yet).
    if (response.status === 404) return [];
    if (!response.ok)
      throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { data: JaegerTrace[] | null };
    return body.data ?? [];
  };
  return {
    /** The traces of `service` holding a span with every one of `tags`, over the last hour. */
    findTraces(service: string, tags: Record<string, string>): Promise<JaegerTrace[]> {
      const params = new URLSearchParams({
        service,
        tags: JSON.stringify(tags),
        lookback: '1h',
        limit: '100',
      });
      return get(`/api/traces?${params.toString()}`);
    },
    /** One trace by id, or undefined while Jaeger has none of its spans. */
    async trace(traceId: string): Promise<JaegerTrace | undefined> {
      return (await get(`/api/traces/${traceId}`))[0];
    },
  };
}

/** The service that wrote a span. */
export function serviceOf(trace: JaegerTrace, span: JaegerSpan): string | undefined {
  return trace.processes[span.processID]?.serviceName;
}

/** A span's tag value, as a string. */
export function tagOf(span: JaegerSpan, key: string): string | undefined {
  const tag = span.tags.find((t) => t.key === key);
  return tag === undefined ? undefined : String(tag.value);
}
