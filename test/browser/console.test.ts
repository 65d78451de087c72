// The web console end to end (issue 13): `affinity start` as a user runs it (child process, ephemeral ports, the
// demo dataset built), Debian's Chromium through playwright-core, the pages found by role and label only. Every
// expected value comes from the API, fetched by the test itself: the page must show what the API says. Screenshots
// of each page go to test-artifacts/screenshots/ (git-ignored), to be looked at.
//
// Safety properties checked here: no uncaught page error or console.error on any page (afterEach); every request
// the page makes itself (fetch / XHR) carries `x-affinity-console: 1` (afterEach).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAffinity, type RunningStack } from '../support/affinity-start.js';
import { launchBrowser, screenshot, type BrowserSession, type PageProblem } from '../support/browser.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'affinity.mjs');
const dataDir = mkdtempSync(join(tmpdir(), 'affinity-console-e2e-'));
let stack: RunningStack;
let browser: BrowserSession;
let page: Page;
/** fetch / XHR requests of the current test without the console header. */
let unmarkedRequests: string[] = [];
/** The problems a test expects (see the upload of a new dataset); reset after each test. */
let expectedProblem: (problem: PageProblem) => boolean = () => false;

const UPLOAD_DATASET = 'e2e';
const BUILD_TIMEOUT_MS = 120_000;
/** How long a page may take to show what a request answered (playwright-core has no web-first assertions). */
const PAGE_TIMEOUT_MS = 15_000;

const eventually = <T>(read: () => Promise<T>, timeout = PAGE_TIMEOUT_MS) =>
  expect.poll(read, { timeout, interval: 100 });
const textOf = (locator: Locator) => async () => (await locator.innerText()).trim();
const visible = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });

