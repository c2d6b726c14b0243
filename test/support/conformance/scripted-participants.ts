/**
 * Plays the participants of the conformance shapes on real Kafka: reads their command topics and
 * answers each command as the scenario says.
 *
 * - A step listed in a saga's script is answered at once (per attempt: success with a payload,
 *   a retryable failure, a refusal); a step not listed is **held**: the test answers it itself
 *   with `send`, or never does, so its deadline passes.
 * - Compensations always succeed at once (every delivery answered, as a participant answers a
 *   duplicate with its original reply).
 * - `send(replies, 'one-batch')` produces every reply in **one** `producer.send`: same key → same
 *   partition, one record batch → one fetch → one `eachBatch` of the orchestrator. With
 *   `'separate'` each reply is produced only once the one before it was applied (its command no
 *   longer pending), so no two share a batch. Duplicates and reordering are just lists
 *   (`[a, a, b]`, `[b, a]`).
 *
 * @example
 * const players = await playParticipants(infra, { participants: ['hotels', 'flights'], loadRecord });
 * players.script(sagaId, { charge: [succeed({ chargeId: 'c-1' })] });
 * const [hotel, flight] = await players.commands(sagaId, ['bookHotel', 'bookFlight']);
 * await players.send([players.reply(hotel, succeed()), players.reply(flight, succeed())], 'one-batch');
 */
import type { KafkaMessage } from 'kafkajs';
import {
  CONTRACT_VERSION,
  HEADERS,
  parseCommand,
  topicNames,
  type CommandMessage,
  type JsonObject,
  type ReplyMessage,
} from '../../../wire/contract/index.js';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import { eventually } from '../eventually.js';
import { groupJoined, type TestInfra } from '../infra.js';

/** A command as a participant received it, with what the test needs to route on. */
export interface ScriptedCommand extends CommandMessage {
  participant: string;
  kind: 'action' | 'compensation';
  step: string;
}

export type Answer =
  | { outcome: 'success'; payload?: JsonObject }
  | { outcome: 'failure'; code: string; retryable: boolean };

export const succeed = (payload: JsonObject = {}): Answer => ({ outcome: 'success', payload });
/** A business refusal: the step fails for good (`retryable: false`). */
export const refuse = (code: string): Answer => ({ outcome: 'failure', code, retryable: false });
/** A transient failure: the step is retried while attempts remain. */
export const failTransiently = (code: string): Answer => ({
  outcome: 'failure',
  code,
  retryable: true,
});

/**
 * Per step, the answer to each attempt in order (`[refuse(…)]`, `[failTransiently(…), succeed()]`);
 * `undefined` holds that attempt for the test (`[undefined, succeed()]`).
 */
export type Script = Partial<Record<string, ReadonlyArray<Answer | undefined>>>;

export type Delivery = 'one-batch' | 'separate';

export interface PlayOptions {
  participants: readonly string[];
  /** Reads the saga as stored (in-process store, or the HTTP API of a process). */
  loadRecord: (sagaId: string) => Promise<SagaRecord | undefined>;
}

export interface ScriptedParticipants {
  /** Every command delivery, duplicates included, in arrival order. */
  readonly received: readonly ScriptedCommand[];
  /** What to answer for `sagaId` at once; steps not in the script are held. */
  script(sagaId: string, script: Script): void;
  /** Waits for the first delivery of each step's action (attempt 1 unless given). */
  commands(sagaId: string, steps: readonly string[], attempt?: number): Promise<ScriptedCommand[]>;
  /** The saga's distinct commands of one kind (first delivery of each command id), in order. */
  sent(sagaId: string, kind: ScriptedCommand['kind']): ScriptedCommand[];
  /** `participant.Command` of the saga's distinct compensations, in the order they were sent. */
  compensationsSent(sagaId: string): string[];
  reply(command: ScriptedCommand, answer: Answer): ReplyMessage;
  send(replies: readonly ReplyMessage[], delivery: Delivery): Promise<void>;
}

