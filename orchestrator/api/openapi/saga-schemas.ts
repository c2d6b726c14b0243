/**
 * The component schemas of one saga: the start and signal requests, what it waits for, its
 * history, its summary in a list and its full view. Part of the document's components
 * (components.ts).
 */
import requestSchema from '../../../wire/contract/schemas/v1/request.schema.json' with { type: 'json' };
import { SAGA_STATUSES } from '../../../wire/contract/index.js';
import { HISTORY_ENTRY_KINDS } from '../../engine/index.js';
import { refTo, time, traceId, type JsonSchema } from './schema-primitives.js';

/** A saga’s status, the requests that start and signal it, and what it is doing. */
export const sagaSchemas = {
  SagaStatus: {
    type: 'string',
    enum: [...SAGA_STATUSES],
    description: 'parked: a compensation ran out of retries and waits for an operator (retry).',
  },
  StartSagaRequest: {
    type: 'object',
    description:
      'Starts a saga. The saga id is `id` when given; else it is derived from the Idempotency-Key ' +
      'header (the same type and key always name the same saga); else a new one is made.',
    required: ['type', 'input'],
    additionalProperties: false,
    properties: {
      type: requestSchema.properties.type,
      input: requestSchema.properties.input,
      id: requestSchema.properties.id,
    },
  },
  SignalRequest: {
    type: 'object',
    description:
      'An external event for the statechart, e.g. `{ "type": "order.approve", "approvedBy": "ana" }`. ' +
      'Every property besides `type` is the event’s data; when the definition declares the ' +
      'signal (Definition.signals), it must match the declared schema.',
    required: ['type'],
    properties: {
      type: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        description:
          'Not step.*, compensation.*, xstate.* (the engine’s own) nor saga.* (use /cancel and /retry).',
      },
    },
  },
  PendingCommand: {
    type: 'object',
    description: 'A command the saga sent and whose reply it waits for.',
    required: [
      'commandId',
      'step',
      'participant',
      'command',
      'kind',
      'attempt',
      'issuedAt',
      'expiresAt',
    ],
    additionalProperties: false,
    properties: {
      commandId: { type: 'string' },
      step: { type: 'string', description: 'The step (for a compensation, the step it undoes).' },
      participant: { type: 'string' },
      command: { type: 'string' },
      kind: { type: 'string', enum: ['action', 'compensation'] },
      attempt: { type: 'integer', minimum: 1 },
      issuedAt: time,
      expiresAt: time,
    },
  },
  ArmedTimer: {
    type: 'object',
    description: 'A durable timer (a step deadline, a retry backoff, an approval deadline).',
    required: ['timerId', 'dueAt', 'event'],
    additionalProperties: false,
    properties: {
      timerId: { type: 'string' },
      dueAt: time,
      event: { type: 'string', description: 'The event fed to the statechart when it fires.' },
    },
  },
  WaitingFor: {
    type: 'object',
    description: 'What would move the saga on from where it is.',
    required: ['summary', 'events', 'canCancel', 'canRetry'],
    additionalProperties: false,
    properties: {
      summary: {
        type: 'array',
        items: { type: 'string' },
        description: 'One line per reply, timer or event it waits for.',
      },
      events: {
        type: 'array',
        items: { type: 'string' },
        description: 'External event types POST /v1/sagas/{id}/events accepts now.',
      },
      canCancel: { type: 'boolean' },
      canRetry: { type: 'boolean' },
    },
  },
  HistoryEntry: {
    type: 'object',
    required: ['at', 'kind', 'summary'],
    additionalProperties: false,
    properties: {
      at: time,
      kind: { type: 'string', enum: [...HISTORY_ENTRY_KINDS] },
      summary: { type: 'string' },
      step: { type: 'string' },
      commandId: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      data: {
        type: 'object',
        description:
          'The entry’s details: for a command its participant, command, kind and `payload` (as ' +
          'sent); for a reply its outcome, attempt and `result` (success) or `error` (failure).',
      },
    },
  },
  HistoryPage: {
    type: 'object',
    description: 'Where `history` sits in the saga’s whole history (oldest first).',
    required: ['offset', 'limit', 'total', 'dropped'],
    additionalProperties: false,
    properties: {
      offset: { type: 'integer', minimum: 0 },
      limit: { type: 'integer', minimum: 1 },
      total: { type: 'integer', minimum: 0, description: 'Entries kept now.' },
      dropped: {
        type: 'integer',
        minimum: 0,
        description: 'Oldest entries dropped once the history reached its limit.',
      },
    },
  },
  SagaSummary: {
    type: 'object',
    required: ['id', 'type', 'version', 'revision', 'status', 'state', 'createdAt', 'updatedAt'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      type: { type: 'string' },
      version: { type: 'string', description: 'The version of the definition the saga runs on.' },
      revision: {
        type: 'integer',
        minimum: 1,
        description: 'The record’s version: 1 after the start, +1 for every step applied.',
      },
      status: refTo('SagaStatus'),
      state: {
        type: 'string',
        description: 'The statechart state, dotted; parallel regions joined by commas.',
      },
      createdAt: time,
      updatedAt: time,
      traceId: traceId,
      paused: refTo('SagaPause'),
    },
  },
  SagaPause: {
    type: 'object',
    description: 'Present while an operator has the saga paused.',
    required: ['at', 'actor'],
    additionalProperties: false,
    properties: {
      at: time,
      actor: { type: 'string', description: 'Who paused it (Saga-Actor).' },
      reason: { type: 'string', description: 'Why (Saga-Reason).' },
    },
  },
} satisfies Record<string, JsonSchema>;

/** A saga as the API shows it: on its own, in a page, and its result. */
export const sagaViewSchemas = {
  Saga: {
    type: 'object',
    required: [
      'id',
      'type',
      'version',
      'revision',
      'status',
      'state',
      'context',
      'createdAt',
      'updatedAt',
      'pending',
      'timers',
      'waitingFor',
      'history',
      'historyPage',
    ],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      type: { type: 'string' },
      version: { type: 'string', description: 'The version of the definition the saga runs on.' },
      revision: { type: 'integer', minimum: 1 },
      status: refTo('SagaStatus'),
      state: { type: 'string' },
      context: {
        type: 'object',
        description: 'The statechart’s context: the input, each step’s progress and result.',
      },
      createdAt: time,
      updatedAt: time,
      traceId: traceId,
      idempotencyKey: { type: 'string' },
      pending: { type: 'array', items: refTo('PendingCommand') },
      timers: { type: 'array', items: refTo('ArmedTimer') },
      waitingFor: refTo('WaitingFor'),
      history: { type: 'array', items: refTo('HistoryEntry') },
      historyPage: refTo('HistoryPage'),
      paused: refTo('SagaPause'),
    },
  },
  SagaPage: {
    type: 'object',
    required: ['items'],
    additionalProperties: false,
    properties: {
      items: { type: 'array', items: refTo('SagaSummary'), description: 'Newest first.' },
      nextCursor: {
        type: 'string',
        description:
          'Present while there may be more: pass it back as `cursor`. A page may hold fewer ' +
          'than `limit` items and still have one.',
      },
    },
  },
  SagaResult: {
    type: 'object',
    required: ['done', 'saga'],
    additionalProperties: false,
    properties: {
      done: {
        type: 'boolean',
        description:
          'The saga is no longer running (ended, or parked) — false when the wait timed out.',
      },
      saga: refTo('Saga'),
    },
  },
} satisfies Record<string, JsonSchema>;
