/**
 * One demo run from start to summary: claim a fresh prefix (and delete what earlier runs left),
 * build the shop, start the system, stream the orders through the API with the operator
 * deciding on bulk orders, check the participants, print the summary, optionally keep serving.
 * Resolves with the exit code.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SagaApiClient } from '../../cli/api-client.js';
import { createRedisClient } from '../../orchestrator/store/redis-client.js';
import type { RedisConnectionConfig } from '../../orchestrator/config/index.js';
import { createLogger } from '../../wire/telemetry/logger.js';
import { createKafkaClient } from '../../wire/kafka/index.js';
import type { DemoOptions } from './demo-options.js';
import { claimRun, cleanOldRuns, newRunPrefix } from './demo-runs.js';
import {
  DEMO_ORDER_TIMINGS,
  demoShipping,
  kafkaOptionsOf,
  SHIPPING_INSTANCES,
  startDemoSystem,
  type DemoSystem,
} from './demo-system.js';
import { startOperator, type Operator } from './operator.js';
import { runOrderStream } from './order-stream.js';
import { Tally } from './outcomes.js';
import { checkParticipants, type ParticipantReport } from './participant-check.js';
import { progressBar, progressLines, type Progress } from './progress.js';
import { buildShop } from './shop.js';
import { renderSummary, verdictOf, type RunReport } from './summary.js';

export interface DemoIo {
  /** The narrative and the summary. */
  out(line: string): void;
  /** Progress and logs (stderr). */
  err(line: string): void;
  /** Draw a progress bar (a terminal) rather than lines. */
  interactive: boolean;
  /** Aborted on Ctrl-C. */
  interrupt: AbortSignal;
}

