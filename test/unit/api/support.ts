/**
 * The HTTP layer without infrastructure: an app over an orchestrator whose operations must not be
 * reached (requests that fail validation, auth or routing never get to them), served on a random
 * local port.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createApiApp,
  type ApiApp,
  type ApiAppOptions,
  type ApiOrchestrator,
} from '../../../orchestrator/api/index.js';
import { orderSaga } from '../../../sagas/order/index.js';
import { describeDefinition } from '../../../orchestrator/engine/describe-definition.js';
import { silentLogger } from '../../../wire/telemetry/logger.js';
import { topicNames } from '../../../wire/contract/index.js';

const unreachable = (name: string) => () => {
  throw new Error(`${name} must not be reached by this request`);
};

export const unreachableOrchestrator: ApiOrchestrator = {
  startSaga: unreachable('startSaga'),
  getSaga: unreachable('getSaga'),
  listSagas: unreachable('listSagas'),
  waitForResult: unreachable('waitForResult'),
  signal: unreachable('signal'),
  cancel: unreachable('cancel'),
  retry: unreachable('retry'),
  pause: unreachable('pause'),
  resume: unreachable('resume'),
  definitions: () => [describeDefinition(orderSaga)],
  definition: (type, version) =>
    type === 'order' && (version === undefined || version === orderSaga.version)
      ? describeDefinition(orderSaga)
      : undefined,
  definitionVersions: (type) => (type === 'order' ? [orderSaga.version] : []),
  migrateSagas: unreachable('migrateSagas'),
  readiness: async () => ({
    ready: false,
    checks: { redis: true, kafkaBroker: true, kafkaConsumer: false, started: false },
  }),
  engine: {
    definitionOf: ({ type, definitionVersion }) =>
      type === 'order' && definitionVersion === orderSaga.version ? orderSaga : undefined,
  },
  store: { countsByTypeAndState: unreachable('countsByTypeAndState') },
  topics: topicNames('saga'),
};

export function testApp(options: Partial<ApiAppOptions> = {}): ApiApp {
  return createApiApp({ orchestrator: unreachableOrchestrator, logger: silentLogger, ...options });
}

/** Serves the app on 127.0.0.1 for the current `describe`; `url()` is its base URL. */
export function serveForTests(make: () => ApiApp): { url(): string } {
  let server: Server | undefined;
  before(async () => {
    server = make().listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });
  return {
    url() {
      if (!server) throw new Error('the server starts in before()');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
  };
}
