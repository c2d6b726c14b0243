/**
 * The console's calls to the orchestrator's `/v1` API: the token the user typed (kept in
 * sessionStorage, sent as `Authorization: Bearer`), the operator's name and reason on actions
 * (`Saga-Actor`, `Saga-Reason`, percent-encoded), and the API's error shape turned into
 * {@link ApiCallError} so pages can show its message.
 */
const TOKEN_KEY = 'saga-console.token';
const ACTOR_KEY = 'saga-console.actor';

export const storedToken = (): string => sessionStorage.getItem(TOKEN_KEY) ?? '';
export const storedActor = (): string => sessionStorage.getItem(ACTOR_KEY) ?? '';

export function saveLogin(token: string, actor: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  if (actor) sessionStorage.setItem(ACTOR_KEY, actor);
}

export function saveActor(actor: string): void {
  if (actor) sessionStorage.setItem(ACTOR_KEY, actor);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** A non-2xx answer, with the API's `{ error: { code, message, details } }` when it sent one. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Listeners told when the API answered 401 (the page then asks for a token). */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Who and why of an operator action. */
export interface Audit {
  actor: string;
  reason: string;
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  audit?: Audit;
}

export async function apiCall<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = storedToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.audit) {
    if (options.audit.actor) headers['Saga-Actor'] = encodeURIComponent(options.audit.actor);
    if (options.audit.reason) headers['Saga-Reason'] = encodeURIComponent(options.audit.reason);
  }
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    if (response.status === 401) for (const listener of unauthorizedListeners) listener();
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } })
      ?.error;
    throw new ApiCallError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `${response.status} ${response.statusText}`,
      error?.details,
    );
  }
  return json as T;
}

/** A query string from the set values of `params` (empty ones left out). */
export function queryString(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '' && value !== false) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
