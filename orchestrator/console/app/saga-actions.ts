/**
 * The operator's actions on one saga (shown only to the operator role): pause, resume, retry a
 * parked saga, cancel, and send a signal the saga accepts now with a JSON payload. Each is
 * confirmed in a {@link ConfirmDialog}; the saga page reloads after it.
 */
import { useState } from 'preact/hooks';
import { apiCall, type Audit } from './api.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { html } from './html.js';
import { SignalSchema } from './signal-schema.js';
import type { SagaDetail, SignalContracts } from './types.js';

type Action = 'pause' | 'resume' | 'retry' | 'cancel' | 'signal';

const AT_REST = new Set(['completed', 'compensated', 'failed', 'cancelled']);

export function SagaActions({
  saga,
  signals,
  onDone,
}: {
  saga: SagaDetail;
  /** The definition's declared signals, shown beside the payload (see `SignalSchema`). */
  signals: SignalContracts | undefined;
  onDone: () => void;
}) {
  const [open, setOpen] = useState<Action | undefined>();
  const [event, setEvent] = useState(saga.waitingFor.events[0] ?? '');
  const [payload, setPayload] = useState('{}');
  if (AT_REST.has(saga.status))
    return html`<p class="muted">The saga has ended: no action moves it any more.</p>`;

  const base = `/v1/sagas/${encodeURIComponent(saga.id)}`;
  const post = (path: string, audit: Audit, body?: unknown) =>
    apiCall(`${base}/${path}`, { method: 'POST', audit, ...(body !== undefined ? { body } : {}) });
  const run: Record<Action, (audit: Audit) => Promise<void>> = {
    pause: async (audit) => void (await post('pause', audit)),
    resume: async (audit) => void (await post('resume', audit)),
    retry: async (audit) => void (await post('retry', audit)),
    cancel: async (audit) => void (await post('cancel', audit)),
    signal: async (audit) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(payload);
      } catch (error) {
        throw new Error(`the payload is not JSON: ${(error as Error).message}`);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error('the payload must be a JSON object');
      }
      await post('events', audit, { ...parsed, type: event });
    },
  };
  const what: Record<Action, string> = {
    pause:
      'Pause: the saga sends no command and fires no deadline until resumed; replies that arrive are kept and applied on resume.',
    resume: 'Resume: the saga goes on from where it was paused.',
    retry: 'Retry: the parked saga tries its compensations again.',
    cancel: 'Cancel: the saga stops going forward and compensates what it did.',
    signal:
      'Send an event to the saga; the payload is merged into the event and checked against the schema its definition declares.',
  };
  const close = () => setOpen(undefined);
  const done = () => {
    close();
    onDone();
  };

  return html`<div class="actions">
    ${
      saga.paused
        ? html`<button data-action="resume" onClick=${() => setOpen('resume')}>Resume</button>`
        : html`<button data-action="pause" onClick=${() => setOpen('pause')}>Pause</button>`
    }
    ${saga.waitingFor.canRetry ? html`<button data-action="retry" onClick=${() => setOpen('retry')}>Retry</button>` : null}
    ${saga.waitingFor.canCancel ? html`<button data-action="cancel" class="danger" onClick=${() => setOpen('cancel')}>Cancel</button>` : null}
    ${
      saga.waitingFor.events.length > 0
        ? html`<button data-action="signal" onClick=${() => setOpen('signal')}>
            Send signal…
          </button>`
        : null
    }
    ${
      open
        ? html`<${ConfirmDialog}
            title=${`${open[0]?.toUpperCase()}${open.slice(1)} saga ${saga.id}`}
            confirmLabel=${open === 'signal' ? 'Send' : `${open[0]?.toUpperCase()}${open.slice(1)}`}
            onConfirm=${async (audit: Audit) => {
              await run[open](audit);
              done();
            }}
            onClose=${close}
          >
            <p>${what[open]}</p>
            ${
              open === 'signal'
                ? html`<label
                      >Event
                      <select
                        name="event"
                        value=${event}
                        onChange=${(e: Event) => setEvent((e.target as HTMLSelectElement).value)}
                      >
                        ${saga.waitingFor.events.map((type) => html`<option value=${type}>${type}</option>`)}
                      </select>
                    </label>
                    <div class="signal-editor">
                      <label
                        >Payload (JSON object)
                        <textarea
                          name="payload"
                          rows="6"
                          spellcheck="false"
                          value=${payload}
                          onInput=${(e: Event) => setPayload((e.target as HTMLTextAreaElement).value)}
                        ></textarea>
                      </label>
                      <${SignalSchema} event=${event} signals=${signals} />
                    </div>`
                : null
            }
          <//>`
        : null
    }
  </div>`;
}
