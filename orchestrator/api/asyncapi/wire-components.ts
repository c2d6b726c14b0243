/**
 * The parts of the AsyncAPI document that do not depend on the loaded definitions: the v1
 * envelope schemas (from `wire/contract/schemas/v1/`, so the document and the validators
 * cannot drift apart), the Kafka headers of `wire/contract/headers.ts`, and the messages
 * of the start request, the lifecycle event and the dead letter.
 */
import commandSchema from '../../../wire/contract/schemas/v1/command.schema.json' with { type: 'json' };
import lifecycleEventSchema from '../../../wire/contract/schemas/v1/lifecycle-event.schema.json' with { type: 'json' };
import replySchema from '../../../wire/contract/schemas/v1/reply.schema.json' with { type: 'json' };
import requestSchema from '../../../wire/contract/schemas/v1/request.schema.json' with { type: 'json' };
import { CONTRACT_VERSION, DLQ_ERROR_CODES, HEADERS } from '../../../wire/contract/index.js';

export type AsyncApiObject = { [key: string]: unknown };

/** `#/components/<kind>/<name>` */
export const componentRef = (kind: string, name: string): AsyncApiObject => ({
  $ref: `#/components/${kind}/${name}`,
});

/** A schema file without its `$schema`/`$id`: inside the document it is a component. */
function component(schema: AsyncApiObject): AsyncApiObject {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

const header = (description: string, schema: AsyncApiObject = { type: 'string' }) => ({
  ...schema,
  description,
});

const sagaHeaderProperties = {
  [HEADERS.traceparent]: header('W3C trace context; continue it (your span is a child).'),
  [HEADERS.tracestate]: header('W3C trace state, when there is one; pass it on.'),
  [HEADERS.contractVersion]: header('The wire contract version.', {
    type: 'string',
    const: String(CONTRACT_VERSION),
  }),
  [HEADERS.sagaId]: header('A copy of the sagaId.'),
  [HEADERS.sagaType]: header('A copy of the sagaType (e.g. order).'),
};

const commandHeaderProperties = {
  ...sagaHeaderProperties,
  [HEADERS.commandId]: header('A copy of the commandId.'),
  [HEADERS.messageType]: header('The command type (e.g. ReserveItems), also on its reply.'),
};

const headersSchema = (description: string, properties: AsyncApiObject): AsyncApiObject => ({
  type: 'object',
  description: `${description} Headers are copies for routing and tracing; the value is authoritative.`,
  properties,
});

export const WIRE_SCHEMAS: Record<string, AsyncApiObject> = {
  commandEnvelope: component(commandSchema),
  replyEnvelope: component(replySchema),
  startRequest: component(requestSchema),
  lifecycleEvent: component(lifecycleEventSchema),
  sagaHeaders: headersSchema('On lifecycle events.', sagaHeaderProperties),
  commandHeaders: headersSchema('On commands and replies.', commandHeaderProperties),
  deadLetterHeaders: headersSchema('The original headers, and why it was given up.', {
    ...commandHeaderProperties,
    [HEADERS.dlqReason]: header('What is wrong, for a person.'),
    [HEADERS.dlqErrorCode]: header('Why, for a machine.', {
      type: 'string',
      examples: [...Object.values(DLQ_ERROR_CODES), 'ENGINE_ERROR'],
    }),
    [HEADERS.dlqSourceTopic]: header('Where the message was read.'),
    [HEADERS.dlqSourcePartition]: header('Its partition (decimal).'),
    [HEADERS.dlqSourceOffset]: header('Its offset (decimal).'),
    [HEADERS.dlqSource]: header(
      'Who dead-lettered it, e.g. participant:inventory or orchestrator.',
    ),
    [HEADERS.dlqAt]: header('When, ISO 8601.'),
  }),
};

/** Every message is keyed by its sagaId (one saga's messages on one partition, in order). */
export const sagaIdKey: AsyncApiObject = {
  kafka: {
    key: { type: 'string', description: 'The sagaId.' },
    bindingVersion: '0.5.0',
  },
};

export const WIRE_MESSAGES: Record<string, AsyncApiObject> = {
  startRequest: {
    name: 'StartRequest',
    title: 'Start request',
    summary: 'Starts a saga: the asynchronous twin of POST /v1/sagas.',
    contentType: 'application/json',
    payload: componentRef('schemas', 'startRequest'),
    bindings: {
      kafka: {
        key: { type: 'string', description: 'The idempotency key, or the saga id.' },
        bindingVersion: '0.5.0',
      },
    },
  },
  lifecycleEvent: {
    name: 'LifecycleEvent',
    title: 'Saga lifecycle event',
    summary: 'What happened to a saga; which events are published is SAGA_LIFECYCLE_EVENTS.',
    contentType: 'application/json',
    headers: componentRef('schemas', 'sagaHeaders'),
    payload: componentRef('schemas', 'lifecycleEvent'),
    bindings: sagaIdKey,
  },
  deadLetter: {
    name: 'DeadLetter',
    title: 'Dead letter',
    summary: 'A message that could not be processed: its key, value and headers unchanged.',
    description: 'The value is the original value, which may not even be JSON (MALFORMED).',
    headers: componentRef('schemas', 'deadLetterHeaders'),
    payload: { description: 'The original value, unchanged.' },
    bindings: sagaIdKey,
  },
};

/** Command and reply carry their commandId: it pairs a reply with its command. */
export const WIRE_CORRELATION_IDS: Record<string, AsyncApiObject> = {
  commandId: {
    description: 'The reply copies the command’s commandId.',
    location: '$message.payload#/commandId',
  },
};
