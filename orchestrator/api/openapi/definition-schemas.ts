/**
 * The component schemas of the saga definitions the orchestrator serves: their messages, steps,
 * signals and statecharts. Part of the document's components (components.ts).
 */
import { jsonObject, refTo, type JsonSchema } from './schema-primitives.js';

/** A definition, its steps and its contracts. */
export const definitionSchemas = {
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
} satisfies Record<string, JsonSchema>;
