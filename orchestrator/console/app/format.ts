/** Small formatting helpers shared by the pages. */
import { html } from './html.js';

/** `1.2 s`, `340 ms`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1_000).toFixed(abs < 10_000 ? 2 : 1)} s`;
  const s = Math.round(abs / 1_000);
  const sign = ms < 0 ? '-' : '';
  if (s < 3_600) return `${sign}${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`;
  return `${sign}${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3_600)} h`;
}

/** How long ago an ISO time was. */
export const age = (iso: string, now = Date.now()) => duration(now - Date.parse(iso));

export const localTime = (iso: string) => new Date(iso).toLocaleString();

export function StatusBadge({ status, paused }: { status: string; paused?: boolean }) {
  return html`<span class="badge status-${status}">${status}</span>${
      paused ? html` <span class="badge paused">paused</span>` : null
    }`;
}

export const json = (value: unknown) => JSON.stringify(value, null, 2);
