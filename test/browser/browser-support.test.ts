// test/support/browser.ts, the browser tests' harness: a missing Chromium fails with what to do, page errors and
// console.error fail the test that caused them, and the temporary profile is removed on close.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumMissingMessage,
  chromiumPath,
  DEFAULT_CHROMIUM,
  launchBrowser,
  requireChromium,
  type BrowserSession,
} from '../support/browser.js';

describe('finding Chromium', () => {
  it('uses Debian’s path unless AFFINITY_CHROMIUM names another', () => {
    expect(chromiumPath({})).toBe('/usr/bin/chromium');
    expect(chromiumPath({ AFFINITY_CHROMIUM: '  ' })).toBe('/usr/bin/chromium');
    expect(chromiumPath({ AFFINITY_CHROMIUM: '/opt/chromium/chrome' })).toBe('/opt/chromium/chrome');
  });

  it('fails with the install command when the executable is missing (never a skip)', () => {
    expect(DEFAULT_CHROMIUM).toBe('/usr/bin/chromium');
    const missing = '/nonexistent/affinity/chromium';
    expect(() => requireChromium(missing)).toThrow(`Chromium not found at ${missing}: AFFINITY_CHROMIUM`);
    expect(() => requireChromium(missing)).toThrow('apt-get install -y chromium');
  });

  it('words the default path’s failure with the install command and the CI step', () => {
    expect(chromiumMissingMessage('/usr/bin/chromium')).toBe(
      'Chromium not found at /usr/bin/chromium: install it with `apt-get install -y chromium` (.ci/run does this)',
    );
  });
});

describe('a launched browser', () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('collects an uncaught page error and a console.error, fails on them, then starts clean', async () => {
    const page = await browser.newPage();
    await page.setContent(
      '<script>console.error("logged on purpose"); setTimeout(() => { throw new Error("thrown on purpose"); });</script>',
    );
    await expect.poll(() => browser.problems().length, { timeout: 5000 }).toBe(2);
    const problems = browser.problems();
    expect(problems.map((problem) => problem.kind).sort()).toEqual(['console.error', 'pageerror']);
    expect(() => browser.expectNoPageErrors()).toThrow(
      /logged on purpose[\s\S]*thrown on purpose|thrown on purpose[\s\S]*logged on purpose/,
    );
    expect(browser.problems()).toEqual([]);
    expect(() => browser.expectNoPageErrors()).not.toThrow();
    await page.close();
  });

  it('lets a test allow the problems it expects, and only those', async () => {
    const page = await browser.newPage();
    await page.setContent('<script>console.error("expected one"); console.error("unexpected one");</script>');
    await expect.poll(() => browser.problems().length, { timeout: 5000 }).toBe(2);
    let thrown: Error | undefined;
    try {
      browser.expectNoPageErrors((problem) => problem.text === 'expected one');
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.message).toContain('1 error(s)');
    expect(thrown?.message).toContain('unexpected one');
    expect(thrown?.message.match(/console\.error at/g)).toHaveLength(1);
    await page.close();
  });

  it('uses a fresh profile directory and removes it on close', async () => {
    const other = await launchBrowser();
    expect(existsSync(other.profileDir)).toBe(true);
    expect(other.profileDir).not.toBe(browser.profileDir);
    await other.close();
    expect(existsSync(other.profileDir)).toBe(false);
  });
});