beforeAll(async () => {
  stack = await startAffinity(dataDir);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

afterEach(async () => {
  await page?.close();
  const unmarked = unmarkedRequests;
  unmarkedRequests = [];
  const allowed = expectedProblem;
  expectedProblem = () => false;
  browser.expectNoPageErrors(allowed);
  expect(unmarked, 'requests without x-affinity-console: 1').toEqual([]);
});

async function openPage(hash: string, viewport?: { width: number; height: number }): Promise<Page> {
  page = await browser.newPage(viewport);
  page.on('request', (request) => {
    const kind = request.resourceType();
    if ((kind === 'fetch' || kind === 'xhr') && request.headers()['x-affinity-console'] !== '1')
      unmarkedRequests.push(`${request.method()} ${request.url()}`);
  });
  await page.goto(`${stack.apiUrl}/console/${hash}`);
  return page;
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.apiUrl}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface DatasetBody {
  activeVersion?: string;
  versions: { version: string; active: boolean }[];
  latestJob?: { jobId: string; status: string; version?: string };
}
interface RecommendedItem {
  item: string;
  title?: string;
  categories?: string[];
}
interface CatalogueItem {
  item: string;
  title?: string;
  categories?: string[];
}

const catalogueItem = (dataset: string, item: string) =>
  api<CatalogueItem>(`/v1/datasets/${dataset}/items/${encodeURIComponent(item)}`);

/** A demo user the API knows with a history: no popularity / trending fallback, and a non-empty GET …/users/{u}/history. */
async function userWithHistory(): Promise<string> {
  for (const user of ['u1', 'u2', 'u3', 'u4', 'u5']) {
    const answer = await api<{ fallback?: unknown; items: unknown[] }>(
      `/v1/datasets/demo/users/${user}/recommendations?limit=1`,
    );
    if (answer.fallback !== undefined || answer.items.length === 0) continue;
    const history = await api<{ history: unknown[] }>(`/v1/datasets/demo/users/${user}/history`);
    if (history.history.length === 0) continue;
    return user;
  }
  throw new Error('none of u1…u5 has a history in the demo dataset');
}

const resultsList = (target: Page) => target.getByRole('list', { name: 'Recommendations', exact: true });
const resultItems = (target: Page) => resultsList(target).locator(':scope > li');

async function listedTexts(target: Page): Promise<string[]> {
  return resultItems(target).allInnerTexts();
}

/** The API's answer for the explorer's query (the page asks for 10 with titles and categories). */
async function apiRecommendations(user: string, filter?: string): Promise<RecommendedItem[]> {
  const query = new URLSearchParams({ limit: '10', fields: 'title,categories' });
  if (filter) query.set('filter', filter);
  const body = await api<{ items: RecommendedItem[] }>(`/v1/datasets/demo/users/${user}/recommendations?${query}`);
  return body.items;
}

/** Each listed entry shows the title of the API's item at the same rank (the API's own order). */
async function expectListShows(target: Page, items: RecommendedItem[]) {
  await eventually(() => resultItems(target).count()).toBe(items.length);
  const texts = await listedTexts(target);
  for (const [rank, item] of items.entries()) {
    const catalogue = await catalogueItem('demo', item.item);
    expect(catalogue.title, `catalogue title of ${item.item}`).toBeTruthy();
    expect(item.title).toBe(catalogue.title);
    expect(texts[rank], `rank ${rank + 1}`).toContain(catalogue.title);
  }
}

describe('console: datasets page', () => {
  it('lists demo with the active version the API reports', async () => {
    const { activeVersion } = await api<DatasetBody>('/v1/datasets/demo');
    expect(activeVersion).toMatch(/\S/);
    const target = await openPage('#/');
    await visible(target.getByRole('link', { name: 'Datasets', exact: true }));
    const table = target.getByRole('table', { name: 'Datasets' });
    const row = table.getByRole('row').filter({ has: target.getByRole('link', { name: 'demo', exact: true }) });
    await eventually(() => row.count()).toBe(1);
    await eventually(textOf(row)).toContain(activeVersion!);
    // The name is the row's first cell.
    expect((await row.getByRole('cell').or(row.getByRole('rowheader')).first().innerText()).trim()).toBe('demo');
    await screenshot(target, 'datasets');
  });
});

describe('console: explorer', () => {
  it('shows the API’s recommendations for a user, with catalogue titles and explanation bars', async () => {
    const user = await userWithHistory();
    const expected = await apiRecommendations(user);
    expect(expected.length).toBeGreaterThanOrEqual(5);
    const target = await openPage('#/datasets/demo/explore');
    await target.getByLabel('User id', { exact: true }).fill(user);
    await target.getByRole('button', { name: 'Recommend', exact: true }).click();
    await expectListShows(target, expected);
    for (const entry of await resultItems(target).all()) {
      await visible(entry.locator('ul.bars > li').first());
    }
    await screenshot(target, 'explorer');
    await target.setViewportSize({ width: 820, height: 1180 });
    await visible(resultsList(target));
    await screenshot(target, 'explorer-tablet');
  });

  it('"Not categories" removes every item of that category and changes the list', async () => {
    const user = await userWithHistory();
    const unfiltered = await apiRecommendations(user);
    const categories = (await catalogueItem('demo', unfiltered[0].item)).categories ?? [];
    expect(categories.length, `categories of ${unfiltered[0].item}`).toBeGreaterThan(0);
    const excluded = categories[0];

    const target = await openPage('#/datasets/demo/explore');
    await target.getByLabel('User id', { exact: true }).fill(user);
    await target.getByRole('button', { name: 'Recommend', exact: true }).click();
    await expectListShows(target, unfiltered);
    const before = await listedTexts(target);

    await target.getByLabel('Not categories').fill(excluded);
    await target.getByRole('button', { name: 'Recommend', exact: true }).click();
    await eventually(() => listedTexts(target)).not.toEqual(before);
    const filtered = await apiRecommendations(user, `-category:${excluded}`);
    expect(filtered.length).toBeGreaterThan(0);
    await expectListShows(target, filtered);
    for (const item of filtered) {
      const entry = await catalogueItem('demo', item.item);
      expect(entry.categories ?? [], `categories of ${item.item}`).not.toContain(excluded);
    }
    // The unfiltered first item had the category, so it cannot be listed any more.
    expect(filtered.map((item) => item.item)).not.toContain(unfiltered[0].item);
  });

  it('is usable from the keyboard: Tab reaches "User id", Enter submits', async () => {
    const user = await userWithHistory();
    const expected = await apiRecommendations(user);
    const target = await openPage('#/datasets/demo/explore');
    const userId = target.getByLabel('User id', { exact: true });
    await visible(userId);
    const focused = () => userId.evaluate((element) => element === document.activeElement);
    for (let presses = 0; presses < 40 && !(await focused()); presses++) await target.keyboard.press('Tab');
    expect(await focused()).toBe(true);
    await target.keyboard.type(user);
    await target.keyboard.press('Enter');
    await expectListShows(target, expected);
  });
});

describe('console: anonymous history', () => {
  it('recommends for items added by id, as POST …/recommendations answers for that history', async () => {
    const user = await userWithHistory();
    const { history } = await api<{ history: { item: string }[] }>(`/v1/datasets/demo/users/${user}/history?limit=2`);
    const [older, newer] = history.map((entry) => entry.item).reverse();
    const target = await openPage('#/datasets/demo/explore');
    await target.getByLabel('Anonymous history').check();
    const itemId = target.getByLabel('Item id', { exact: true });
    // Added one after the other: the last added is the most recent.
    for (const item of [older, newer]) {
      await itemId.fill(item);
      await target.getByRole('button', { name: 'Add item', exact: true }).click();
    }
    const picked = target.getByRole('list', { name: 'History', exact: true }).locator(':scope > li');
    await eventually(() => picked.count()).toBe(2);
    for (const [k, item] of [newer, older].entries()) {
      const title = (await catalogueItem('demo', item)).title!;
      expect(await picked.nth(k).innerText(), `history entry ${k + 1}`).toContain(title);
    }
    await target.getByRole('button', { name: 'Recommend', exact: true }).click();
    const response = await fetch(`${stack.apiUrl}/v1/datasets/demo/recommendations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ history: [{ item: newer }, { item: older }], limit: 10, fields: ['title', 'categories'] }),
    });
    expect(response.status).toBe(200);
    const expected = ((await response.json()) as { items: RecommendedItem[] }).items;
    expect(expected.length).toBeGreaterThan(0);
    await expectListShows(target, expected);
    await screenshot(target, 'explorer-anonymous');
  });
});

// ---- upload and rollback on a new dataset ---------------------------------------------------------------------

/** A small interactions file (user,item,rating) the default config builds: `users` × 5 of 12 items, seeded. */
function interactionsFile(name: string, seed: number, users: number): string {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  const lines = ['user,item,rating'];
  for (let user = 1; user <= users; user++) {
    const items = new Set<number>();
    while (items.size < 5) items.add((next() % 12) + 1);
    for (const item of items) lines.push(`e${user},x${item},${(next() % 5) + 1}`);
  }
  const path = join(dataDir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

// Until the first build of a new dataset claims its job, the page's job polling gets 404 for it (and Chromium
// logs each as a console error); nothing else is expected.
const newDatasetNotFound = (problem: PageProblem) =>
  problem.kind === 'console.error' &&
  problem.text.includes('status of 404') &&
  problem.url.startsWith(`${stack.apiUrl}/v1/datasets/${UPLOAD_DATASET}`);

/** Uploads through the Upload page and waits for the build; returns the status element's final text. */
async function uploadThroughPage(target: Page, file: string): Promise<Locator> {
  await target.goto(`${stack.apiUrl}/console/#/datasets/${UPLOAD_DATASET}/upload`);
  await target.getByLabel('File to upload').setInputFiles(file);
  expect(await target.getByLabel('File kind').inputValue()).toBe('interactions');
  await target.getByRole('button', { name: 'Upload', exact: true }).click();
  const status = target.getByRole('status');
  await eventually(textOf(status), BUILD_TIMEOUT_MS).toMatch(/succeeded|failed/);
  expect(await status.innerText()).toContain('succeeded');
  return status;
}

describe('console: upload and rollback', () => {
  it('uploads a file through the page and follows its build to the active version', async () => {
    expectedProblem = newDatasetNotFound;
    const target = await openPage(`#/datasets/${UPLOAD_DATASET}/upload`);
    const status = await uploadThroughPage(target, interactionsFile('e2e-first.csv', 1, 8));
    const state = await api<DatasetBody>(`/v1/datasets/${UPLOAD_DATASET}`);
    expect(state.latestJob?.status).toBe('succeeded');
    expect(state.activeVersion).toBeDefined();
    expect(state.latestJob?.version).toBe(state.activeVersion);
    expect(await status.innerText()).toContain(state.activeVersion!);
    await screenshot(target, 'upload');
  }, 180_000);

  it('rolls back to the older version chosen in the dialog', async () => {
    const target = await openPage(`#/datasets/${UPLOAD_DATASET}/upload`);
    await uploadThroughPage(target, interactionsFile('e2e-second.csv', 2, 10));
    const state = await api<DatasetBody>(`/v1/datasets/${UPLOAD_DATASET}`);
    expect(state.versions.length).toBeGreaterThanOrEqual(2);
    const older = state.versions.find((version) => version.version !== state.activeVersion)!.version;

    await target.getByRole('link', { name: 'Overview', exact: true }).click();
    await eventually(textOf(target.getByRole('heading', { level: 1 }))).toContain(UPLOAD_DATASET);
    const active = target.getByTestId('active-version');
    await eventually(textOf(active)).toBe(state.activeVersion!);
    await visible(target.getByRole('table', { name: 'Build jobs' }));
    await target.getByRole('button', { name: 'Roll back…', exact: true }).click();
    const dialog = target.getByRole('dialog');
    await visible(dialog);
    await visible(dialog.getByRole('button', { name: 'Cancel', exact: true }));
    await dialog.getByLabel('Version to activate').selectOption(older);
    await dialog.getByRole('button', { name: 'Roll back', exact: true }).click();
    await eventually(textOf(active)).toBe(older);
    expect((await api<DatasetBody>(`/v1/datasets/${UPLOAD_DATASET}`)).activeVersion).toBe(older);
    await screenshot(target, 'dataset');
  }, 180_000);
});

describe('console: privacy actions', () => {
  it('takes an item down and erases a user from the dataset page, after asking', async () => {
    const { items: before } = await api<{ items: { item: string }[] }>(
      `/v1/datasets/${UPLOAD_DATASET}/popular?limit=50`,
    );
    const item = before[0].item;
    const target = await openPage(`#/datasets/${UPLOAD_DATASET}`);
    await target.getByRole('button', { name: 'Take an item down…', exact: true }).click();
    let dialog = target.getByRole('dialog');
    await visible(dialog);
    await dialog.getByLabel('Item id', { exact: true }).fill(item);
    await dialog.getByRole('button', { name: 'Take item down', exact: true }).click();
    await eventually(textOf(target.getByRole('status').filter({ hasText: 'Takedown' }))).toContain('completed');
    const { items: after } = await api<{ items: { item: string }[] }>(
      `/v1/datasets/${UPLOAD_DATASET}/popular?limit=50`,
    );
    expect(after.map((entry) => entry.item)).not.toContain(item);
    expect(after.length).toBe(before.length - 1);

    const user = 'e1';
    expect((await fetch(`${stack.apiUrl}/v1/datasets/${UPLOAD_DATASET}/users/${user}/history`)).status).toBe(200);
    await target.getByRole('button', { name: 'Erase a user…', exact: true }).click();
    dialog = target.getByRole('dialog');
    await visible(dialog);
    await dialog.getByLabel('User id', { exact: true }).fill(user);
    await dialog.getByRole('button', { name: 'Erase user', exact: true }).click();
    await eventually(textOf(target.getByRole('status').filter({ hasText: 'Erasure' }))).toContain('completed');
    expect((await fetch(`${stack.apiUrl}/v1/datasets/${UPLOAD_DATASET}/users/${user}/history`)).status).toBe(404);
    await screenshot(target, 'dataset-actions');
  });
});

describe('console: through `affinity console` (the local proxy a deployed stack is used with)', () => {
  it('serves the page, forwards its API calls and uploads, and the page works as on the stack itself', async () => {
    const child = spawn(process.execPath, [BIN, 'console', '--port', '0'], {
      env: { ...process.env, AFFINITY_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /Console\s+(http:\/\/127\.0\.0\.1:\d+\/console\/)/.exec(out);
          if (match) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`affinity console exited ${code}: ${out}`)));
      });
      const { activeVersion } = await api<DatasetBody>('/v1/datasets/demo');
      page = await browser.newPage();
      await page.goto(`${url}#/`);
      const row = page
        .getByRole('table', { name: 'Datasets' })
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: 'demo', exact: true }) });
      await eventually(textOf(row)).toContain(activeVersion!);
      // An upload through the proxy's page lands in the same bucket and builds.
      const file = interactionsFile('e2e-proxy.csv', 3, 9);
      await page.goto(`${url}#/datasets/${UPLOAD_DATASET}/upload`);
      await page.getByLabel('File to upload').setInputFiles(file);
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      const status = page.getByRole('status');
      await eventually(textOf(status), BUILD_TIMEOUT_MS).toMatch(/succeeded|failed/);
      expect(await status.innerText()).toContain('succeeded');
      const state = await api<DatasetBody>(`/v1/datasets/${UPLOAD_DATASET}`);
      expect(await status.innerText()).toContain(state.activeVersion!);
    } finally {
      child.kill('SIGTERM');
    }
  }, 180_000);
});
