/**
 * One saga (`/ui/sagas/<id>`): its status and failure, the statechart with its current state(s)
 * and path, what it waits for (pending commands with their deadlines, timers, accepted events),
 * the timeline, links to its trace and to Grafana, and the operator's actions. Refreshes every
 * few seconds while the saga is not at rest; an unknown id shows a not-found page.
 */
import { ApiCallError, apiCall } from './api.js';
import { errorText } from './confirm-dialog.js';
import { age, duration, localTime, StatusBadge } from './format.js';
import { html } from './html.js';
import { BASE } from './router.js';
import { SagaActions } from './saga-actions.js';
import { Statechart } from './statechart.js';
import { Timeline, type StepDeadlines } from './timeline.js';
import type { DefinitionDetail, SagaDetail, SessionInfo } from './types.js';
import { REFRESH_MS, usePoll } from './use-poll.js';

const HISTORY_LIMIT = 500;
const AT_REST = new Set(['completed', 'compensated', 'failed', 'cancelled']);

/** Definitions change only with a deploy: fetched once per type and version. */
const definitions = new Map<string, Promise<DefinitionDetail>>();
function definitionOf(type: string, version: string): Promise<DefinitionDetail> {
  const key = `${type}@${version}`;
  let found = definitions.get(key);
  if (!found) {
    // The saga's own version: beside a newer one (issue 15), the type's default is the newer.
    found = apiCall<DefinitionDetail>(
      `/v1/definitions/${encodeURIComponent(type)}?version=${encodeURIComponent(version)}`,
    );
    found.catch(() => definitions.delete(key));
    definitions.set(key, found);
  }
  return found;
}

export function NotFound({ what }: { what: string }) {
  return html`<section class="not-found" data-page="not-found">
    <h1>Not found</h1>
    <p>${what}</p>
    <p><a href=${`${BASE}/`}>Back to the sagas</a></p>
  </section>`;
}

function failureOf(saga: SagaDetail) {
  const failure = saga.context.failure as
    { step?: string; code?: string; message?: string } | undefined;
  if (!failure) return null;
  return html`<div class="failure" role="status">
    <strong>Failure${failure.step ? ` in ${failure.step}` : ''}:</strong>
    ${failure.code ?? ''}${failure.message ? ` — ${failure.message}` : ''}
  </div>`;
}

function Links({ saga, session }: { saga: SagaDetail; session: SessionInfo }) {
  const { traceUrlTemplate, grafanaUrl } = session.links;
  const trace =
    traceUrlTemplate && saga.traceId
      ? traceUrlTemplate.replace('{traceId}', encodeURIComponent(saga.traceId))
      : undefined;
  if (!trace && !grafanaUrl) return null;
  return html`<p class="links">
    ${trace ? html`<a class="trace-link" href=${trace} target="_blank" rel="noopener">Trace ${saga.traceId}</a>` : null}
    ${
      grafanaUrl
        ? html` <a class="grafana-link" href=${grafanaUrl} target="_blank" rel="noopener"
            >Grafana dashboards</a
          >`
        : null
    }
  </p>`;
}

function Waiting({ saga }: { saga: SagaDetail }) {
  const now = Date.now();
  return html`<div class="waiting">
    ${
      saga.waitingFor.summary.length > 0
        ? html`<ul>
            ${saga.waitingFor.summary.map((line) => html`<li>${line}</li>`)}
          </ul>`
        : html`<p class="muted">Waiting for nothing.</p>`
    }
    ${
      saga.pending.length > 0
        ? html`<table>
            <thead>
              <tr>
                <th>step</th>
                <th>command</th>
                <th>kind</th>
                <th>attempt</th>
                <th>sent</th>
                <th>deadline</th>
              </tr>
            </thead>
            <tbody>
              ${saga.pending.map((p) => {
                const overdue = Date.parse(p.expiresAt) < now;
                return html`<tr class=${overdue ? 'overdue' : ''}>
                  <td>${p.step}</td>
                  <td>${p.participant}.${p.command}</td>
                  <td>${p.kind}</td>
                  <td>${p.attempt}</td>
                  <td title=${localTime(p.issuedAt)}>${age(p.issuedAt, now)} ago</td>
                  <td title=${localTime(p.expiresAt)}>
                    ${overdue ? `passed ${age(p.expiresAt, now)} ago` : `in ${duration(Date.parse(p.expiresAt) - now)}`}
                  </td>
                </tr>`;
              })}
            </tbody>
          </table>`
        : null
    }
    ${
      saga.timers.length > 0
        ? html`<p>
            Timers:
            ${saga.timers.map((t) => html`<span class="badge">${t.event} at ${localTime(t.dueAt)}</span> `)}
          </p>`
        : null
    }
    ${saga.waitingFor.events.length > 0 ? html`<p>Accepts: ${saga.waitingFor.events.map((e) => html`<code>${e}</code> `)}</p>` : null}
  </div>`;
}

