/**
 * A real participant process (`participants/main.ts`) with PARTICIPANT_METRICS_PORT set serves
 * what the Helm chart's probes and PodMonitor use: `/healthz`, `/readyz` (503 until the ready line,
 * 200 after), `/metrics` with the participant's metrics, and 404 for anything else.
 */
import { expect } from 'chai';
import {
  PARTICIPANT_METRIC_DEFINITIONS,
  prometheusName,
} from '../../../wire/telemetry/metric-names.js';
import { eventually } from '../../support/eventually.js';
import { infraEndpoints, TEST_CONSUMER_TIMINGS, useInfra } from '../../support/infra.js';
import { orderCommand } from './support/drive-participant.js';
import { kafkaParticipants } from './support/kafka-participants.js';
import { spawnParticipant, useParticipantProcesses } from './support/participant-process.js';
import { collectReplies } from './support/reply-collector.js';
import { freePort } from '../../support/free-port.js';

interface Answer {
  status: number;
  body: string;
}

async function get(port: number, path: string): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: await response.text() };
}

/** The first answer of `path` once the server listens (the process needs a moment to start). */
function firstAnswer(port: number, path: string, timeoutMs = 30_000): Promise<Answer> {
  return eventually(`an answer of ${path} on port ${port}`, () => get(port, path), {
    timeoutMs,
    retryOn: () => true,
  });
}

describe('example participant process: /healthz, /readyz and /metrics on PARTICIPANT_METRICS_PORT', function () {
  this.timeout(120_000);
  const infra = useInfra('participant-health');
  const harness = kafkaParticipants(infra);
  const processes = useParticipantProcesses();

  const baseEnv = () => ({
    REDIS_URL: infraEndpoints().redisUrl,
    SAGA_TOPIC_PREFIX: infra.prefix,
    PARTICIPANT_KEY_PREFIX: infra.key('shop'),
    LOG_LEVEL: 'error',
    KAFKA_SESSION_TIMEOUT: String(TEST_CONSUMER_TIMINGS.sessionTimeout),
    KAFKA_HEARTBEAT_INTERVAL: String(TEST_CONSUMER_TIMINGS.heartbeatInterval),
    KAFKA_MAX_WAIT: String(TEST_CONSUMER_TIMINGS.maxWaitTimeInMs),
    // Telemetry on, whatever the environment of the test run says.
    OTEL_SDK_DISABLED: 'false',
  });

  it('is live and ready once joined, serves its metrics, 404s elsewhere, and stops with 0', async () => {
    await harness.createTopics(['inventory'], 2);
    const port = await freePort();
    const participant = spawnParticipant('inventory', {
      ...baseEnv(),
      KAFKA_BROKERS: infraEndpoints().brokers.join(','),
      PARTICIPANT_METRICS_PORT: String(port),
      INVENTORY_STOCK: 'SKU-1=10',
    });
    processes.push(participant);
    const ready = await participant.ready;
    expect(ready.groupId).to.equal(`${infra.prefix}.inventory`);

    expect(await get(port, '/healthz')).to.deep.include({ status: 200 });
    const readyz = await get(port, '/readyz');
    expect(readyz.status, readyz.body).to.equal(200);
    expect(JSON.parse(readyz.body)).to.deep.include({
      ready: true,
      participant: 'inventory',
      groupId: ready.groupId,
      topic: ready.topic,
    });
    expect((await get(port, '/nothing-here')).status).to.equal(404);

    // A command it handled shows up in the participant's own metrics, labelled with its name.
    const replies = await collectReplies(infra, infra.topic('replies'));
    const command = orderCommand(
      'ReserveItems',
      { orderId: 'o-1', items: [{ sku: 'SKU-1', quantity: 1 }] },
      { replyTopic: infra.topic('replies') },
    );
    await harness.sendCommands('inventory', [command]);
    await replies.waitForReply(command.commandId, 1, 60_000);
    const metrics = await get(port, '/metrics');
    expect(metrics.status).to.equal(200);
    // One first delivery: handled once (the handler's own ledger write is not a duplicate).
    const handled = prometheusName(PARTICIPANT_METRIC_DEFINITIONS.handled);
    expect(handled).to.equal('saga_participant_commands_handled_total');
    expect(metrics.body).to.match(
      new RegExp(`^${handled}\\{[^}]*saga_participant="inventory"[^}]*\\} 1$`, 'm'),
    );
    const duration = prometheusName(PARTICIPANT_METRIC_DEFINITIONS.handlerDuration);
    expect(metrics.body).to.match(
      new RegExp(`^${duration}_count\\{[^}]*saga_participant="inventory"[^}]*\\} 1$`, 'm'),
    );
    // No duplicate: its series is there from start-up (issue 14), at 0.
    expect(metrics.body).to.match(
      /^saga_participant_commands_duplicates_total\{[^}]*saga_command_type="ReserveItems"[^}]*\} 0$/m,
    );
    expect(metrics.body).to.not.match(
      /^saga_participant_commands_duplicates_total\{[^}]*\} [1-9]/m,
    );

    participant.child.kill('SIGTERM');
    expect(await participant.exited, participant.stderr()).to.equal(0);
    // The server closed with the process: nothing answers on the port any more.
    let refused = false;
    await get(port, '/healthz').catch(() => (refused = true));
    expect(refused).to.equal(true);
  });

  it('answers /readyz 503 with the reason and /healthz 200 while Kafka is unreachable', async () => {
    const port = await freePort();
    const participant = spawnParticipant('inventory', {
      ...baseEnv(),
      // Nothing listens there: the process keeps retrying to connect and never gets ready.
      KAFKA_BROKERS: '127.0.0.1:1',
      PARTICIPANT_METRICS_PORT: String(port),
    });
    processes.push(participant);
    // Unhandled, the ready promise would reject when the process is killed below.
    participant.ready.catch(() => undefined);

    expect(await firstAnswer(port, '/healthz')).to.deep.include({ status: 200 });
    const readyz = await get(port, '/readyz');
    expect(readyz.status, readyz.body).to.equal(503);
    expect(JSON.parse(readyz.body)).to.deep.equal({
      ready: false,
      reason: 'starting: not yet a member of its consumer group',
    });
    expect((await get(port, '/metrics')).status).to.equal(200);

    participant.child.kill('SIGKILL');
    expect(await participant.exited).to.equal('SIGKILL');
  });
});
