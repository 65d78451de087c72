/**
 * API latency with filters, on the local stack (dynalite + s3rver + the real handlers over HTTP): the demo dataset
 * (typed events with timestamps, the catalogue) as `npm start` builds it, then N sequential requests per case after
 * one warm-up pass. Cases: a user's recommendations without a filter, with one, with a cap, with a filter that forces
 * backfill;
 * popular with a filter; trending (without and with a backfilling filter); a new user (the trending fallback).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchStack } from './local-stack.js';
import { DEMO_DATASET, ensureDemoFiles } from '../functions/cli/demo.js';
import { syncDemoDataset } from '../functions/cli/demo-dataset.js';

export interface LatencyCase {
  name: string;
  requests: number;
  p50: number;
  p99: number;
  /** Mean items per answer labelled backfill (filled in from popularity after the filter). */
  backfilled: number;
  /** Mean items per answer. */
  items: number;
}

export interface FilterLatencyResult {
  cases: LatencyCase[];
  ratings: number;
  buildSeconds: number;
}

/** A common category (~12% of the demo's items) and a rare one (~1.5%: the scored pool rarely holds 10 of them). */
const COMMON = 'category:Documentary';
const RARE = 'category:War';
const USERS = 100;

/** The q-quantile of sorted values (nearest rank). */
const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

export async function benchFilterLatency(options: { requests: number }): Promise<FilterLatencyResult> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const filesDir = mkdtempSync(join(tmpdir(), 'affinity-bench-demo-'));
  const { stack, s3, stop } = await startBenchStack('filters');
  try {
    const files = await ensureDemoFiles(filesDir);
    const started = performance.now();
    await syncDemoDataset(s3, stack.bucket, { events: files.ratings, catalogue: files.metadata });
    await stack.bridge.idle();
    const buildSeconds = (performance.now() - started) / 1000;
    const base = `${stack.apiUrl}/v1/datasets/${DEMO_DATASET}`;
    const dataset = (await (await fetch(base)).json()) as {
      activeVersion?: string;
      versions?: { stats: { ratings: number } }[];
    };
    if (!dataset.activeVersion) throw new Error(`the demo did not build: ${JSON.stringify(dataset)}`);

    const user = (n: number) => `u${n % USERS}`;
    const cases: { name: string; path: (n: number) => string }[] = [
      { name: 'recommendations, no filter', path: (n) => `/users/${user(n)}/recommendations?limit=10` },
      {
        name: `recommendations, \`filter=${COMMON}\``,
        path: (n) => `/users/${user(n)}/recommendations?limit=10&filter=${COMMON}`,
      },
      {
        name: 'recommendations, `maxPerCategory=2`',
        path: (n) => `/users/${user(n)}/recommendations?limit=10&maxPerCategory=2`,
      },
      {
        name: 'recommendations, `diversity=0.5`',
        path: (n) => `/users/${user(n)}/recommendations?limit=10&diversity=0.5`,
      },
      {
        name: 'similar items, `filter=' + RARE + '` (backfills)',
        path: (n) => `/items/i${n % 1000}/similar?limit=10&filter=${RARE}`,
      },
      {
        name: `recommendations, \`filter=${RARE}\` (backfills)`,
        path: (n) => `/users/${user(n)}/recommendations?limit=10&filter=${RARE}`,
      },
      { name: `popular, \`filter=${COMMON}\``, path: () => `/popular?limit=10&filter=${COMMON}` },
      { name: 'trending', path: () => `/trending?limit=10` },
      { name: `trending, \`filter=${RARE}\` (backfills)`, path: () => `/trending?limit=10&filter=${RARE}` },
      { name: 'a new user (trending fallback)', path: (n) => `/users/newcomer-${n}/recommendations?limit=10` },
    ];
    const get = async (path: string) => {
      const t0 = performance.now();
      const response = await fetch(`${base}${path}`);
      const body = (await response.json()) as {
        items?: { because?: { kind: string }[] }[];
        similar?: { because?: { kind: string }[] }[];
      };
      const ms = performance.now() - t0;
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
      const items = body.items ?? body.similar ?? [];
      const backfilled = items.filter((item) => item.because?.some((reason) => reason.kind === 'backfill')).length;
      return { ms, items: items.length, backfilled };
    };

    const results: LatencyCase[] = [];
    for (const { name, path } of cases) {
      for (let n = 0; n < USERS; n++) await get(path(n)); // warm-up: caches as a warm Lambda instance has them
      const ms: number[] = [];
      let items = 0;
      let backfilled = 0;
      for (let n = 0; n < options.requests; n++) {
        const answer = await get(path(n));
        ms.push(answer.ms);
        items += answer.items;
        backfilled += answer.backfilled;
      }
      ms.sort((a, b) => a - b);
      results.push({
        name,
        requests: options.requests,
        p50: quantile(ms, 0.5),
        p99: quantile(ms, 0.99),
        backfilled: backfilled / options.requests,
        items: items / options.requests,
      });
    }
    return { cases: results, ratings: dataset.versions?.[0]?.stats.ratings ?? 0, buildSeconds };
  } finally {
    await stop();
    rmSync(filesDir, { recursive: true, force: true });
  }
}
