/**
 * The sagas (`/ui/`): live counts by type and status, tabs for the statuses that need an
 * operator (parked, overdue), filters (type, status, state, age, id prefix, overdue) kept in the
 * URL's query so a link shows the same list, one page at a time (cursor paging, never all), and
 * refreshed every few seconds.
 */
import { useState } from 'preact/hooks';
import { apiCall, queryString } from './api.js';
import { BulkRetry } from './bulk-retry.js';
import { errorText } from './confirm-dialog.js';
import { age, localTime, StatusBadge } from './format.js';
import { html } from './html.js';
import { BASE, navigate, sagaHref } from './router.js';
import {
  SAGA_STATUSES,
  type CountsAnswer,
  type DefinitionSummary,
  type SagaPage,
  type SessionInfo,
} from './types.js';
import { REFRESH_MS, usePoll } from './use-poll.js';

const PAGE_SIZE = 50;

/** The filters the URL may carry (`/ui/?type=order&status=parked`). */
export const FILTERS = [
  'type',
  'status',
  'state',
  'olderThanMs',
  'idPrefix',
  'overdue',
  'cursor',
] as const;
type Filter = (typeof FILTERS)[number];

const AGES: Array<[string, string]> = [
  ['', 'any age'],
  ['60000', 'older than 1 min'],
  ['600000', 'older than 10 min'],
  ['3600000', 'older than 1 h'],
  ['86400000', 'older than 1 day'],
];

function filtersOf(query: URLSearchParams): Record<Filter, string> {
  return Object.fromEntries(FILTERS.map((name) => [name, query.get(name) ?? ''])) as Record<
    Filter,
    string
  >;
}

/** Changes some filters; any change but the cursor's starts again at the first page. */
function setFilters(
  current: Record<Filter, string>,
  changes: Partial<Record<Filter, string>>,
  replace = true,
) {
  const next = { ...current, ...changes };
  if (!('cursor' in changes)) next.cursor = '';
  navigate(`${BASE}/${queryString(next)}`, { replace });
}

