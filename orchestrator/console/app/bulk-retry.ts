/**
 * Bulk retry of parked sagas of one type (and state): a dry run first says how many match, then
 * the operator confirms with who and why (`POST /v1/sagas/retry-parked`).
 */
import { useState } from 'preact/hooks';
import { apiCall, type Audit } from './api.js';
import { ConfirmDialog, errorText } from './confirm-dialog.js';
import { html } from './html.js';
import type { BulkRetryAnswer } from './types.js';

export function BulkRetry({
  types,
  type,
  state,
}: {
  types: string[];
  type: string;
  state: string;
}) {
  const [open, setOpen] = useState(false);
  const [chosenType, setChosenType] = useState(type || types[0] || '');
  const [chosenState, setChosenState] = useState(state);
  const [dryRun, setDryRun] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<string | undefined>();
  const body = () => ({ type: chosenType, ...(chosenState ? { state: chosenState } : {}) });

  const runDry = () => {
    setDryRun('counting…');
    apiCall<BulkRetryAnswer>('/v1/sagas/retry-parked', {
      method: 'POST',
      body: { ...body(), dryRun: true },
    }).then(
      (answer) =>
        setDryRun(`${answer.matched} parked saga(s) match; ${answer.ids.length} would be retried.`),
      (error: unknown) => setDryRun(errorText(error)),
    );
  };
  const confirm = async (audit: Audit) => {
    const answer = await apiCall<BulkRetryAnswer>('/v1/sagas/retry-parked', {
      method: 'POST',
      body: body(),
      audit,
    });
    setOutcome(
      `Retried ${answer.retried} of ${answer.matched}${answer.failed.length ? `; ${answer.failed.length} failed` : ''}.`,
    );
  };

  return html`<span class="bulk">
    <button
      type="button"
      data-action="bulk-retry"
      onClick=${() => {
        setOpen(true);
        setDryRun(undefined);
        setChosenType(type || types[0] || '');
        setChosenState(state);
      }}
    >
      Retry parked…
    </button>
    ${outcome ? html` <span class="muted">${outcome}</span>` : null}
    ${
      open
        ? html`<${ConfirmDialog}
            title="Retry parked sagas"
            confirmLabel="Retry them"
            onConfirm=${confirm}
            onClose=${() => setOpen(false)}
          >
            <label
              >Type
              <select
                name="bulk-type"
                value=${chosenType}
                onChange=${(e: Event) => {
                  setChosenType((e.target as HTMLSelectElement).value);
                  setDryRun(undefined);
                }}
              >
                ${types.map((t) => html`<option value=${t}>${t}</option>`)}
              </select></label
            >
            <label
              >State (optional)
              <input
                name="bulk-state"
                value=${chosenState}
                onInput=${(e: Event) => {
                  setChosenState((e.target as HTMLInputElement).value.trim());
                  setDryRun(undefined);
                }}
            /></label>
            <p>
              <button type="button" data-action="dry-run" onClick=${runDry}>
                Dry run: how many?
              </button>
              <span data-dry-run>${dryRun ?? ''}</span>
            </p>
          <//>`
        : null
    }
  </span>`;
}
