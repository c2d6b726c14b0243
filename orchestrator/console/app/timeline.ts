/**
 * The saga's history as a timeline: each line's time since the start, what happened, the step,
 * the attempt, how long a command waited for its reply against its deadline (the step's timeout
 * from the definition), the command's payload (`data.payload`) and the reply's result
 * (`data.result`), and who did an operator action and why.
 */
import { duration, json, localTime } from './format.js';
import { html } from './html.js';
import type { HistoryEntry } from './types.js';

/** When each command was sent, by command id (attempts of a step share none). */
function replyDurations(history: readonly HistoryEntry[]): Map<HistoryEntry, number> {
  const sentAt = new Map<string, number>();
  const durations = new Map<HistoryEntry, number>();
  for (const entry of history) {
    if (!entry.commandId) continue;
    const at = Date.parse(entry.at);
    if (entry.kind === 'command' && !entry.data?.abandoned) sentAt.set(entry.commandId, at);
    else if (entry.kind === 'reply' && sentAt.has(entry.commandId)) {
      durations.set(entry, at - (sentAt.get(entry.commandId) ?? at));
    }
  }
  return durations;
}

/** Each step's deadline in ms, for its command and for its compensation. */
export interface StepDeadlines {
  action: ReadonlyMap<string, number>;
  compensation: ReadonlyMap<string, number>;
}

/** The deadline of the command an entry is about (a command or its reply), when known. */
function deadlineOf(
  entry: HistoryEntry,
  kindOfCommand: ReadonlyMap<string, string>,
  deadlines: StepDeadlines | undefined,
): number | undefined {
  if (!deadlines || !entry.step || !entry.commandId) return undefined;
  const kind = kindOfCommand.get(entry.commandId);
  return kind === 'compensation'
    ? deadlines.compensation.get(entry.step)
    : deadlines.action.get(entry.step);
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

function Payload({ label, value }: { label: string; value: unknown }) {
  if (value === undefined) return null;
  return html`<details class="payload">
    <summary>${label}</summary>
    <pre>${json(value)}</pre>
  </details>`;
}

export function Timeline({
  history,
  startedAt,
  deadlines,
}: {
  history: readonly HistoryEntry[];
  startedAt: string;
  deadlines?: StepDeadlines | undefined;
}) {
  const start = Date.parse(startedAt);
  const durations = replyDurations(history);
  const kindOfCommand = new Map<string, string>();
  for (const entry of history) {
    if (entry.kind === 'command' && entry.commandId && typeof entry.data?.kind === 'string') {
      kindOfCommand.set(entry.commandId, entry.data.kind);
    }
  }
  return html`<table class="timeline">
    <thead>
      <tr>
        <th>+time</th>
        <th>what</th>
        <th>step</th>
        <th>attempt</th>
        <th>took / deadline</th>
        <th>details</th>
      </tr>
    </thead>
    <tbody>
      ${history.map((entry) => {
        const data = entry.data ?? {};
        const attempt =
          typeof data.attempt === 'number'
            ? data.attempt
            : /attempt (\d+)/u.exec(entry.summary)?.[1];
        const compensation = data.kind === 'compensation' || entry.summary.includes('compensat');
        const took = durations.get(entry);
        const deadline = deadlineOf(entry, kindOfCommand, deadlines);
        const dueAt =
          typeof data.dueAt === 'number' ? new Date(data.dueAt).toISOString() : undefined;
        return html`<tr
          class=${`kind-${entry.kind}${compensation ? ' compensation' : ''}`}
          data-kind=${entry.kind}
        >
          <td title=${localTime(entry.at)}>${duration(Date.parse(entry.at) - start)}</td>
          <td><span class="kind">${entry.kind}</span> ${entry.summary}</td>
          <td>${entry.step ?? ''}</td>
          <td>${attempt ?? ''}</td>
          <td class="took">
            ${took !== undefined ? duration(took) : ''}${
              deadline !== undefined && (entry.kind === 'command' || took !== undefined)
                ? html`<span class="muted"
                    >${took !== undefined ? ' / ' : 'deadline '}${duration(deadline)}</span
                  >`
                : null
            }${dueAt ? html`<span class="muted" title=${localTime(dueAt)}>due ${duration(Date.parse(dueAt) - start)}</span>` : null}
          </td>
          <td>
            <${Payload} label="payload" value=${data.payload} />
            <${Payload} label="result" value=${data.result} />
            <${Payload} label="error" value=${data.error} />
            ${
              entry.kind === 'operator'
                ? html`<span class="muted"
                    >${text(data.actor)}${data.reason ? `: ${text(data.reason)}` : ''}</span
                  >`
                : null
            }
            ${entry.kind === 'signal' ? html`<${Payload} label="event" value=${data} />` : null}
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}
