/**
 * The handlers bundle into self-contained ESM files with the stack's esbuild settings (what `cdk synth` runs),
 * and the bundles load and answer outside the repository, where no node_modules can rescue a missing import.
 * The build bundle's worker files, made by the very commands CDK runs after bundling, let the similarity and EASE
 * kernels run on worker threads.
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
import { BUNDLED_APPROXIMATE_EASE_WORKER_FILE } from '../../functions/engine/ease/approximate/pool.js';
import { BUNDLED_EASE_WORKER_FILE } from '../../functions/engine/ease/pool.js';
import { BUNDLED_WORKER_FILE } from '../../functions/engine/similarity/pool.js';
import { BUNDLED_CONTENT_WORKER_FILE } from '../../functions/engine/content/pool.js';

const outdir = mkdtempSync(join(tmpdir(), 'affinity-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('api and build handlers bundle to ESM that loads without node_modules; /health answers', async () => {
  const result = await build({
    entryPoints: {
      api: `${PROJECT_ROOT}functions/handlers/api.ts`,
      build: `${PROJECT_ROOT}functions/handlers/build.ts`,
    },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: [...BUNDLE_MAIN_FIELDS],
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);

  const saved = { ...process.env };
  Object.assign(process.env, {
    TABLE_NAME: 'affinity-bundle-test',
    AWS_REGION: 'us-east-1',
    // The API loads the id hashing key at its start (a fixed test key: 32 bytes of 0x07).
    ID_HASH_KEY: Buffer.alloc(32, 7).toString('base64'),
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  try {
    const api = (await import(pathToFileURL(join(outdir, 'api.mjs')).href)) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
    };
    const buildHandler = (await import(pathToFileURL(join(outdir, 'build.mjs')).href)) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const context = { awsRequestId: 'bundle-test', functionName: 'api', getRemainingTimeInMillis: () => 10_000 };
    const response = await api.handler(healthEvent(), context);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ status: 'ok' });
    // An event with no records touches no AWS service.
    expect(await buildHandler.handler({ Records: [] }, context)).toEqual([]);
  } finally {
    process.env = saved;
  }
});

function healthEvent() {
  return {
    version: '2.0',
    routeKey: 'GET /health',
    rawPath: '/health',
    rawQueryString: '',
    headers: { host: 'example.execute-api.us-east-1.amazonaws.com' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'example',
      domainName: 'example.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'example',
      http: { method: 'GET', path: '/health', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'bundle-test',
      routeKey: 'GET /health',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
    },
    isBase64Encoded: false,
  };
}

test('a bundle that ships the similarity worker next to itself computes on worker threads, with the same result', async () => {
  // What the build function's bundle holds: the code in one file, the worker bundled on its own beside it.
  const dir = join(outdir, 'with-worker');
  const entry = join(dir, 'entry.ts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    entry,
    `import { computeNeighbours, workersAvailable } from ${JSON.stringify(`${PROJECT_ROOT}functions/engine/similarity/index.ts`)};
import { ratingMatrixFromDense } from ${JSON.stringify(`${PROJECT_ROOT}functions/engine/data/index.ts`)};
export async function run(threads: number) {
  const dense = Array.from({ length: 30 }, (_, u) => Array.from({ length: 12 }, (_, i) => ((u * 5 + i * 7) % 4 === 0 ? 0 : ((u + i) % 5) + 1)));
  const block = await computeNeighbours(ratingMatrixFromDense(dense), 'items', { k: 5 }, { threads });
  return { workers: workersAvailable(), neighbour: Array.from(block.neighbour), similarity: Array.from(block.similarity) };
}`,
  );
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: BUNDLE_TARGET,
    logLevel: 'silent' as const,
  };
  await build({ ...common, entryPoints: [entry], outfile: join(dir, 'index.mjs') });
  const withoutWorker = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as {
    run(threads: number): Promise<{ workers: boolean; neighbour: number[]; similarity: number[] }>;
  };
  const inThread = await withoutWorker.run(2);
  expect(inThread.workers).toBe(false); // no worker file yet: computed in-thread

  await build({
    ...common,
    entryPoints: [`${PROJECT_ROOT}functions/engine/similarity/worker.ts`],
    outfile: join(dir, 'similarity-worker.mjs'),
  });
  const onWorkers = await withoutWorker.run(2);
  expect(onWorkers.workers).toBe(true);
  expect(onWorkers.neighbour).toEqual(inThread.neighbour);
  expect(onWorkers.similarity).toEqual(inThread.similarity);
});

/**
 * Bundles an entry that runs one EASE kernel, runs it without its worker file (this thread), then with the build's
 * worker bundles beside it: the run must go to the shipped worker (shared arrays) and give the same bits.
 */