export async function runDemo(options: DemoOptions, io: DemoIo): Promise<number> {
  let progress: Progress | undefined;
  const write = (line: string) => (progress ? progress.log(line) : io.err(line));
  const logger = createLogger('demo', { level: options.verbose ? 'info' : 'warn', write });
  // The participants' warnings are mostly the slow shipping calls the demo itself makes.
  const participantLogger = createLogger('participants', {
    level: options.verbose ? 'info' : 'error',
    write,
  });

  const prefix = newRunPrefix(new Date());
  const admin = createKafkaClient({
    ...kafkaOptionsOf(options.connection),
    clientId: `${prefix}-admin`,
    logger: logger.child('kafka'),
  }).admin();
  const redis = createRedisClient(options.connection.redis);
  redis.on('error', (error: unknown) => logger.warn('redis connection error', { error }));
  let system: DemoSystem | undefined;
  let operator: Operator | undefined;
  const claim = await claimRun(redis, prefix);

  try {
    io.out(
      `Saga orchestrator demo: run ${prefix}, ${options.sagas.toLocaleString('en-US')} order sagas ` +
        `(Kafka ${options.connection.kafka.brokers.join(',')}, Redis ${describeRedis(options.connection.redis)}).`,
    );
    await admin.connect();
    if (options.cleanOldRuns) {
      const cleaned = await cleanOldRuns(redis, admin, prefix);
      if (cleaned.runs.length > 0) {
        io.out(
          `Deleted what ${cleaned.runs.length} earlier demo run(s) left: ${cleaned.topics} topics, ` +
            `${cleaned.groups} consumer groups, ${cleaned.keys} Redis keys (--no-clean-old-runs keeps them).`,
        );
      }
    }
    await admin.disconnect();

    const shop = buildShop({
      orders: options.sagas,
      seed: options.seed,
      approvalThreshold: DEMO_ORDER_TIMINGS.approvalThreshold,
    });
    const shipping = demoShipping(options.seed, options.slowShipping);
    system = await startDemoSystem({
      prefix,
      connection: options.connection,
      httpPort: options.httpPort,
      apiToken: options.apiToken,
      shop,
      shipping,
      logger,
      participantLogger,
      verbose: options.verbose,
      onPortBusy: (port) =>
        io.out(`Port ${port} (HTTP_PORT) is busy: the API takes a free port instead.`),
    });
    const { apiUrl } = system;
    io.out(
      `Orchestrator with its HTTP API on ${apiUrl} (/v1, /metrics, /openapi.json), and the example ` +
        `participants inventory, payment and shipping (${SHIPPING_INSTANCES} instances, one per ` +
        'partition), all in this process.',
    );
    io.out(
      `Shop: ${Object.keys(shop.stock).length} SKUs (scarce: ${shop.scarce
        .map((s) => `${s.sku} ${s.seeded} units for ${s.wanted} wanted`)
        .join(', ')}); ${shop.customers} customers, ${shop.tightCustomers.length} of them with a ` +
        `${shop.tightLimit} EUR credit limit; ${shop.bulkOrders} bulk order(s) above ` +
        `${DEMO_ORDER_TIMINGS.approvalThreshold} EUR wait for the demo's operator; ` +
        `${Math.round((shipping.slowRate ?? 0) * 100)} % of shipping confirms are slower than ` +
        `the ${DEMO_ORDER_TIMINGS.stepTimeoutMs} ms step deadline.`,
    );
    io.out(
      `Starting the sagas through POST /v1/sagas, at most ${options.inFlight} at once` +
        `${options.rate ? `, ${options.rate} per second` : ''}.`,
    );
    if (io.interrupt.aborted) throw new Interrupted();

    const client = new SagaApiClient({ url: apiUrl, token: options.apiToken });
    const tally = new Tally();
    const approveUpTo = 2 * DEMO_ORDER_TIMINGS.approvalThreshold;
    operator = startOperator({ client, approveUpTo, logger: logger.child('operator') });
    progress =
      options.progress && io.interactive
        ? progressBar(options.sagas, tally)
        : progressLines(options.sagas, tally);
    const began = Date.now();
    await runOrderStream({
      client,
      orders: shop.orders,
      inFlight: options.inFlight,
      rate: options.rate,
      tally,
      logger: logger.child('stream'),
      signal: io.interrupt,
    });
    const seconds = (Date.now() - began) / 1000;
    progress.stop();
    progress = undefined;
    await operator.stop();

    let participants: ParticipantReport | undefined;
    if (!io.interrupt.aborted) {
      // A slow shipping call the saga stopped waiting for still runs in the participant: let the
      // last ones finish before reading the participants' state.
      await sleep((shipping.slowDelayMs ?? 0) + 500);
      participants = await checkParticipants(
        system.redis,
        system.shopKeyPrefix,
        shop,
        tally.outcomes,
      );
    }
    const report: RunReport = {
      prefix,
      requested: options.sagas,
      seconds,
      tally,
      approvals: {
        approved: operator.approved,
        rejected: operator.rejected,
        threshold: DEMO_ORDER_TIMINGS.approvalThreshold,
        approveUpTo,
      },
      shop,
      shipping,
      stepTimeoutMs: DEMO_ORDER_TIMINGS.stepTimeoutMs,
      participants,
      apiUrl,
      serve: options.serve && !io.interrupt.aborted,
      tokenSet: options.apiToken !== undefined,
      interrupted: io.interrupt.aborted,
    };
    const verdict = verdictOf(report);
    io.out(renderSummary(report, verdict));

    if (report.serve) {
      io.out('');
      io.out(`Serving on ${apiUrl} until Ctrl-C.`);
      await new Promise((resolve) =>
        io.interrupt.addEventListener('abort', resolve, { once: true }),
      );
      io.out('Stopping.');
    }
    return verdict.ok ? 0 : 1;
  } catch (error) {
    progress?.stop();
    progress = undefined;
    if (error instanceof Interrupted || io.interrupt.aborted) {
      io.err('Interrupted before the sagas started.');
      return 1;
    }
    throw error;
  } finally {
    await operator?.stop();
    await system?.stop();
    await admin.disconnect().catch(() => undefined);
    await claim.stop();
    await redis.quit().catch(() => undefined);
  }
}

class Interrupted extends Error {}

/**
 * The Redis of a run for the banner: its URL without a password, the cluster's seed nodes, or the
 * Sentinels and the name of the primary they watch.
 */
function describeRedis(redis: RedisConnectionConfig): string {
  if (redis.url) return redactUrl(redis.url);
  const list = (nodes: readonly { host: string; port: number }[]) =>
    nodes.map((node) => `${node.host}:${node.port}`).join(',');
  if (redis.sentinels) {
    return `primary ${redis.sentinels.masterName} by Sentinels ${list(redis.sentinels.nodes)}`;
  }
  return `Cluster ${list(redis.clusterNodes ?? [])}`;
}

/** The Redis URL without its password. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
