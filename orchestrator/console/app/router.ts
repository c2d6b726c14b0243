/**
 * Path routing under `/ui` with the History API: links are plain `<a href>`s that
 * {@link navigate} instead of reloading, and the server answers index.html for any `/ui/*` path.
 */
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/ui';

export type Route =
  | { page: 'list'; query: URLSearchParams }
  | { page: 'saga'; id: string }
  | { page: 'not-found'; path: string };

export function routeOf(location: Location): Route {
  const path = location.pathname.replace(/\/+$/u, '');
  if (path === BASE || path === '')
    return { page: 'list', query: new URLSearchParams(location.search) };
  const saga = /^\/ui\/sagas\/([^/]+)$/u.exec(path);
  if (saga?.[1]) return { page: 'saga', id: decodeURIComponent(saga[1]) };
  return { page: 'not-found', path: location.pathname };
}

const listeners = new Set<() => void>();

/** Goes to `url` without a reload (`replace` keeps the history entry, e.g. for filter edits). */
export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const listener of listeners) listener();
}

/** The current route; re-renders on navigation and on the browser's back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location));
  useEffect(() => {
    const update = () => setRoute(routeOf(location));
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** A click on an in-app link: navigate unless the user asked for a new tab or window. */
export function followLink(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.target || !anchor.href.startsWith(`${location.origin}${BASE}`)) return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}

export const sagaHref = (id: string) => `${BASE}/sagas/${encodeURIComponent(id)}`;