function easeEntry(kernelCall: string): string {
  return `import { computeEase, computeApproximateEase } from ${JSON.stringify(`${PROJECT_ROOT}functions/engine/ease/index.ts`)};
import { ratingMatrixFromDense } from ${JSON.stringify(`${PROJECT_ROOT}functions/engine/data/index.ts`)};
export async function run(threads: number) {
  const dense = Array.from({ length: 40 }, (_, u) => Array.from({ length: 20 }, (_, i) => ((u * 3 + i * 7) % 5 === 0 ? ((u + i) % 4) + 1 : 0)));
  const matrix = ratingMatrixFromDense(dense);
  const block = await ${kernelCall};
  return { shared: block.weight.buffer instanceof SharedArrayBuffer, neighbour: Array.from(block.neighbour), weight: Array.from(block.weight), count: Array.from(block.count) };
}`;
}

/** `source`: an entry module whose `run(threads)` returns the block's arrays (its weights or similarities as `weight`). */
async function expectKernelOnBundledWorker(name: string, source: string, workerFiles: readonly string[]) {
  const dir = join(outdir, name);
  const entry = join(dir, 'entry.ts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(entry, source);
  await build({
    entryPoints: [entry],
    outfile: join(dir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: [...BUNDLE_MAIN_FIELDS],
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'silent',
  });
  const bundled = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as {
    run(threads: number): Promise<{ shared: boolean; neighbour: number[]; weight: number[]; count: number[] }>;
  };
  // Without its worker file the bundle computes in this thread (plain ArrayBuffers).
  const inThread = await bundled.run(2);
  expect(inThread.shared).toBe(false);
  expect(inThread.count.reduce((sum, c) => sum + c, 0)).toBeGreaterThan(0);

  for (const command of extraBundleCommands(BUILD_WORKER_BUNDLES, PROJECT_ROOT.replace(/\/$/, ''), dir))
    execSync(command, { stdio: 'pipe', timeout: 60_000 });
  for (const file of workerFiles) expect(existsSync(join(dir, file))).toBe(true);

  // Shared arrays only on the worker executor: the run went to the shipped worker, and gave the same bits.
  const onWorkers = await bundled.run(2);
  expect(onWorkers.shared).toBe(true);
  expect(onWorkers.count).toEqual(inThread.count);
  expect(onWorkers.neighbour).toEqual(inThread.neighbour);
  expect(onWorkers.weight).toEqual(inThread.weight);
}

test('the build bundle ships the EASE worker beside itself (the commands CDK runs), and EASE then runs on workers', async () => {
  await expectKernelOnBundledWorker('ease', easeEntry('computeEase(matrix, { lambda: 5, k: 6 }, { threads })'), [
    BUNDLED_EASE_WORKER_FILE,
    BUNDLED_WORKER_FILE,
  ]);
});

test('the build bundle ships the approximate EASE worker beside itself, and the approximate EASE then runs on workers', async () => {
  await expectKernelOnBundledWorker(
    'ease-approximate',
    easeEntry('computeApproximateEase(matrix, { lambda: 5, k: 6, neighbourhood: 8 }, { threads })'),
    [BUNDLED_APPROXIMATE_EASE_WORKER_FILE],
  );
});

test('the build bundle ships the content worker beside itself, and content rows then run on workers', async () => {
  const content = `import { computeContentNeighbours, resolveContentOptions, vectoriseCatalogue } from ${JSON.stringify(`${PROJECT_ROOT}functions/engine/content/index.ts`)};
export async function run(threads: number) {
  const entries = Array.from({ length: 200 }, (_, i) => ({ item: 'i' + i, tags: ['t' + (i % 13), 'u' + (i % 7)], categories: ['c' + (i % 5)] }));
  const vectors = vectoriseCatalogue(entries, resolveContentOptions({ k: 8 }));
  const block = await computeContentNeighbours(vectors, 8, { threads });
  return { shared: block.similarity.buffer instanceof SharedArrayBuffer, neighbour: Array.from(block.neighbour), weight: Array.from(block.similarity), count: Array.from(block.count) };
}`;
  await expectKernelOnBundledWorker('content', content, [BUNDLED_CONTENT_WORKER_FILE]);
});
