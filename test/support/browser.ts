/**
 * A real browser for the console's tests: Debian's chromium (`/usr/bin/chromium`, or
 * `CHROMIUM_PATH`) driven by playwright-core, which downloads nothing. One browser per `describe`;
 * each test opens a fresh context (its own sessionStorage), optionally signed in with a token, and
 * every page records the console errors and uncaught exceptions it saw, so a test can assert the
 * page ran clean (a CSP refusal shows there, for one).
 *
 * @example
 * describe('console', function () {
 *   const browser = useBrowser();
 *   it('loads', async () => {
 *     const page = await browser.open(`${apiUrl}/ui/`, { token: 'secret' });
 *     await page.locator('[data-page="list"]').waitFor();
 *     expect(page.problems()).to.deep.equal([]);
 *   });
 * });
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where chromium is: Debian's package (`apt-get install chromium`) unless told otherwise. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The values of attribute `name` on every element `selector` matches, in document order. */
export async function attributesOf(page: Page, selector: string, name: string): Promise<string[]> {
  const found = page.locator(selector);
  const values: string[] = [];
  for (let i = 0, n = await found.count(); i < n; i++) {
    values.push((await found.nth(i).getAttribute(name)) ?? '');
  }
  return values;
}

export interface ConsolePage extends Page {
  /** Console errors and uncaught exceptions so far (failed resource loads left out). */
  problems(): string[];
}

export interface OpenOptions {
  /** Signed in with this token (put in sessionStorage as the console keeps it). */
  token?: string;
  /** The name recorded with the user's actions. */
  actor?: string;
  /** @default 1400 × 1000 */
  viewport?: { width: number; height: number };
}

export interface BrowserHandle {
  readonly browser: Browser;
  /** A page in a fresh context, at `url`. */
  open(url: string, options?: OpenOptions): Promise<ConsolePage>;
}

/**
 * A host name chromium resolves to 127.0.0.1: an origin it does not trust as it trusts
 * `localhost` (as a cluster-internal name would be), for pages served over plain http.
 */
export const LOOPBACK_ALIAS = 'console.test';

/** Starts chromium headless; `close()` it when done. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      // Tests run as root in CI, where chromium's sandbox cannot start.
      '--no-sandbox',
      '--disable-dev-shm-usage',
      `--host-resolver-rules=MAP ${LOOPBACK_ALIAS} 127.0.0.1`,
    ],
  });
}

/** Opens `url` in a fresh context of `browser`. */
export async function openPage(
  browser: Browser,
  url: string,
  options: OpenOptions = {},
  contexts: BrowserContext[] = [],
): Promise<ConsolePage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1400, height: 1000 },
  });
  contexts.push(context);
  if (options.token !== undefined || options.actor !== undefined) {
    // A script string: this file is compiled without the DOM's types.
    const set = (key: string, value: string | undefined) =>
      value === undefined
        ? ''
        : `sessionStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(value)});`;
    await context.addInitScript({
      content: set('saga-console.token', options.token) + set('saga-console.actor', options.actor),
    });
  }
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // An API answer of 401/404 the page handles is logged by chromium as a failed load.
    if (message.text().startsWith('Failed to load resource')) return;
    problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await page.goto(url);
  return Object.assign(page, { problems: () => [...problems] });
}

/** One chromium for the tests of the current `describe`, closed after them. */
export function useBrowser(): BrowserHandle {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  before(async function () {
    this.timeout(60_000);
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
  });
  after(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      if (!browser) throw new Error('the browser is launched in before()');
      return browser;
    },
    open(url, options) {
      return openPage(this.browser, url, options, contexts);
    },
  };
}
