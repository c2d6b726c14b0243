/**
 * The AsyncAPI 3.0 document of the wire contract for the loaded definitions (`GET /asyncapi.json`,
 * `saga asyncapi`): every topic (`<prefix>.<participant>.commands` per participant, replies,
 * requests, events, dlq), every message — each command with its step's payload schema inside the
 * v1 command envelope, each reply with its reply schema inside the reply envelope, the start
 * request, the lifecycle event, the dead letter — their headers and keys, and what the
 * orchestrator does on each topic. A pure function of the definitions and the topic prefix.
 */
import { topicNames } from '../../../wire/contract/index.js';
import type { DefinitionDescription, JsonSchema, SagaStepInfo } from '../../engine/index.js';
import {
  componentRef,
  sagaIdKey,
  WIRE_CORRELATION_IDS,
  WIRE_MESSAGES,
  WIRE_SCHEMAS,
  type AsyncApiObject,
} from './wire-components.js';

export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description: string };
  defaultContentType: string;
  channels: Record<string, AsyncApiObject>;
  operations: Record<string, AsyncApiObject>;
  components: {
    schemas: Record<string, AsyncApiObject>;
    messages: Record<string, AsyncApiObject>;
    correlationIds: Record<string, AsyncApiObject>;
  };
}

export interface AsyncApiOptions {
  /** The loaded definitions (their steps carry the schemas). */
  definitions: readonly Pick<DefinitionDescription, 'type' | 'version' | 'steps'>[];
  /** `SAGA_TOPIC_PREFIX`. @default 'saga' */
  topicPrefix?: string;
  /** The service's version, shown in `info`. @default '1' */
  version?: string;
}

type Kind = 'command' | 'compensation';

/** One command a step sends: the step, which of its two commands, and where it goes. */
interface SentCommand {
  sagaType: string;
  step: SagaStepInfo;
  kind: Kind;
  participant: string;
  command: string;
  payload: JsonSchema | null;
  reply: JsonSchema | null;
}

function commandsOf(sagaType: string, step: SagaStepInfo): SentCommand[] {
  const sent: SentCommand[] = [
    {
      sagaType,
      step,
      kind: 'command',
      participant: step.participant,
      command: step.command,
      payload: step.contract.command.payload,
      reply: step.contract.command.reply,
    },
  ];
  if (step.compensation) {
    sent.push({
      sagaType,
      step,
      kind: 'compensation',
      participant: step.compensation.participant,
      command: step.compensation.command,
      payload: step.contract.compensation?.payload ?? null,
      reply: step.contract.compensation?.reply ?? null,
    });
  }
  return sent;
}

/**
 * `order.reserveInventory.command` / `.reply`, `.compensation` / `.compensationReply`: component
 * keys may hold letters, digits, `.`, `-` and `_`.
 */