/**
 * The signals the saga's definition declares; `{}` when it declares none, undefined while it loads
 * or when the API serves another version than the saga's (its schema could differ).
 */
function signalsOf(definition: DefinitionDetail | undefined, version: string) {
  if (definition?.version !== version) return undefined;
  return definition.signals ?? {};
}

/** The steps' deadlines from the definition's step list. */
function deadlinesOf(definition: DefinitionDetail | undefined): StepDeadlines | undefined {
  if (!definition?.steps) return undefined;
  const action = new Map<string, number>();
  const compensation = new Map<string, number>();
  for (const step of definition.steps) {
    if (typeof step.timeoutMs === 'number') action.set(step.step, step.timeoutMs);
    if (typeof step.compensation?.timeoutMs === 'number') {
      compensation.set(step.step, step.compensation.timeoutMs);
    }
  }
  return { action, compensation };
}

export function SagaPage({ id, session }: { id: string; session: SessionInfo }) {
  const saga = usePoll<SagaDetail>(
    `saga:${id}`,
    () => apiCall<SagaDetail>(`/v1/sagas/${encodeURIComponent(id)}?historyLimit=${HISTORY_LIMIT}`),
    { intervalMs: REFRESH_MS, stopWhen: (found) => AT_REST.has(found.status) },
  );
  const current = saga.data;
  const definition = usePoll<DefinitionDetail | undefined>(
    `definition:${current?.type ?? ''}@${current?.version ?? ''}`,
    async () => (current ? definitionOf(current.type, current.version) : undefined),
  );

  if (saga.error instanceof ApiCallError && saga.error.status === 404) {
    return html`<${NotFound}
      what=${`No saga with id “${id}”: it never existed, or it ended and was purged after its retention.`}
    />`;
  }
  if (!current) {
    return saga.error
      ? html`<p class="error">Could not load saga ${id}: ${errorText(saga.error)}</p>`
      : html`<p class="muted">Loading saga ${id}…</p>`;
  }
  const operator = session.role === 'operator';
  return html`<section class="saga" data-page="saga" data-saga-id=${current.id}>
    <p><a href=${`${BASE}/`}>← Sagas</a></p>
    <h1>${current.id}</h1>
    <p class="facts">
      <${StatusBadge} status=${current.status} paused=${Boolean(current.paused)} />
      <span>${current.type} v${current.version}</span>
      <span>state <code class="state">${current.state}</code></span>
      <span title=${localTime(current.createdAt)}>started ${age(current.createdAt)} ago</span>
      <span title=${localTime(current.updatedAt)}>updated ${age(current.updatedAt)} ago</span>
      <span class="muted">revision ${current.revision}</span>
      ${!AT_REST.has(current.status) ? html`<span class="muted">refreshing every ${REFRESH_MS / 1000} s</span>` : null}
    </p>
    ${
      current.paused
        ? // One string: htm drops the whitespace of a line break between text and a value.
          html`<p class="paused-note">
            ${`Paused ${age(current.paused.at)} ago by ${current.paused.actor}`}${
              current.paused.reason ? `: ${current.paused.reason}` : ''
            }
          </p>`
        : null
    }
    ${failureOf(current)}
    <${Links} saga=${current} session=${session} />
    ${
      operator
        ? html`<${SagaActions}
            saga=${current}
            signals=${signalsOf(definition.data, current.version)}
            onDone=${saga.reload}
          />`
        : null
    }
    <h2>Statechart</h2>
    ${
      definition.data
        ? html`<${Statechart}
            key=${`${current.type}@${current.version}`}
            definition=${definition.data.definition}
            state=${current.state}
            history=${current.history}
          />`
        : definition.error
          ? html`<p class="error">
              The definition could not be loaded: ${errorText(definition.error)}
            </p>`
          : html`<p class="muted">Loading the definition…</p>`
    }
    <h2>Waiting for</h2>
    <${Waiting} saga=${current} />
    <h2>Timeline</h2>
    ${
      current.historyPage.total > current.history.length
        ? html`<p class="muted">
            Showing ${current.history.length} of ${current.historyPage.total}
            lines${current.historyPage.dropped ? ` (${current.historyPage.dropped} oldest dropped)` : ''}.
          </p>`
        : null
    }
    <${Timeline}
      history=${current.history}
      startedAt=${current.createdAt}
      deadlines=${deadlinesOf(definition.data)}
    />
  </section>`;
}
