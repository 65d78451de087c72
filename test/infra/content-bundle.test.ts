/**
 * The build bundle ships the content kernel's worker beside itself (BUILD_WORKER_BUNDLES, made by the commands CDK
 * runs after bundling): without it a bundle computes content rows in its own thread, with it on worker threads,
 * and the rows are the same bits.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, expect, test } from 'vitest';
import {
  BUNDLE_MAIN_FIELDS,
  BUNDLE_TARGET,
  ESM_REQUIRE_BANNER,
  extraBundleCommands,
  PROJECT_ROOT,
} from '../../infra/constructs/bundled-function.js';
import { BUILD_WORKER_BUNDLES } from '../../infra/constructs/build-function.js';
import { BUNDLED_CONTENT_WORKER_FILE } from '../../functions/engine/content/pool.js';

const outdir = mkdtempSync(join(tmpdir(), 'affinity-content-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('the build bundle ships the content worker beside itself, and content rows then run on workers', async () => {
  const entry = join(outdir, 'entry.ts');
  mkdirSync(outdir, { recursive: true });
  writeFileSync(
    entry,
    `import { computeContentNeighbours, resolveContentOptions, vectoriseCatalogue } from ${JSON.stringify(`${PROJECT_ROOT}functions/engine/content/index.ts`)};
export async function run(threads: number) {
  const entries = Array.from({ length: 200 }, (_, i) => ({ item: 'i' + i, tags: ['t' + (i % 13), 'u' + (i % 7)], categories: ['c' + (i % 5)] }));
  const vectors = vectoriseCatalogue(entries, resolveContentOptions({ k: 8 }));
  const block = await computeContentNeighbours(vectors, 8, { threads });
  return { shared: block.similarity.buffer instanceof SharedArrayBuffer, neighbour: Array.from(block.neighbour), similarity: Array.from(block.similarity), count: Array.from(block.count) };
}`,
  );
  await build({
    entryPoints: [entry],
    outfile: join(outdir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: [...BUNDLE_MAIN_FIELDS],
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'silent',
  });
  const bundled = (await import(pathToFileURL(join(outdir, 'index.mjs')).href)) as {
    run(threads: number): Promise<{ shared: boolean; neighbour: number[]; similarity: number[]; count: number[] }>;
  };
  // Without its worker file the bundle computes in this thread (a plain block).
  const inThread = await bundled.run(2);
  expect(inThread.shared).toBe(false);
  expect(inThread.count.reduce((sum, c) => sum + c, 0)).toBeGreaterThan(0);

  const content = { [BUNDLED_CONTENT_WORKER_FILE]: BUILD_WORKER_BUNDLES[BUNDLED_CONTENT_WORKER_FILE] };
  for (const command of extraBundleCommands(content, PROJECT_ROOT.replace(/\/$/, ''), outdir))
    execSync(command, { stdio: 'pipe', timeout: 60_000 });
  expect(existsSync(join(outdir, BUNDLED_CONTENT_WORKER_FILE))).toBe(true);

  // A shared block only on the worker executor: the run went to the shipped worker, and gave the same bits.
  const onWorkers = await bundled.run(2);
  expect(onWorkers.shared).toBe(true);
  expect(onWorkers.count).toEqual(inThread.count);
  expect(onWorkers.neighbour).toEqual(inThread.neighbour);
  expect(onWorkers.similarity).toEqual(inThread.similarity);
});