function key(sent: SentCommand, message: 'command' | 'reply'): string {
  const name =
    sent.kind === 'command'
      ? message
      : message === 'command'
        ? 'compensation'
        : 'compensationReply';
  return `${sent.sagaType}.${sent.step.step}.${name}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

const anyObject = { type: 'object', description: 'No schema declared: any object.' };

const what = (sent: SentCommand) =>
  sent.kind === 'compensation' ? `undoes step ${sent.step.step}` : `step ${sent.step.step}`;

function commandMessage(sent: SentCommand): AsyncApiObject {
  return {
    name: sent.command,
    title: `${sent.participant}.${sent.command} (${sent.sagaType}, ${what(sent)})`,
    summary: `Sent by the orchestrator to ${sent.participant}; ${what(sent)} of saga type ${sent.sagaType}.`,
    contentType: 'application/json',
    correlationId: componentRef('correlationIds', 'commandId'),
    headers: componentRef('schemas', 'commandHeaders'),
    payload: {
      allOf: [
        componentRef('schemas', 'commandEnvelope'),
        {
          type: 'object',
          properties: {
            sagaType: { const: sent.sagaType },
            type: { const: sent.command },
            payload: sent.payload ?? anyObject,
          },
        },
      ],
    },
    bindings: sagaIdKey,
  };
}

function replyMessage(sent: SentCommand): AsyncApiObject {
  return {
    name: `${sent.command}Reply`,
    title: `Reply to ${sent.participant}.${sent.command} (${sent.sagaType}, ${what(sent)})`,
    summary:
      'A success carries the step’s result in payload; a failure carries error { code, message, retryable }.',
    contentType: 'application/json',
    correlationId: componentRef('correlationIds', 'commandId'),
    headers: componentRef('schemas', 'commandHeaders'),
    payload: {
      allOf: [
        componentRef('schemas', 'replyEnvelope'),
        { type: 'object', properties: { type: { const: sent.command } } },
        {
          if: { properties: { outcome: { const: 'success' } } },
          then: { properties: { payload: sent.reply ?? anyObject } },
        },
      ],
    },
    bindings: sagaIdKey,
  };
}

const channelMessages = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, componentRef('messages', name)]));

const operationMessages = (channel: string, names: readonly string[]) =>
  names.map((name) => ({ $ref: `#/channels/${channel}/messages/${name}` }));

/** Builds the document; see the file comment. */
export function buildAsyncApiDocument(options: AsyncApiOptions): AsyncApiDocument {
  const topics = topicNames(options.topicPrefix);
  const sent = options.definitions.flatMap((d) => d.steps.flatMap((s) => commandsOf(d.type, s)));
  const messages: Record<string, AsyncApiObject> = { ...WIRE_MESSAGES };
  const byParticipant = new Map<string, string[]>();
  const replies: string[] = [];
  for (const command of sent) {
    const commandKey = key(command, 'command');
    const replyKey = key(command, 'reply');
    messages[commandKey] = commandMessage(command);
    messages[replyKey] = replyMessage(command);
    byParticipant.set(command.participant, [
      ...(byParticipant.get(command.participant) ?? []),
      commandKey,
    ]);
    replies.push(replyKey);
  }

  const channels: Record<string, AsyncApiObject> = {};
  const operations: Record<string, AsyncApiObject> = {};
  for (const [participant, names] of byParticipant) {
    const channel = `${participant}Commands`.replace(/[^A-Za-z0-9._-]/g, '_');
    channels[channel] = {
      address: topics.commands(participant),
      title: `${participant} commands`,
      description: `Commands to ${participant}; its instances share one consumer group (${topics.prefix}.${participant}). Delivered at least once: deduplicate on commandId.`,
      messages: channelMessages(names),
    };
    operations[`send${channel[0]?.toUpperCase() ?? ''}${channel.slice(1)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channel}` },
      summary: `The orchestrator sends ${participant} its commands.`,
      messages: operationMessages(channel, names),
      reply: {
        address: {
          description: 'The command’s replyTopic.',
          location: '$message.payload#/replyTopic',
        },
        channel: { $ref: '#/channels/replies' },
      },
    };
  }
  channels.replies = {
    address: topics.replies,
    title: 'Replies',
    description: 'Every participant’s replies, keyed by the command’s sagaId.',
    messages: channelMessages(replies),
  };
  channels.requests = {
    address: topics.requests,
    title: 'Start requests',
    messages: channelMessages(['startRequest']),
  };
  channels.events = {
    address: topics.events,
    title: 'Lifecycle events',
    messages: channelMessages(['lifecycleEvent']),
  };
  channels.dlq = {
    address: topics.dlq,
    title: 'Dead letters',
    description: 'Messages that could not be processed, with the reason in dlq-* headers.',
    messages: channelMessages(['deadLetter']),
  };
  operations.receiveReplies = {
    action: 'receive',
    channel: { $ref: '#/channels/replies' },
    summary: 'The orchestrator applies the first reply to each pending commandId.',
    messages: operationMessages('replies', replies),
  };
  operations.receiveStartRequests = {
    action: 'receive',
    channel: { $ref: '#/channels/requests' },
    summary: 'The orchestrator starts a saga for each valid request.',
    messages: operationMessages('requests', ['startRequest']),
  };
  operations.sendLifecycleEvents = {
    action: 'send',
    channel: { $ref: '#/channels/events' },
    summary: 'The orchestrator publishes what happened to each saga.',
    messages: operationMessages('events', ['lifecycleEvent']),
  };
  operations.sendDeadLetters = {
    action: 'send',
    channel: { $ref: '#/channels/dlq' },
    summary: 'The orchestrator (and every participant) dead-letters what it cannot process.',
    messages: operationMessages('dlq', ['deadLetter']),
  };

  const types = options.definitions.map((d) => `${d.type}@${d.version}`).join(', ');
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Saga orchestrator wire contract',
      version: options.version ?? '1',
      description: `Wire contract v1 for the saga types ${types || '(none)'}: JSON values, string keys (the sagaId), string headers. See docs/wire-contract.md.`,
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: {
      schemas: { ...WIRE_SCHEMAS },
      messages,
      correlationIds: { ...WIRE_CORRELATION_IDS },
    },
  };
}
