/**
 * The declared schema of the signal an operator is about to send, shown beside the payload
 * editor: what the event means and the fields it takes (from `GET /v1/definitions/{type}`, the
 * definition's `signals`). The API checks the payload against the same schema and answers 400
 * `INVALID_EVENT` with the reason, which the dialog shows.
 */
import { html } from './html.js';
import type { SignalContracts } from './types.js';

type Schema = Record<string, unknown>;

const CONSTRAINTS: Array<[keyword: string, label: string]> = [
  ['minLength', 'min length'],
  ['maxLength', 'max length'],
  ['minimum', '≥'],
  ['maximum', '≤'],
  ['pattern', 'pattern'],
  ['enum', 'one of'],
];

function typeOf(field: Schema): string {
  const type = field.type;
  if (Array.isArray(type)) return type.join(' | ');
  return typeof type === 'string' ? type : 'any';
}

function constraintsOf(field: Schema): string {
  return CONSTRAINTS.filter(([keyword]) => field[keyword] !== undefined)
    .map(([keyword, label]) => `${label} ${JSON.stringify(field[keyword])}`)
    .join(', ');
}

export function SignalSchema({
  event,
  signals,
}: {
  event: string;
  /** Undefined while the definition loads, or when it is of another version than the saga's. */
  signals: SignalContracts | undefined;
}) {
  const declared = signals?.[event];
  if (!declared) {
    return html`<aside class="signal-schema" data-signal-schema=${event}>
      <p class="muted">
        ${signals ? 'The definition declares no schema for this event: its payload is not checked.' : 'Loading the event’s schema…'}
      </p>
    </aside>`;
  }
  const schema = declared.schema as Schema;
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const names = Object.keys(properties);
  return html`<aside class="signal-schema" data-signal-schema=${event}>
    <p class="signal-description">${declared.description}</p>
    ${
      names.length > 0
        ? html`<ul class="signal-fields">
            ${names.map((name) => {
              const field = properties[name] ?? {};
              const constraints = constraintsOf(field);
              return html`<li data-field=${name}>
                <code>${name}</code>
                <span class="muted"
                  >${typeOf(field)}${required.has(name) ? ', required' : ', optional'}${constraints ? `, ${constraints}` : ''}</span
                >
                ${typeof field.description === 'string' ? html`<br />${field.description}` : null}
              </li>`;
            })}
          </ul>`
        : html`<p class="muted">No fields.</p>`
    }
    ${schema.additionalProperties === false ? html`<p class="muted">No other fields.</p>` : null}
    <details>
      <summary>JSON Schema</summary>
      <pre>${JSON.stringify(schema, null, 2)}</pre>
    </details>
  </aside>`;
}
