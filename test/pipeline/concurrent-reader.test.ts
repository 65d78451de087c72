// A reader polling the API while a second upload builds must see either the whole old model or the whole new
// one, never rows of one under the other's version, and never go back to the old one once it saw the new one.
// Readers that reuse a manifest (as the API function does, MANIFEST_CACHE_MS) during a burst of builds that each
// retire the previous version (versionsKept 1) must never be answered from a version whose rows are gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { createApp } from '../../functions/api/app.js';
import { syntheticInteractions } from '../../functions/engine/synthetic/index.js';
import { recordingLogger, recordingMetrics } from '../api/fixture.js';
import { approx, itemBased, neighbours, toCsv, type Ratings } from '../support/brute-force.js';
import { jobsOf, seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const DATASET = 'live';
const BASE = `/v1/datasets/${seg(DATASET)}`;

/** The reader's corner of the catalogue; the same ids score differently in each version. */
const V1: Ratings = [
  ['viewer', 'a', 5],
  ['viewer', 'b', 1],
  ['p', 'a', 4],
  ['p', 'c', 5],
  ['q', 'b', 5],
  ['q', 'd', 3],
];
// The new upload changes the corner and adds a larger, unrelated catalogue (its users rate only its items, so it
// cannot change the corner's scores) that keeps the build busy while the reader polls.
const V2: Ratings = [
  ['viewer', 'a', 5],
  ['viewer', 'b', 1],
  ['p', 'a', 2],
  ['p', 'c', 5],
  ['p', 'd', 1],
  ['q', 'b', 5],
  ['q', 'd', 4],
  ['r', 'a', 3],
  ['r', 'e', 5],
  ...[
    ...syntheticInteractions({
      users: 1500,
      items: 300,
      ratings: 9000,
      seed: 3,
      timestamps: false,
      userPrefix: 'f',
      itemPrefix: 'g',
    }),
  ].map(({ user, item, value }): [string, string, number] => [user, item, value]),
];

let env: PipelineStack;

beforeAll(async () => {
  // The deployed grace before a retired version's rows are deleted (the burst below relies on it).
  env = await startPipelineStack({ retiredVersionGraceMs: 'default' });
});
afterAll(async () => {
  await env?.stop();
});

interface Observation {
  recommendations: { status: number; version: string; items: unknown[] };
  similar: { status: number; version: string; similar: unknown[] };
}

async function observe(): Promise<Observation> {
  const [recommendations, similar] = await Promise.all([
    env.api<{ version: string; items: unknown[] }>(`${BASE}/users/viewer/recommendations`),
    env.api<{ version: string; similar: unknown[] }>(`${BASE}/items/a/similar?limit=100`),
  ]);
  return {
    recommendations: { status: recommendations.status, ...recommendations.body },
    similar: { status: similar.status, ...similar.body },
  };
}

const ITEM_KNN = { model: 'item-knn', evaluate: false };

describe('a reader during a rebuild', () => {
  it('sees whole versions only, in upload order', async () => {
    const expected = (ratings: Ratings) => ({
      items: approx(itemBased(ratings, 'viewer')),
      similar: approx(neighbours(ratings, 'item', 'a')),
    });
    const oracle = [expected(V1), expected(V2)];
    expect(JSON.stringify(oracle[0].items)).not.toBe(JSON.stringify(oracle[1].items)); // the versions are distinguishable

    // The oracle is item-based cosine CF: name that model (the default, auto, would compare candidates).
    await env.upload(`uploads/${DATASET}/config.json`, JSON.stringify(ITEM_KNN));
    await env.upload(`uploads/${DATASET}/day1.csv`, toCsv(V1));
    const v1 = (await env.store.getManifest(DATASET))!.activeVersion;

    const observations: Array<Observation & { during: boolean }> = [];
    let building = true;
    const reader = (async () => {
      // Bounded: stops by itself even if the build never finishes.
      for (let polls = 0; polls < 2000 && (building || observations.filter((o) => !o.during).length < 3); polls++) {
        const during = building;
        observations.push({ ...(await observe()), during });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await env.upload(`uploads/${DATASET}/day2.csv`, toCsv(V2));
    building = false;
    await reader;

    expect(env.stack.bridge.failed).toEqual([]);
    const v2 = (await env.store.getManifest(DATASET))!.activeVersion;
    expect(v2).not.toBe(v1);
    expect(observations.filter((o) => o.during).length).toBeGreaterThan(0);

    let newest = 0;
    for (const { recommendations, similar } of observations) {
      for (const response of [recommendations, similar]) {
        expect(response.status).toBe(200);
        expect([v1, v2]).toContain(response.version);
      }
      const index = recommendations.version === v1 ? 0 : 1;
      expect(recommendations.items).toEqual(oracle[index].items);
      expect(similar.similar).toEqual(oracle[similar.version === v1 ? 0 : 1].similar);
      // Responses are requested one after another, so each one's version is at least the previous one's.
      for (const version of [recommendations.version, similar.version]) {
        const order = version === v1 ? 0 : 1;
        expect(order).toBeGreaterThanOrEqual(newest);
      }
      newest = Math.max(newest, index, similar.version === v1 ? 0 : 1);
    }
    expect(observations[0].recommendations.version).toBe(v1);
    expect(observations.at(-1)!.recommendations.version).toBe(v2);
  });
});

/** Version `k` of the burst: the same users and items, with values that make every version's answers differ. */
function burstRatings(k: number): Ratings {
  return [
    ['viewer', 'a', 5],
    ['viewer', 'b', 1 + (k % 4)],
    ['p', 'a', 1 + (k % 5)],
    ['p', 'c', 5],
    ['p', 'd', 1 + ((k * 3) % 5)],
    ['q', 'b', 5],
    ['q', 'd', 1 + ((k * 2) % 5)],
    ['r', 'a', 1 + ((k + 2) % 5)],
    ['r', 'e', 4],
  ];
}

interface ReaderResponse {
  path: string;
  status: number;
  body: { version?: string; fallback?: unknown; items?: unknown[]; similar?: unknown[] };
}

describe('readers with a cached manifest during a burst of builds (versionsKept 1)', () => {
  it('answer every request from a version whose rows exist: no fallback for a known user, no 404', async () => {
    const dataset = 'burst';
    const base = `/v1/datasets/${seg(dataset)}`;
    const BURST = 20;
    const oracle = Array.from({ length: BURST + 1 }, (_, k) => ({
      viewer: approx(itemBased(burstRatings(k), 'viewer')),
      p: approx(itemBased(burstRatings(k), 'p')),
      a: approx(neighbours(burstRatings(k), 'item', 'a')),
    }));
    expect(new Set(oracle.map((o) => JSON.stringify([o.viewer, o.p]))).size).toBeGreaterThan(BURST / 2);

    await env.upload(`uploads/${dataset}/config.json`, JSON.stringify({ ...ITEM_KNN, versionsKept: 1 }));
    // The dataset's one file, replaced under its key: each build's state is one day's ratings.
    const file = `uploads/${dataset}/day.csv`;
    await env.upload(file, toCsv(burstRatings(0)));
    const indexOfVersion = new Map([[(await env.store.getManifest(dataset))!.activeVersion, 0]]);

    // Like the API function: the manifest is reused for 1 s. The row cache is off so that every request reads
    // rows (a cached row would hide a deleted version from this test, not from a cold API instance).
    const reader = new DynamoModelStore(env.doc, env.stack.table, { manifestCacheMs: 1000, rowCacheBytes: 0 });
    const app = createApp({ store: reader, logger: recordingLogger(), metrics: recordingMetrics() });
    const paths = [
      `${base}/users/viewer/recommendations`,
      `${base}/users/p/recommendations`,
      `${base}/items/a/similar?limit=50`,
    ];
    const responses: ReaderResponse[] = [];
    let reading = true;
    const readLoop = async (offset: number) => {
      // Bounded: stops by itself after 4000 requests per loop, whatever happens to the builds.
      for (let n = offset; reading && n < offset + 4000; n++) {
        const path = paths[n % paths.length];
        const response = await app.request(path);
        responses.push({ path, status: response.status, body: (await response.json()) as ReaderResponse['body'] });
      }
    };
    const readers = [0, 1, 2, 3].map(readLoop);

    // The burst: builds back to back, each retiring the one before (uploads of one file each wait for their
    // build: concurrent ones would coalesce into fewer builds, see many-files.test.ts).
    const started = Date.now();
    for (let i = 1; i <= BURST; i++) {
      await env.upload(file, toCsv(burstRatings(i)));
      indexOfVersion.set((await env.store.getManifest(dataset))!.activeVersion, i);
    }
    const burstMs = Date.now() - started;
    // Past the manifest cache: the last cached manifests expire while the readers still read.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    reading = false;
    await Promise.all(readers);
    expect(env.stack.bridge.failed).toEqual([]);

    const jobs = await jobsOf(env, dataset, 50);
    expect(jobs.filter((job) => job.status === 'succeeded')).toHaveLength(BURST + 1);
    expect(indexOfVersion.size).toBe(BURST + 1);

    const wrong = responses.filter(({ path, status, body }) => {
      const k = body.version === undefined ? undefined : indexOfVersion.get(body.version);
      if (status !== 200 || k === undefined || body.fallback !== undefined) return true;
      const expected = path.includes('/items/a/')
        ? oracle[k].a
        : path.includes('/users/p/')
          ? oracle[k].p
          : oracle[k].viewer;
      try {
        expect(path.includes('/similar') ? body.similar : body.items).toEqual(expected);
        return false;
      } catch {
        return true;
      }
    });
    const versionsSeen = new Set(responses.map((response) => response.body.version));
    console.log(
      `burst of ${BURST} builds in ${burstMs} ms under 4 cached-manifest readers: ${responses.length} responses, ` +
        `${versionsSeen.size} versions seen, ${wrong.length} wrong`,
    );
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(wrong.length).toBe(0);
    expect(versionsSeen.size).toBeGreaterThan(2);
  });
});
