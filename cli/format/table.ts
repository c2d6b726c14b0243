/**
 * Tables for people: cli-table3 without colours (output is often piped or logged), and times
 * shown in UTC the same way everywhere.
 */
import Table from 'cli-table3';

/** A table with a header row; cells are strings. */
export function table(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [], compact: true } });
  t.push(...rows);
  return t.toString();
}

/** A two-column table of fields and values. */
export function fields(rows: Array<[string, string]>): string {
  const t = new Table({ style: { head: [], border: [], compact: true } });
  for (const [name, value] of rows) t.push({ [name]: value });
  return t.toString();
}

/** `2026-11-26 08:15:46Z` from an ISO string. */
export function when(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** `08:15:46.123` from an ISO string (history lines: the day is in the saga's header). */
export function clock(iso: string): string {
  return iso.slice(11, 23);
}

/** `3.2 s ago` / `in 4 s` relative to `now`. */
export function relative(iso: string, now: number): string {
  const delta = Date.parse(iso) - now;
  const seconds = Math.abs(delta) / 1000;
  const amount = seconds < 60 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`;
  return delta >= 0 ? `in ${amount}` : `${amount} ago`;
}