function scriptedCommand(topic: string, message: KafkaMessage): ScriptedCommand | undefined {
  const parsed = parseCommand(message.value ?? '');
  if (!parsed.ok) return undefined;
  const command = parsed.value;
  const participant = topic.slice(0, -'.commands'.length).split('.').at(-1) ?? '';
  // `<sagaId>.<step>.<attempt>` or `<sagaId>.<step>.compensate.<attempt>`
  const rest = command.commandId.slice(command.sagaId.length + 1).split('.');
  return {
    ...command,
    participant,
    step: rest[0] ?? '',
    kind: rest[1] === 'compensate' ? 'compensation' : 'action',
  };
}

/** Starts the scripted participants; they stop with the file (`useInfra`'s cleanups). */
export async function playParticipants(
  infra: TestInfra,
  options: PlayOptions,
): Promise<ScriptedParticipants> {
  const topics = topicNames(infra.prefix);
  const producer = await infra.producer({ idempotent: true });
  const consumer = await infra.consumer();
  const received: ScriptedCommand[] = [];
  const scripts = new Map<string, Script>();

  const reply = (command: ScriptedCommand, answer: Answer): ReplyMessage =>
    answer.outcome === 'success'
      ? {
          commandId: command.commandId,
          sagaId: command.sagaId,
          type: command.type,
          outcome: 'success',
          payload: answer.payload ?? {},
        }
      : {
          commandId: command.commandId,
          sagaId: command.sagaId,
          type: command.type,
          outcome: 'failure',
          error: { code: answer.code, message: answer.code, retryable: answer.retryable },
        };

  const sagaTypes = new Map<string, string>();
  const toMessage = (r: ReplyMessage) => ({
    key: r.sagaId,
    value: JSON.stringify(r),
    headers: {
      [HEADERS.contractVersion]: String(CONTRACT_VERSION),
      [HEADERS.sagaId]: r.sagaId,
      [HEADERS.sagaType]: sagaTypes.get(r.sagaId) ?? '',
      [HEADERS.commandId]: r.commandId,
      [HEADERS.messageType]: r.type,
    },
  });
  const produce = (replies: readonly ReplyMessage[]) =>
    producer.send({ topic: topics.replies, messages: replies.map(toMessage) });

  const answerFor = (command: ScriptedCommand): Answer | undefined => {
    if (command.kind === 'compensation') return succeed();
    return scripts.get(command.sagaId)?.[command.step]?.[command.attempt - 1];
  };

  await consumer.subscribe({
    topics: options.participants.map((p) => topics.commands(p)),
    fromBeginning: true,
  });
  const joined = groupJoined(consumer);
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const command = scriptedCommand(topic, message);
      if (!command) return;
      sagaTypes.set(command.sagaId, command.sagaType);
      received.push(command);
      const answer = answerFor(command);
      if (answer) await produce([reply(command, answer)]);
    },
  });
  await joined;

  const firstDeliveries = (sagaId: string, kind: ScriptedCommand['kind']) => {
    const seen = new Set<string>();
    return received.filter((c) => {
      if (c.sagaId !== sagaId || c.kind !== kind || seen.has(c.commandId)) return false;
      seen.add(c.commandId);
      return true;
    });
  };

  const applied = (r: ReplyMessage) =>
    eventually(`the reply to ${r.commandId} to be applied`, async () => {
      const record = await options.loadRecord(r.sagaId);
      return record && !record.pending.some((p) => p.commandId === r.commandId) ? true : undefined;
    });

  return {
    received,
    script: (sagaId, script) => void scripts.set(sagaId, script),
    commands: (sagaId, steps, attempt = 1) =>
      eventually(`commands ${steps.join(', ')} (attempt ${attempt}) of ${sagaId}`, async () => {
        const found = steps.map((step) =>
          received.find(
            (c) =>
              c.sagaId === sagaId &&
              c.kind === 'action' &&
              c.step === step &&
              c.attempt === attempt,
          ),
        );
        return found.every((c) => c !== undefined) ? found : undefined;
      }),
    sent: firstDeliveries,
    compensationsSent: (sagaId) =>
      firstDeliveries(sagaId, 'compensation').map((c) => `${c.participant}.${c.type}`),
    reply,
    async send(replies, delivery) {
      if (delivery === 'one-batch') {
        await produce(replies);
        return;
      }
      for (const r of replies) {
        await produce([r]);
        await applied(r);
      }
    },
  };
}
