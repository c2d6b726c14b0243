/**
 * The confirmation every operator action goes through: it says what will happen, asks who and
 * why (sent as `Saga-Actor` and `Saga-Reason`, written into the saga's history), and shows the
 * API's refusal (its 400/403/409 message) in place when the action is refused.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiCallError, saveActor, storedActor, type Audit } from './api.js';
import { html } from './html.js';

export interface ConfirmDialogProps {
  title: string;
  /** What the action will do, and any fields of its own. */
  children?: ComponentChildren;
  confirmLabel: string;
  /** Runs the action; a thrown error is shown and the dialog stays open. */
  onConfirm: (audit: Audit) => Promise<void>;
  onClose: () => void;
}

function errorLine(entry: unknown): string {
  if (typeof entry !== 'object' || entry === null) return String(entry);
  const { path, message } = entry as { path?: unknown; message?: unknown };
  if (typeof message !== 'string') return JSON.stringify(entry);
  return typeof path === 'string' && path !== '' ? `${path} ${message}` : message;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiCallError) {
    const details = error.details as { errors?: unknown[] } | undefined;
    // Each error is a string or `{ path, message }`; what the message already says is not repeated.
    const errors = (Array.isArray(details?.errors) ? details.errors : [])
      .map(errorLine)
      .filter((line) => !error.message.includes(line));
    const listed = errors.length > 0 ? ` — ${errors.join('; ')}` : '';
    return `${error.status} ${error.code}: ${error.message}${listed}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const [actor, setActor] = useState(storedActor());
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const submit = (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    saveActor(actor.trim());
    onConfirm({ actor: actor.trim(), reason: reason.trim() }).then(
      () => {
        setBusy(false);
        onClose();
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };

  return html`<div class="overlay">
    <form class="dialog" role="dialog" aria-modal="true" aria-label=${title} onSubmit=${submit}>
      <h2>${title}</h2>
      ${children}
      <label
        >Your name
        <input
          name="actor"
          value=${actor}
          onInput=${(e: Event) => setActor((e.target as HTMLInputElement).value)}
          placeholder="who does this (recorded in the history)"
      /></label>
      <label
        >Reason
        <input
          name="reason"
          value=${reason}
          onInput=${(e: Event) => setReason((e.target as HTMLInputElement).value)}
          placeholder="why (recorded in the history)"
      /></label>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <div class="buttons">
        <button type="button" onClick=${onClose}>Close</button>
        <button type="submit" class="primary" disabled=${busy}>
          ${busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </form>
  </div>`;
}
