/**
 * Chromium for the console's end-to-end tests and the screenshot script: Debian's `chromium` driven by
 * playwright-core (nothing downloads a browser). One browser per test file: `launchBrowser()` in beforeAll,
 * `close()` in afterAll.
 *
 * Safety properties (each tested in test/browser/console.test.ts):
 * - A missing executable fails with what to install and where (never a silent skip).
 * - Every uncaught page error and console.error of any page of the context is collected; `expectNoPageErrors()`
 *   fails the test that caused them (and clears the list, so the next test starts clean). No exception: the page
 *   declares an empty icon, so even the browser's own /favicon.ico request is not made.
 * - The browser's profile is a fresh temporary directory, removed on close.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots');

/** The executable: AFFINITY_CHROMIUM when set, else Debian's package path. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.AFFINITY_CHROMIUM?.trim();
  return configured ? configured : DEFAULT_CHROMIUM;
}

/** What to do when the executable at `path` is missing. */
export function chromiumMissingMessage(path: string): string {
  const how =
    path === DEFAULT_CHROMIUM
      ? 'install it with `apt-get install -y chromium` (.ci/run does this)'
      : 'AFFINITY_CHROMIUM names a file that does not exist: point it at a Chromium executable, or unset it to use ' +
        `${DEFAULT_CHROMIUM} (\`apt-get install -y chromium\`)`;
  return `Chromium not found at ${path}: ${how}`;
}

/** Throws the one clear message when the executable is not there. */
export function requireChromium(path: string): void {
  if (!existsSync(path)) throw new Error(chromiumMissingMessage(path));
}

/** One page-side problem: an uncaught exception or a console.error, with the page URL it happened on. */
export interface PageProblem {
  kind: 'pageerror' | 'console.error';
  text: string;
  /** The resource a console message is about (e.g. the URL of a failed request), else the page's URL. */
  url: string;
}

export interface BrowserSession {
  context: BrowserContext;
  /** The temporary profile (user-data-dir), removed by close(). */
  profileDir: string;
  /** A new page at the given viewport (default 1366×768). */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Problems seen since the last check. */
  problems(): PageProblem[];
  /**
   * Fails (throws) when any problem was collected, listing them all; clears the list either way. `allow` names the
   * problems a test expects (e.g. the 404 of a dataset that does not exist yet), matched one by one.
   */
  expectNoPageErrors(allow?: (problem: PageProblem) => boolean): void;
  close(): Promise<void>;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchBrowser(options: { deviceScaleFactor?: number } = {}): Promise<BrowserSession> {
  const executablePath = chromiumPath();
  requireChromium(executablePath);
  // --user-data-dir in args is refused by playwright: the persistent context is the fresh profile.
  const profile = mkdtempSync(join(tmpdir(), 'affinity-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1366, height: 768 },
      deviceScaleFactor: options.deviceScaleFactor ?? 1,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  let collected: PageProblem[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (error) =>
      collected.push({ kind: 'pageerror', text: error.stack ?? String(error), url: page.url() }),
    );
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const url = message.location().url || page.url();
      collected.push({ kind: 'console.error', text: message.text(), url });
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    profileDir: profile,
    async newPage(viewport = { width: 1366, height: 768 }) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      return page;
    },
    problems: () => [...collected],
    expectNoPageErrors(allow = () => false) {
      const unexpected = collected.filter((problem) => !allow(problem));
      collected = [];
      if (unexpected.length > 0)
        throw new Error(
          `the page reported ${unexpected.length} error(s):\n` +
            unexpected.map((problem) => `  ${problem.kind} at ${problem.url}: ${problem.text}`).join('\n'),
        );
    },
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** A full-page PNG at test-artifacts/screenshots/<name>.png (git-ignored); returns its path. */
export async function screenshot(page: Page, name: string, directory = SCREENSHOT_DIR): Promise<string> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`screenshot name "${name}": use lowercase letters, digits and -`);
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
