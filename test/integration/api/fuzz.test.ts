/**
 * Fuzzes the whole HTTP API with fast-check over real HTTP, against the orchestrator service on
 * real Kafka and Redis with bearer auth on. The requests come from the OpenAPI operation table
 * (test/support/api-fuzz-requests.ts): every operation, broken one way or several. The property:
 * no answer is a 5xx or a closed connection; every 4xx is the API's error body (the document's
 * `Error` schema, a code of `API_ERRORS` sent with its own status, a message that names the problem
 * when the request was broken one way); every answer to a documented operation is one the document
 * gives; and the service still serves afterwards. The seed is fixed (`API_FUZZ_SEED` overrides it,
 * `API_FUZZ_RUNS` the count); on failure fast-check prints the seed, the path and the shrunk request.
 */
import { Agent } from 'node:http';
import { expect } from 'chai';
import fc from 'fast-check';
import {
  API_ERRORS,
  buildOpenApiDocument,
  createDocumentAjv,
  DEFAULT_BODY_LIMIT_BYTES,
  DOCUMENT_KEY,
  OPERATIONS,
  type ApiErrorBody,
  type ApiErrorCode,
  type SagaView,
} from '../../../orchestrator/api/index.js';
import { apiRequests, type FuzzRequest } from '../../support/api-fuzz-requests.js';
import { apiClient, checkAgainstDocument } from '../../support/api-client.js';
import { orderInput } from '../../support/orders.js';
import { sendRaw, type RawResponse } from '../../support/raw-http.js';
import { useSystem } from '../../support/system.js';

const TOKEN = 'fuzz-token-3b9e';
const SEED = Number(process.env.API_FUZZ_SEED ?? 120_612);
const RUNS = Number(process.env.API_FUZZ_RUNS ?? 1_000);

const errorSchema = createDocumentAjv(buildOpenApiDocument()).compile({
  $ref: `${DOCUMENT_KEY}#/components/schemas/Error`,
});

/** Methods of the document: an answer to one of them on a documented path must be documented. */
const DOCUMENTED_METHODS = new Set(OPERATIONS.map((o) => o.method.toUpperCase()));

/** Answered by the HTTP parser's error handler, before any route: not per operation. */
const BEFORE_ROUTING = new Set<ApiErrorCode>([
  'MALFORMED_REQUEST',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
]);

/** Throws, saying what is wrong, when the answer breaks the property. */
function checkAnswer(request: FuzzRequest, response: RawResponse): void {
  const where = `${request.method} ${request.path.slice(0, 200)} (${request.operation}; ${request.mutation}) → ${response.status}`;
  if (response.status === 0) throw new Error(`${where}: no answer (${response.failure})`);
  const readiness = request.path.startsWith('/readyz') && response.status === 503;
  if (response.status >= 500 && !readiness) {
    throw new Error(`${where}: a server error: ${response.text.slice(0, 500)}`);
  }
  if (response.status < 400 || request.method === 'HEAD') return;

  const contentType = response.headers['content-type'] ?? '';
  if (!contentType.startsWith('application/json')) {
    throw new Error(
      `${where}: an error that is not JSON (${contentType}): ${response.text.slice(0, 200)}`,
    );
  }
  const body = JSON.parse(response.text) as ApiErrorBody;
  if (!errorSchema(body)) {
    throw new Error(`${where}: not the error shape: ${response.text.slice(0, 500)}`);
  }
  const { code, message } = body.error;
  if (API_ERRORS[code] !== response.status) {
    throw new Error(`${where}: code ${code} is not sent with ${response.status}`);
  }
  if (message.trim() === '') throw new Error(`${where}: an empty message`);
  if (request.expected) {
    if (!request.expected.codes.includes(code)) {
      throw new Error(`${where}: ${code} (${message}), not ${request.expected.codes.join(' or ')}`);
    }
    if (!request.expected.message.test(message)) {
      throw new Error(
        `${where}: the message "${message}" does not match ${request.expected.message}`,
      );
    }
  }
  if (
    DOCUMENTED_METHODS.has(request.method) &&
    response.status !== 401 &&
    !BEFORE_ROUTING.has(code)
  ) {
    checkAgainstDocument({
      method: request.method,
      path: request.path,
      status: response.status,
      contentType,
      text: response.text,
    });
  }
}

describe('HTTP API fuzzing: no input gets a 5xx, every 4xx says what is wrong (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('api-fuzz', {
    participants: false,
    api: {
      apiToken: TOKEN,
      metricsHandler: (_req, res) => {
        res.type('text/plain; version=0.0.4').send('# TYPE saga_up gauge\nsaga_up 1\n');
      },
    },
  });
  const api = () => apiClient(sut.system.apiUrl, { token: TOKEN });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  after(() => agent.destroy());

  it(`answers ${RUNS} generated requests over every operation within the property (seed ${SEED})`, async () => {
    const started = await api().post<SagaView>('/v1/sagas', { type: 'order', input: orderInput() });
    expect(started.status).to.equal(201);
    const context = {
      token: TOKEN,
      knownSagaId: started.body.id,
      bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
    };
    const baseUrl = sut.system.apiUrl ?? '';

    const operationsSeen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(apiRequests(context), async (request) => {
        operationsSeen.add(request.operation);
        checkAnswer(request, await sendRaw(baseUrl, request, { agent }));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Every operation of the document was fuzzed, and unknown routes too.
    expect([...operationsSeen].sort()).to.deep.equal(
      [...OPERATIONS.map((o) => o.operationId), 'unknown route'].sort(),
    );

    // The process is still up and serving: a health check and a saga start after the run.
    expect((await api().get('/healthz')).status).to.equal(200);
    const after = await api().post<SagaView>('/v1/sagas', { type: 'order', input: orderInput() });
    expect(after.status).to.equal(201);
  });
});
