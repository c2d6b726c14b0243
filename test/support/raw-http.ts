/**
 * HTTP requests exactly as a test builds them, for fuzzing: any method token, a request target
 * that is sent as it is (raw percent-encodings, Latin-1 bytes), any headers and a body of bytes.
 * `fetch` would normalise the URL and refuse some methods and headers, which is what a fuzzer must
 * not let happen. A connection the server closes without an answer is reported as such
 * (`status: 0`), not thrown, so a property can say what it expected instead.
 */
import type { Agent } from 'node:http';
import { request, type IncomingHttpHeaders } from 'node:http';

export interface RawRequest {
  method: string;
  /** The request target as sent: path and query, not re-encoded. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  /** 0 when the server closed the connection without an answer. */
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Why no answer came, when status is 0. */
  failure?: string;
}

/** One request on `agent`; never rejects (see {@link RawResponse.status}). */
export function sendRaw(
  baseUrl: string,
  raw: RawRequest,
  options: { agent?: Agent; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: raw.method,
        path: raw.path,
        // Node's client frames a GET's body with neither length nor chunks (it would be the
        // start of the next request): the length is always sent.
        headers: raw.body
          ? { 'content-length': String(raw.body.length), ...raw.headers }
          : raw.headers,
        ...(options.agent ? { agent: options.agent } : {}),
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) =>
          resolve({ status: 0, headers: {}, text: '', failure: error.message }),
        );
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    req.on('error', (error) =>
      resolve({ status: 0, headers: {}, text: '', failure: error.message }),
    );
    req.end(raw.body);
  });
}
