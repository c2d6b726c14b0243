/**
 * The JSON Schemas of the API's bodies, as they appear under `components.schemas` of the OpenAPI
 * document. The same objects validate requests at run time (see `request-validation.ts`) and the
 * integration tests validate every response against them, so the document, the validation and the
 * wire cannot drift apart. The start request reuses the wire contract's own property schemas
 * (`wire/contract/schemas/v1/request.schema.json`): `POST /v1/sagas` and a message on
 * `<prefix>.requests` accept exactly the same `type`, `input` and `id`.
 */
import requestSchema from '../../../wire/contract/schemas/v1/request.schema.json' with { type: 'json' };
import { SAGA_STATUSES } from '../../../wire/contract/index.js';
import { HISTORY_ENTRY_KINDS } from '../../engine/index.js';

export type JsonSchema = { [keyword: string]: unknown };

/** `#/components/schemas/<name>` (untyped here: the names are known only once the table is). */
const refTo = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const time: JsonSchema = {
  type: 'string',
  format: 'date-time',
  description: 'An instant, ISO 8601 in UTC.',
};

const jsonObject: JsonSchema = { type: 'object' };

const traceId: JsonSchema = {
  type: 'string',
  pattern: '^[0-9a-f]{32}$',
  description: 'The saga’s trace id (W3C), when it started with tracing on.',
};

export const SAGA_ID_PATTERN = requestSchema.properties.id.pattern;

/** Largest `limit` of one bulk retry (`POST /v1/sagas/retry-parked`), and its default. */
export const MAX_BULK_RETRY_LIMIT = 10_000;
export const DEFAULT_BULK_RETRY_LIMIT = 1_000;

