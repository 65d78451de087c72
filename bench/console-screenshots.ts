/**
 * `npm run screenshots`: the README's pictures of the web console (docs/images/console-<page>.png). Starts the
 * local stack as a user does (`affinity start`, ephemeral ports, the demo dataset), uploads one small file to a
 * dataset `e2e` through the Upload page (so the upload and the dataset page have a job to show), and saves each
 * page at 1280×800, device scale 1. Not a test: the browser tests (test/browser/) check the pages; this only
 * draws them. A picture over 200 KB is taken again clipped to the visible part of the page's <main>, and fails if still
 * over.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { startAffinity } from '../test/support/affinity-start.js';
import { launchBrowser } from '../test/support/browser.js';

const OUT_DIR = join(import.meta.dirname, '..', 'docs', 'images');
const MAX_BYTES = 200 * 1024;
const VIEWPORT = { width: 1280, height: 800 };
const BUILD_TIMEOUT_MS = 120_000;

async function save(page: Page, name: string): Promise<void> {
  const path = join(OUT_DIR, `console-${name}.png`);
  await page.screenshot({ path });
  if (statSync(path).size > MAX_BYTES) {
    // The main content only, as much of it as the viewport shows (not the header, never the whole scroll height).
    const box = await page.locator('main').boundingBox();
    if (!box) throw new Error(`${path}: over ${MAX_BYTES} bytes and the page has no visible <main> to clip to`);
    const top = Math.max(0, box.y);
    await page.screenshot({
      path,
      clip: { x: box.x, y: top, width: box.width, height: Math.min(box.height, VIEWPORT.height - top) },
    });
  }
  const bytes = statSync(path).size;
  if (bytes > MAX_BYTES)
    throw new Error(`${path} is ${bytes} bytes even clipped to <main>: over the ${MAX_BYTES}-byte budget`);
  console.log(`${path}  ${Math.round(bytes / 1024)} KB`);
}

async function waitForText(page: Page, selector: Locator, pattern: RegExp, timeout: number) {
  const deadline = Date.now() + timeout;
  while (!pattern.test(await selector.innerText())) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} in ${await selector.innerText()} after ${timeout} ms`);
    await page.waitForTimeout(200);
  }
}

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'affinity-screenshots-'));
  const stack = await startAffinity(dataDir);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage(VIEWPORT);
    const open = async (hash: string) => {
      await page.goto(`${stack.apiUrl}/console/${hash}`);
      await page.locator('main').waitFor();
    };

    await open('#/');
    await page.getByRole('link', { name: 'demo', exact: true }).waitFor();
    await save(page, 'datasets');

    await open('#/datasets/demo/explore');
    await page.getByLabel('User id', { exact: true }).fill('u1');
    await page.getByRole('button', { name: 'Recommend', exact: true }).click();
    await page.getByRole('list', { name: 'Recommendations', exact: true }).locator(':scope > li').first().waitFor();
    await save(page, 'explorer');

    const file = join(dataDir, 'ratings-sample.csv');
    const lines = ['user,item,rating'];
    for (let user = 1; user <= 10; user++)
      for (let k = 0; k < 5; k++) lines.push(`e${user},x${((user * 7 + k * 5) % 12) + 1},${((user + k) % 5) + 1}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    await open('#/datasets/e2e/upload');
    await page.getByLabel('File to upload').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await waitForText(page, page.getByRole('status'), /succeeded|failed/, BUILD_TIMEOUT_MS);
    await save(page, 'upload');

    await open('#/datasets/demo');
    await page.getByTestId('active-version').waitFor();
    await save(page, 'dataset');
  } finally {
    await browser.close();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
