import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, CONSOLE_SOURCE_DIR, sourceFiles } from '../../functions/console/build.js';
import { startLocalStack, type LocalStack } from '../../functions/local/stack.js';

const directory = mkdtempSync(join(tmpdir(), 'affinity-console-'));
const consoleDir = join(directory, 'console');
const handlerPaths: string[] = [];
let stack: LocalStack;

beforeAll(async () => {
  await buildConsole(consoleDir);
  stack = await startLocalStack({
    dataDir: directory,
    buildHandler: async () => {},
    apiHandler: async (event) => {
      handlerPaths.push(event.rawPath);
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"api":true}' };
    },
    bridge: { retryDelayMs: 1 },
    log: () => {},
    consoleDir,
  });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(directory, { recursive: true, force: true });
});

/** A raw request (fetch would normalise `..` away before sending it). */
function raw(method: string, path: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${stack.apiUrl}${path}`, { method, path }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web console on the local API server', () => {
  it('serves index.html and its two assets with their content types, without reaching the API handler', async () => {
    const index = await fetch(`${stack.apiUrl}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await index.text();
    expect(html).toContain('<script type="module" src="console.js"></script>');
    expect(html).toContain('href="console.css"');

    const js = await fetch(`${stack.apiUrl}/console/console.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const bundle = await js.text();
    // Preact is bundled in, and the console talks to the API by relative paths.
    expect(bundle).toContain('/v1/datasets/');
    // No CDN or other absolute URL; the only http:// strings allowed are the XML namespace names Preact uses
    // for SVG and MathML elements (identifiers, never fetched).
    const urls = bundle.match(/https?:\/\/[^"'`\s)]*/g) ?? [];
    const namespaces = [
      'http://www.w3.org/2000/svg',
      'http://www.w3.org/1999/xhtml',
      'http://www.w3.org/1998/Math/MathML',
    ];
    expect(urls.filter((url) => !namespaces.includes(url))).toEqual([]);

    const css = await fetch(`${stack.apiUrl}/console/console.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const styles = await css.text();
    expect(styles).toContain('.bars');
    // uPlot's own stylesheet, imported from node_modules, is bundled in (no CDN link).
    expect(styles).toContain('.uplot');

    const head = await raw('HEAD', '/console/console.js');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(bundle));

    expect(handlerPaths).toEqual([]);
  });

  it('redirects /console to /console/ (the assets are relative to it)', async () => {
    const response = await fetch(`${stack.apiUrl}/console`, { redirect: 'manual' });
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('/console/');
  });

  it('serves only the files the build wrote: no dot-files, no sub-paths, no escape from the directory', async () => {
    for (const path of [
      '/console/.sources-digest',
      '/console/../package.json',
      '/console/x/../../tsconfig.json',
      '/console/nope.js',
    ]) {
      expect((await raw('GET', path)).status, path).toBe(404);
    }
    expect(handlerPaths).toEqual([]);
  });

  it('refuses other methods with 405 and leaves /v1 to the API handler', async () => {
    const post = await raw('POST', '/console/');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const api = await fetch(`${stack.apiUrl}/v1/datasets/demo`);
    expect(await api.json()).toEqual({ api: true });
    expect(handlerPaths).toEqual(['/v1/datasets/demo']);
  });

  it('reuses the build while the sources are unchanged', async () => {
    const before = statSync(join(consoleDir, 'console.js')).mtimeMs;
    const digest = readFileSync(join(consoleDir, '.sources-digest'), 'utf8');
    expect(await buildConsole(consoleDir)).toEqual({ dir: consoleDir, built: false });
    expect(statSync(join(consoleDir, 'console.js')).mtimeMs).toBe(before);
    expect(readFileSync(join(consoleDir, '.sources-digest'), 'utf8')).toBe(digest);
  });

  it('digests the sources of every sub-folder (pages/, components/), so a change to a page rebuilds', () => {
    const files = sourceFiles().map((file) => file.slice(CONSOLE_SOURCE_DIR.length + 1));
    expect(files).toEqual(
      expect.arrayContaining(['app.tsx', 'pages/dataset.tsx', 'components/chart.tsx', 'style.css']),
    );
    expect(files.some((file) => file.endsWith('.test.ts'))).toBe(false);
  });
});