const components = {
  Error: {
    type: 'object',
    description: 'Every 4xx and 5xx response.',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: {
          code: {
            type: 'string',
            description: 'Stable and machine-readable, e.g. VALIDATION_FAILED, SAGA_NOT_FOUND.',
          },
          message: { type: 'string', description: 'What is wrong, in one line.' },
          details: { type: 'object', description: 'What a client can act on.' },
        },
      },
    },
  },
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
  SagaCounts: {
    type: 'object',
    required: ['items'],
    additionalProperties: false,
    properties: {
      items: {
        type: 'array',
        items: {
          type: 'object',
          required: ['type', 'status', 'count'],
          additionalProperties: false,
          properties: {
            type: { type: 'string' },
            status: refTo('SagaStatus'),
            count: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
  },
  RetryParkedRequest: {
    type: 'object',
    required: ['type'],
    additionalProperties: false,
    properties: {
      type: { type: 'string', minLength: 1, maxLength: 200, description: 'Saga type.' },
      state: {
        type: 'string',
        minLength: 1,
        description: 'Only parked sagas in this state (a parked saga’s state, e.g. parked).',
      },
      dryRun: { type: 'boolean', description: 'Count and list; change nothing.' },
      limit: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_BULK_RETRY_LIMIT,
        description: `Most sagas retried (default ${DEFAULT_BULK_RETRY_LIMIT}).`,
      },
    },
  },
  RetryParkedResult: {
    type: 'object',
    required: ['matched', 'retried', 'ids', 'failed'],
    additionalProperties: false,
    properties: {
      matched: { type: 'integer', minimum: 0, description: 'Parked sagas found (at most limit).' },
      retried: { type: 'integer', minimum: 0, description: 'Retried now (0 in a dry run).' },
      ids: {
        type: 'array',
        items: { type: 'string' },
        description: 'The sagas retried, or in a dry run those that would be.',
      },
      failed: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'reason'],
          additionalProperties: false,
          properties: { id: { type: 'string' }, reason: { type: 'string' } },
        },
      },
    },
  },
  MigrationRequest: {
    type: 'object',
    required: ['from', 'to'],
    additionalProperties: false,
    properties: {
      from: {
        type: 'string',
        minLength: 1,
        maxLength: 100,
        description: 'The version the sagas run on.',
      },
      to: {
        type: 'string',
        minLength: 1,
        maxLength: 100,
        description: 'The version to move them to; it declares a migration from `from`.',
      },
      dryRun: {
        type: 'boolean',
        description: 'List who would move and who cannot; change nothing.',
      },
      state: { type: 'string', minLength: 1, description: 'Only sagas in this state (of `from`).' },
      limit: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_BULK_RETRY_LIMIT,
        description: `Most sagas looked at, newest first (default ${DEFAULT_BULK_RETRY_LIMIT}).`,
      },
    },
  },
  MigrationResult: {
    type: 'object',
    required: ['type', 'from', 'to', 'dryRun', 'wouldMove', 'moved', 'cannot'],
    additionalProperties: false,
    properties: {
      type: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      dryRun: { type: 'boolean' },
      wouldMove: {
        type: 'array',
        items: { type: 'string' },
        description: 'In a dry run, the sagas that would move (empty otherwise).',
      },
      moved: {
        type: 'array',
        items: { type: 'string' },
        description: 'The sagas moved now, each atomically, each with an operator history line.',
      },
      cannot: {
        type: 'array',
        description: 'Sagas of `from` that stay on it, with their state and why.',
        items: {
          type: 'object',
          required: ['id', 'state', 'reason'],
          additionalProperties: false,
          properties: {
            id: { type: 'string' },
            state: { type: 'string' },
            reason: { type: 'string' },
          },
        },
      },
    },
  },
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
  MessageContract: {
    type: 'object',
    description: 'The JSON Schemas (draft 2020-12) of one command; null where none is declared.',
    required: ['payload', 'reply'],
    additionalProperties: false,
    properties: {
      payload: {
        description:
          'What the command’s payload holds; the orchestrator sends nothing else (every top-level property is declared).',
        oneOf: [jsonObject, { type: 'null' }],
      },
      reply: {
        description:
          'What a success reply’s payload may hold; a success reply that does not match is dead-lettered (SCHEMA_INVALID) and the step waits for its deadline.',
        oneOf: [jsonObject, { type: 'null' }],
      },
    },
  },
  StepContract: {
    type: 'object',
    description: 'The step’s command contract, and its compensation’s.',
    required: ['command', 'compensation'],
    additionalProperties: false,
    properties: {
      command: refTo('MessageContract'),
      compensation: { oneOf: [refTo('MessageContract'), { type: 'null' }] },
    },
  },
  SagaStep: {
    type: 'object',
    required: [
      'step',
      'participant',
      'command',
      'timeoutMs',
      'maxAttempts',
      'compensation',
      'contract',
    ],
    properties: {
      step: { type: 'string' },
      stateId: { type: 'string' },
      participant: { type: 'string' },
      command: { type: 'string' },
      timeoutMs: { type: 'integer' },
      maxAttempts: { type: 'integer' },
      compensation: {
        oneOf: [
          {
            type: 'object',
            required: ['participant', 'command'],
            properties: { participant: { type: 'string' }, command: { type: 'string' } },
          },
          { type: 'null' },
        ],
      },
      contract: refTo('StepContract'),
    },
  },
  SignalContracts: {
    type: 'object',
    description:
      'The signals the definition declares, by event type: what each means and the JSON Schema ' +
      '(draft 2020-12) of its fields besides `type`. POST /v1/sagas/{id}/events refuses a ' +
      'declared signal whose fields do not match (400 INVALID_EVENT); a type not listed is not checked.',
    additionalProperties: {
      type: 'object',
      required: ['description', 'schema'],
      additionalProperties: false,
      properties: {
        description: { type: 'string' },
        schema: { ...jsonObject, description: 'JSON Schema of the event without its `type`.' },
      },
    },
  },
  DefinitionSummary: {
    type: 'object',
    required: ['type', 'version', 'steps'],
    additionalProperties: false,
    properties: {
      type: { type: 'string' },
      version: { type: 'string', description: 'The version new sagas start on.' },
      versions: {
        type: 'array',
        items: { type: 'string' },
        description:
          'Every version of the type this orchestrator runs, oldest first; present when there are several (sagas stay on the version that started them).',
      },
      description: { type: 'string' },
      steps: { type: 'array', items: refTo('SagaStep') },
      signals: refTo('SignalContracts'),
    },
  },
  DefinitionList: {
    type: 'object',
    required: ['items'],
    additionalProperties: false,
    properties: { items: { type: 'array', items: refTo('DefinitionSummary') } },
  },
  Definition: {
    type: 'object',
    required: ['type', 'version', 'steps', 'definition', 'config'],
    additionalProperties: false,
    properties: {
      type: { type: 'string' },
      version: { type: 'string' },
      description: { type: 'string' },
      steps: { type: 'array', items: refTo('SagaStep') },
      signals: refTo('SignalContracts'),
      definition: {
        type: 'object',
        description: 'XState’s machine.toJSON(): the statechart as the Stately inspector draws it.',
      },
      config: {
        type: 'object',
        description: 'The machine config without its functions (paste it into stately.ai/viz).',
      },
    },
  },
  Session: {
    type: 'object',
    required: ['role', 'links'],
    additionalProperties: false,
    properties: {
      role: {
        type: 'string',
        enum: ['operator', 'read-only'],
        description: 'operator: every route; read-only: every GET (an action answers 403).',
      },
      links: {
        type: 'object',
        additionalProperties: false,
        properties: {
          grafanaUrl: {
            type: 'string',
            description: 'Base URL of Grafana (CONSOLE_GRAFANA_URL), when configured.',
          },
          traceUrlTemplate: {
            type: 'string',
            description:
              'URL of one trace with `{traceId}` in it (CONSOLE_TRACE_URL), when configured.',
          },
        },
      },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', const: 'ok' } },
  },
  Readiness: {
    type: 'object',
    required: ['status', 'checks'],
    properties: {
      status: { type: 'string', enum: ['ready', 'not ready'] },
      checks: { type: 'object', additionalProperties: { type: 'boolean' } },
    },
  },
} satisfies Record<string, JsonSchema>;

export type ComponentName = keyof typeof components;

export const COMPONENT_SCHEMAS: Record<ComponentName, JsonSchema> = components;

/** `{ $ref: '#/components/schemas/<name>' }` */
export const ref = (name: ComponentName): JsonSchema => refTo(name);
