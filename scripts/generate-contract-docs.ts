/**
 * The order saga's command tables in docs/wire-contract.md, generated from the saga's own JSON
 * Schemas (sagas/order/contracts.ts, read back through the step meta) so the docs say exactly
 * what the orchestrator sends. The generated text sits between two comment markers; everything
 * else in the file is left as it is.
 *
 *   npm run docs:contract            # rewrite the marked region
 *   npm run docs:contract -- --check # exit 1 when the committed doc differs, change nothing
 *
 * test/tooling/docs/contract-docs.test.ts fails when the committed doc drifts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { markdownTable } from 'markdown-table';
import * as prettier from 'prettier';
import type { SagaDefinition } from '../orchestrator/engine/index.js';
import { sagaStepsOf, type JsonSchema } from '../orchestrator/engine/index.js';
import orderSaga from '../sagas/order/index.js';

export const WIRE_CONTRACT_DOC = path.join('docs', 'wire-contract.md');
export const BEGIN_MARKER =
  '<!-- contract:order:begin — generated from sagas/order/contracts.ts by `npm run docs:contract`; do not edit by hand -->';
export const END_MARKER = '<!-- contract:order:end -->';

type Schema = Readonly<Record<string, unknown>>;

const propertiesOf = (schema: Schema | null) =>
  Object.entries((schema?.properties ?? {}) as Record<string, Schema>);
const requiredOf = (schema: Schema | null) => new Set((schema?.required ?? []) as string[]);

/** `{ orderId, items, reservationId? }`: the fields, `?` where the field may be absent. */
export function shapeOf(schema: JsonSchema | null): string {
  if (schema === null) return 'any object';
  const required = requiredOf(schema);
  const fields = propertiesOf(schema).map(([name]) => (required.has(name) ? name : `${name}?`));
  return fields.length === 0 ? '`{}`' : `\`{ ${fields.join(', ')} }\``;
}

/** A field's type in words: `string, ISO 4217 pattern`, `array (≥ 1) of { sku, quantity }`… */
export function typeOf(schema: Schema): string {
  const parts: string[] = [];
  const type = typeof schema.type === 'string' ? schema.type : 'any';
  if (type === 'array') {
    const items = (schema.items ?? {}) as Schema;
    const inner = items.type === 'object' ? shapeOf(items).replace(/`/g, '') : typeOf(items);
    const min = typeof schema.minItems === 'number' ? ` (≥ ${schema.minItems})` : '';
    return `array${min} of ${inner}`;
  }
  parts.push(type);
  if (schema.minLength === 1) parts.push('non-empty');
  if (typeof schema.pattern === 'string') parts.push(`matches \`${schema.pattern}\``);
  if (typeof schema.minimum === 'number') parts.push(`≥ ${schema.minimum}`);
  if (typeof schema.exclusiveMinimum === 'number') parts.push(`> ${schema.exclusiveMinimum}`);
  if (typeof schema.maximum === 'number') parts.push(`≤ ${schema.maximum}`);
  return parts.join(', ');
}

function fieldTable(schema: JsonSchema | null): string {
  if (schema === null) return 'No schema declared: any object.';
  const required = requiredOf(schema);
  const rows = propertiesOf(schema).map(([name, field]) => [
    `\`${name}\``,
    typeOf(field),
    required.has(name) ? 'yes' : 'no',
    typeof field.description === 'string' ? field.description : '',
  ]);
  return markdownTable([['field', 'type', 'always there', 'meaning'], ...rows]);
}

interface CommandRow {
  participant: string;
  command: string;
  sentBy: string;
  payload: JsonSchema | null;
  reply: JsonSchema | null;
}

function commandsOf(definition: SagaDefinition): CommandRow[] {
  return sagaStepsOf(definition.machine).flatMap((step): CommandRow[] => {
    const action: CommandRow = {
      participant: step.participant,
      command: step.command,
      sentBy: `step \`${step.step}\``,
      payload: step.contract.command.payload,
      reply: step.contract.command.reply,
    };
    if (!step.compensation) return [action];
    return [
      action,
      {
        participant: step.compensation.participant,
        command: step.compensation.command,
        sentBy: `undoes \`${step.step}\``,
        payload: step.contract.compensation?.payload ?? null,
        reply: step.contract.compensation?.reply ?? null,
      },
    ];
  });
}

/** The generated markdown (not yet formatted) for one definition's commands. */
export function renderContractTables(definition: SagaDefinition): string {
  const commands = commandsOf(definition);
  const summary = markdownTable([
    ['participant', 'command', 'sent', 'payload', 'success payload'],
    ...commands.map((c) => [
      `\`${c.participant}\``,
      `\`${c.command}\``,
      c.sentBy,
      shapeOf(c.payload),
      shapeOf(c.reply),
    ]),
  ]);
  const details = commands.map((c) => {
    const description = (schema: JsonSchema | null) =>
      typeof schema?.description === 'string' ? `${schema.description} ` : '';
    return [
      `### \`${c.participant}.${c.command}\``,
      `${description(c.payload)}Payload:`,
      fieldTable(c.payload),
      `Success payload: ${description(c.reply)}`.trimEnd(),
      fieldTable(c.reply),
    ].join('\n\n');
  });
  return [summary, ...details].join('\n\n');
}

/** `document` with the text between the markers replaced by `generated`. */
export function replaceMarkedRegion(document: string, generated: string): string {
  const begin = document.indexOf(BEGIN_MARKER);
  const end = document.indexOf(END_MARKER);
  if (begin < 0 || end < begin) {
    throw new Error(`the doc has no region between "${BEGIN_MARKER}" and "${END_MARKER}"`);
  }
  return `${document.slice(0, begin + BEGIN_MARKER.length)}\n\n${generated}\n\n${document.slice(end)}`;
}

/** What docs/wire-contract.md should hold: `current` with its region regenerated and formatted. */
export async function expectedWireContractDoc(root: string, current: string): Promise<string> {
  const file = path.join(root, WIRE_CONTRACT_DOC);
  const options = (await prettier.resolveConfig(file)) ?? {};
  const next = replaceMarkedRegion(current, renderContractTables(orderSaga));
  return prettier.format(next, { ...options, filepath: file });
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const root = path.resolve(import.meta.dirname, '..');
  const file = path.join(root, WIRE_CONTRACT_DOC);
  const current = readFileSync(file, 'utf8');
  const expected = await expectedWireContractDoc(root, current);
  if (values.check) {
    if (expected !== current) {
      console.error(`${WIRE_CONTRACT_DOC} is out of date: run npm run docs:contract`);
      process.exitCode = 1;
    }
  } else if (expected !== current) {
    writeFileSync(file, expected);
    console.log(`wrote ${WIRE_CONTRACT_DOC}`);
  } else {
    console.log(`${WIRE_CONTRACT_DOC} is up to date`);
  }
}
