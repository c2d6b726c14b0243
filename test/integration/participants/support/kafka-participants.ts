/**
 * Participants on the real broker for tests: a Kafka participant transport with the fast test
 * timings, the contract's topics under the test file's prefix, a command producer (the
 * orchestrator's side), and clean-up of whatever was started.
 */
import { CONTRACT_VERSION, HEADERS, type CommandMessage } from '../../../../wire/contract/index.js';
import { silentLogger } from '../../../../wire/telemetry/logger.js';
import {
  kafkaParticipantTransport,
  type KafkaParticipantTransport,
  type RunningParticipant,
} from '../../../../participants/sdk/index.js';
import { infraEndpoints, TEST_CONSUMER_TIMINGS, type TestInfra } from '../../../support/infra.js';

export const TEST_SUBSCRIBER_SETTINGS = {
  sessionTimeoutMs: TEST_CONSUMER_TIMINGS.sessionTimeout,
  heartbeatIntervalMs: TEST_CONSUMER_TIMINGS.heartbeatInterval,
  maxWaitTimeMs: TEST_CONSUMER_TIMINGS.maxWaitTimeInMs,
  rebalanceTimeoutMs: TEST_CONSUMER_TIMINGS.rebalanceTimeout,
  joinTimeoutMs: 45_000,
} as const;

export interface KafkaParticipantsHarness {
  /** The shared transport (created in `before`). */
  transport(): KafkaParticipantTransport;
  /** Remembers a running participant so it is stopped after the file. */
  track(running: RunningParticipant): RunningParticipant;
  /** Creates `<prefix>.<participant>.commands` (and replies, DLQ once). */
  createTopics(participants: string[], partitions?: number): Promise<void>;
  /** Produces commands as the orchestrator would: key = sagaId, contract headers. */
  sendCommands(participant: string, commands: CommandMessage[]): Promise<void>;
  /** Produces raw values (poison) to a participant's command topic. */
  sendRaw(participant: string, values: Array<{ key: string; value: string }>): Promise<void>;
}

export function kafkaParticipants(infra: TestInfra): KafkaParticipantsHarness {
  let transport: KafkaParticipantTransport | undefined;
  const running: RunningParticipant[] = [];
  let sharedTopics: Promise<unknown> | undefined;

  before(async function () {
    this.timeout(60_000);
    transport = await kafkaParticipantTransport({
      kafka: { brokers: infraEndpoints().brokers, clientId: infra.prefix, logLevel: 'error' },
      subscriber: TEST_SUBSCRIBER_SETTINGS,
      logger: silentLogger,
    });
  });
  // Participants leave their groups after each test, before the file's topics are deleted.
  afterEach(async function () {
    this.timeout(60_000);
    await Promise.allSettled(running.splice(0).map((r) => r.stop()));
  });
  after(async function () {
    this.timeout(60_000);
    await transport?.close();
  });

  let connected: ReturnType<TestInfra['producer']> | undefined;
  const producer = () => (connected ??= infra.producer({ idempotent: true }));
  return {
    transport() {
      if (!transport) throw new Error('the transport is made in before()');
      return transport;
    },
    track(participant) {
      running.push(participant);
      return participant;
    },
    async createTopics(participants, partitions = 1) {
      sharedTopics ??= Promise.all([infra.createTopic('replies', 4), infra.createTopic('dlq')]);
      await sharedTopics;
      await Promise.all(participants.map((p) => infra.createTopic(`${p}.commands`, partitions)));
    },
    async sendCommands(participant, commands) {
      await (
        await producer()
      ).send({
        topic: infra.topic(`${participant}.commands`),
        messages: commands.map((command) => ({
          key: command.sagaId,
          value: JSON.stringify(command),
          headers: {
            [HEADERS.contractVersion]: String(CONTRACT_VERSION),
            [HEADERS.sagaId]: command.sagaId,
            [HEADERS.sagaType]: command.sagaType,
            [HEADERS.commandId]: command.commandId,
            [HEADERS.messageType]: command.type,
          },
        })),
      });
    },
    async sendRaw(participant, values) {
      await (
        await producer()
      ).send({ topic: infra.topic(`${participant}.commands`), messages: values });
    },
  };
}