function Counts({
  counts,
  loading,
  filters,
}: {
  counts: CountsAnswer | undefined;
  loading: boolean;
  filters: Record<Filter, string>;
}) {
  if (!counts) {
    return loading
      ? null
      : html`<p class="muted small">Counts are not available from this orchestrator.</p>`;
  }
  const types = [...new Set(counts.items.map((c) => c.type))].sort();
  const count = (type: string, status: string) =>
    counts.items.find((c) => c.type === type && c.status === status)?.count ?? 0;
  return html`<table class="counts" aria-label="counts">
    <thead>
      <tr>
        <th>type</th>
        ${SAGA_STATUSES.map((s) => html`<th>${s}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${types.map(
        (type) =>
          html`<tr>
            <td>${type}</td>
            ${SAGA_STATUSES.map((status) => {
              const n = count(type, status);
              return html`<td
                class=${n > 0 && (status === 'parked' || status === 'failed') ? 'attention' : ''}
              >
                <a
                  href=${`${BASE}/${queryString({ ...filters, type, status, cursor: '' })}`}
                  data-count=${`${type}:${status}`}
                  >${n}</a
                >
              </td>`;
            })}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function ListPage({ query, session }: { query: URLSearchParams; session: SessionInfo }) {
  const filters = filtersOf(query);
  const [cursors, setCursors] = useState<string[]>([]);
  const [auto, setAuto] = useState(true);
  const listKey = queryString({ ...filters, limit: PAGE_SIZE });
  const page = usePoll<SagaPage>(
    `list:${listKey}`,
    () => apiCall<SagaPage>(`/v1/sagas${listKey}`),
    {
      intervalMs: REFRESH_MS,
      enabled: auto,
    },
  );
  const counts = usePoll<CountsAnswer | undefined>(
    'counts',
    () => apiCall<CountsAnswer>('/v1/sagas/counts').catch(() => undefined),
    { intervalMs: REFRESH_MS, enabled: auto },
  );
  const types = usePoll('definitions', () =>
    apiCall<{ items: DefinitionSummary[] }>('/v1/definitions'),
  );
  const totalOf = (status: string) =>
    counts.data?.items
      .filter((c) => c.status === status && (!filters.type || c.type === filters.type))
      .reduce((n, c) => n + c.count, 0);

  const tab = filters.overdue === 'true' ? 'overdue' : filters.status || 'all';
  const tabs: Array<[string, string, Partial<Record<Filter, string>>]> = [
    ['all', 'All', { status: '', overdue: '' }],
    ['running', 'Running', { status: 'running', overdue: '' }],
    ['parked', 'Parked', { status: 'parked', overdue: '' }],
    ['overdue', 'Overdue', { status: '', overdue: 'true' }],
    ['failed', 'Failed', { status: 'failed', overdue: '' }],
  ];
  const input = (name: Filter) => (e: Event) =>
    setFilters(filters, { [name]: (e.target as HTMLInputElement).value.trim() });

  return html`<section data-page="list">
    <h1>Sagas</h1>
    <${Counts} counts=${counts.data} loading=${counts.loading} filters=${filters} />
    <nav class="tabs" role="tablist">
      ${tabs.map(([id, label, changes]) => {
        const n = id === 'all' || id === 'overdue' ? undefined : totalOf(id);
        return html`<button
          role="tab"
          data-tab=${id}
          aria-selected=${tab === id}
          class=${tab === id ? 'selected' : ''}
          onClick=${() => setFilters(filters, changes, false)}
        >
          ${label}${n !== undefined ? html` <span class=${`badge${id === 'parked' && n > 0 ? ' status-parked' : ''}`}>${n}</span>` : null}
        </button>`;
      })}
    </nav>
    <form class="filters" onSubmit=${(e: Event) => e.preventDefault()}>
      <label
        >Type
        <select name="type" value=${filters.type} onChange=${input('type')}>
          <option value="">any type</option>
          ${(types.data?.items ?? []).map((d) => html`<option value=${d.type}>${d.type}</option>`)}
        </select>
      </label>
      <label
        >Status
        <select name="status" value=${filters.status} onChange=${input('status')}>
          <option value="">any status</option>
          ${SAGA_STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}
        </select>
      </label>
      <label
        >State
        <input
          name="state"
          value=${filters.state}
          placeholder="e.g. awaitingApproval"
          onChange=${input('state')}
      /></label>
      <label
        >Age
        <select name="olderThanMs" value=${filters.olderThanMs} onChange=${input('olderThanMs')}>
          ${AGES.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
        </select>
      </label>
      <label
        >Id prefix
        <input
          name="idPrefix"
          value=${filters.idPrefix}
          placeholder="e.g. ord-12"
          onChange=${input('idPrefix')}
      /></label>
      <label class="check"
        ><input
          type="checkbox"
          name="overdue"
          checked=${filters.overdue === 'true'}
          onChange=${(e: Event) => setFilters(filters, { overdue: (e.target as HTMLInputElement).checked ? 'true' : '' })}
        />
        overdue only</label
      >
      <label class="check"
        ><input
          type="checkbox"
          name="auto"
          checked=${auto}
          onChange=${(e: Event) => setAuto((e.target as HTMLInputElement).checked)}
        />
        auto-refresh</label
      >
    </form>
    ${session.role === 'operator' ? html`<${BulkRetry} types=${(types.data?.items ?? []).map((d) => d.type)} type=${filters.type} state=${filters.state} />` : null}
    ${page.error ? html`<p class="error" role="alert">The list could not be loaded: ${errorText(page.error)}</p>` : null}
    ${
      page.data
        ? html`<table class="sagas" aria-label="sagas">
              <thead>
                <tr>
                  <th>id</th>
                  <th>type</th>
                  <th>status</th>
                  <th>state</th>
                  <th>started</th>
                  <th>updated</th>
                </tr>
              </thead>
              <tbody>
                ${page.data.items.map(
                  (saga) =>
                    html`<tr data-saga-id=${saga.id} class=${`status-${saga.status}`}>
                      <td><a href=${sagaHref(saga.id)}>${saga.id}</a></td>
                      <td>${saga.type} <span class="muted">v${saga.version}</span></td>
                      <td>
                        <${StatusBadge} status=${saga.status} paused=${Boolean(saga.paused)} />
                      </td>
                      <td><code>${saga.state}</code></td>
                      <td title=${localTime(saga.createdAt)}>${age(saga.createdAt)} ago</td>
                      <td title=${localTime(saga.updatedAt)}>${age(saga.updatedAt)} ago</td>
                    </tr>`,
                )}
              </tbody>
            </table>
            ${page.data.items.length === 0 ? html`<p class="muted" data-empty>No saga matches.</p>` : null}
            <div class="paging">
              ${
                filters.cursor
                  ? html`<button
                        data-page-action="first"
                        onClick=${() => {
                          setCursors([]);
                          setFilters(filters, { cursor: '' }, false);
                        }}
                      >
                        First page
                      </button>
                      <button
                        data-page-action="previous"
                        onClick=${() => {
                          const rest = cursors.slice(0, -1);
                          setCursors(rest);
                          setFilters(filters, { cursor: cursors.at(-1) ?? '' }, false);
                        }}
                      >
                        Previous page
                      </button>`
                  : null
              }
              ${
                page.data.nextCursor
                  ? html`<button
                      data-page-action="next"
                      onClick=${() => {
                        setCursors([...cursors, filters.cursor]);
                        setFilters(filters, { cursor: page.data?.nextCursor ?? '' }, false);
                      }}
                    >
                      Next page
                    </button>`
                  : null
              }
            </div>`
        : page.loading
          ? html`<p class="muted">Loading…</p>`
          : null
    }
  </section>`;
}
