/**
 * The component schemas of operations on many sagas at once: counts, the bulk retry of parked
 * sagas and migrations between definition versions. Part of the document's components
 * (components.ts).
 */
import {
  DEFAULT_BULK_RETRY_LIMIT,
  MAX_BULK_RETRY_LIMIT,
  refTo,
  type JsonSchema,
} from './schema-primitives.js';

/** Counts, bulk retries and migrations. */
export const fleetSchemas = {
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
} satisfies Record<string, JsonSchema>;
