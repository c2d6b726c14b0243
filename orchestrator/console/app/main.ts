/**
 * The operator console in the browser: asks for a token when the API wants one, learns the
 * user's role and links from `GET /v1/session`, and shows the page the path names (the list,
 * one saga, or not found).
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  ApiCallError,
  apiCall,
  forgetToken,
  onUnauthorized,
  saveLogin,
  storedActor,
  storedToken,
} from './api.js';
import { errorText } from './confirm-dialog.js';
import { html } from './html.js';
import { ListPage } from './list-page.js';
import { BASE, followLink, useRoute } from './router.js';
import { NotFound, SagaPage } from './saga-page.js';
import type { SessionInfo } from './types.js';
import './styles.css';

/**
 * The session: `GET /v1/session` says the role and links; an orchestrator without that route
 * (404) predates roles, so a token it accepts is an operator's.
 */
async function loadSession(): Promise<SessionInfo> {
  try {
    return await apiCall<SessionInfo>('/v1/session');
  } catch (error) {
    if (error instanceof ApiCallError && error.status === 404) {
      await apiCall('/v1/definitions'); // still 401 without a valid token
      return { role: 'operator', links: {} };
    }
    throw error;
  }
}

function Login({ onLogin, refused }: { onLogin: () => void; refused: boolean }) {
  const [token, setToken] = useState('');
  const [actor, setActor] = useState(storedActor());
  return html`<form
    class="login"
    data-page="login"
    onSubmit=${(e: Event) => {
      e.preventDefault();
      saveLogin(token.trim(), actor.trim());
      onLogin();
    }}
  >
    <h1>Saga console</h1>
    <p>This orchestrator's API needs a token (its operator or read-only token).</p>
    ${refused ? html`<p class="error" role="alert">The API refused that token.</p>` : null}
    <label
      >Token
      <input
        type="password"
        name="token"
        autocomplete="current-password"
        value=${token}
        onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)}
    /></label>
    <label
      >Your name
      <input
        name="actor"
        value=${actor}
        placeholder="recorded with your actions"
        onInput=${(e: Event) => setActor((e.target as HTMLInputElement).value)}
    /></label>
    <button type="submit" class="primary">Sign in</button>
  </form>`;
}

function App() {
  const route = useRoute();
  const [session, setSession] = useState<SessionInfo | undefined>();
  const [problem, setProblem] = useState<string | undefined>(); // 'login', 'refused' or what went wrong;
  const [attempt, setAttempt] = useState(0);
  const signedIn = useRef(false);
  signedIn.current = session !== undefined;

  useEffect(() => {
    let live = true;
    loadSession().then(
      (found) => live && (setSession(found), setProblem(undefined)),
      (error: unknown) => {
        if (!live) return;
        if (error instanceof ApiCallError && error.status === 401) {
          const hadToken = storedToken() !== '';
          forgetToken();
          setProblem(hadToken ? 'refused' : 'login');
        } else setProblem(errorText(error));
      },
    );
    return () => {
      live = false;
    };
  }, [attempt]);
  useEffect(
    () =>
      onUnauthorized(() => {
        // A 401 while signing in is the sign-in's own answer; later, the token stopped working.
        if (!signedIn.current) return;
        setSession(undefined);
        setAttempt((n) => n + 1);
      }),
    [],
  );

  const signOut = () => {
    forgetToken();
    setSession(undefined);
    setAttempt((n) => n + 1);
  };

  let body;
  if (problem === 'login' || problem === 'refused') {
    body = html`<${Login}
      refused=${problem === 'refused'}
      onLogin=${() => setAttempt((n) => n + 1)}
    />`;
  } else if (problem) {
    body = html`<p class="error" role="alert">The API cannot be reached: ${problem}</p>`;
  } else if (!session) {
    body = html`<p class="muted">Connecting…</p>`;
  } else if (route.page === 'list') {
    body = html`<${ListPage} query=${route.query} session=${session} />`;
  } else if (route.page === 'saga') {
    body = html`<${SagaPage} key=${route.id} id=${route.id} session=${session} />`;
  } else {
    body = html`<${NotFound} what=${`The console has no page at ${route.path}.`} />`;
  }

  return html`<div onClick=${followLink}>
    <header>
      <a class="brand" href=${`${BASE}/`}>Saga console</a>
      ${session?.links.grafanaUrl ? html`<a href=${session.links.grafanaUrl} target="_blank" rel="noopener">Grafana</a>` : null}
      <span class="spacer"></span>
      ${session ? html`<span class="role" data-role=${session.role}>${storedActor() || 'anonymous'} · ${session.role}</span>` : null}
      ${session && storedToken() ? html`<button class="link" onClick=${signOut}>Sign out</button>` : null}
    </header>
    <main>${body}</main>
  </div>`;
}

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
