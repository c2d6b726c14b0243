/**
 * The example participant process's small HTTP server: `GET /metrics` (Prometheus), `GET /healthz`
 * and `GET /readyz`, on `PARTICIPANT_METRICS_PORT`.
 *
 * Why a server of its own: a participant has no API, so nothing else listens. The OpenTelemetry
 * Prometheus exporter can start a server, but it serves only `/metrics`, and Kubernetes needs
 * liveness and readiness endpoints to restart a hung process and to hold a rollout until the new
 * pod has joined its consumer group. One port for all three keeps the chart's container port,
 * probes and PodMonitor pointing at the same place. node:http is enough for three fixed routes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What `/readyz` reports: ready with details, or not ready with the reason. */
export type ParticipantReadiness =
  { ready: true; [detail: string]: unknown } | { ready: false; reason: string };

export interface HealthServerOptions {
  /** 0 takes a free port (tests); the bound one is {@link HealthServer.port}. */
  port: number;
  /** @default every interface (Node's default: `::`, or `0.0.0.0` without IPv6) */
  host?: string;
  /** Serves the Prometheus text format (`setupTelemetry(...).metricsHandler`). */
  metricsHandler: (request: IncomingMessage, response: ServerResponse) => void;
  /** Asked on every `/readyz`, so the answer follows group membership as it changes. */
  readiness: () => ParticipantReadiness;
}

export interface HealthServer {
  readonly port: number;
  /**
   * From now on `/readyz` answers 503: the process is stopping, so Kubernetes should not count it
   * as a ready replica. `/healthz` stays 200 (saying `stopping`): a failed liveness probe would
   * kill the process in the middle of the graceful stop it is making.
   */
  markStopping(): void;
  /** Stops listening and ends idle keep-alive connections. */
  close(): Promise<void>;
}

/** Starts listening; rejects when the port cannot be bound (e.g. it is in use). */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  let stopping = false;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const route = ROUTES[path ?? ''];
    if (!route) return sendJson(response, 404, { error: 'not found', path });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return sendJson(response, 405, { error: 'method not allowed' });
    }
    switch (route) {
      case 'metrics':
        return options.metricsHandler(request, response);
      case 'health':
        return sendJson(response, 200, { status: stopping ? 'stopping' : 'ok' });
      case 'readiness': {
        const readiness: ParticipantReadiness = stopping
          ? { ready: false, reason: 'shutting down' }
          : options.readiness();
        return sendJson(response, readiness.ready ? 200 : 503, readiness);
      }
    }
  });
  await listen(server, options.port, options.host);
  return {
    port: (server.address() as AddressInfo).port,
    markStopping: () => {
      stopping = true;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

const ROUTES: Record<string, 'metrics' | 'health' | 'readiness'> = {
  '/metrics': 'metrics',
  '/healthz': 'health',
  '/readyz': 'readiness',
};

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('cache-control', 'no-store');
  response.end(JSON.stringify(body));
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (host === undefined) server.listen(port, done);
    else server.listen(port, host, done);
  });
}
