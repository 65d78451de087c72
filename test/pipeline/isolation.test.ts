// Key isolation end to end: datasets whose names differ only by characters that key layouts often mishandle
// ('#', a percent-encoded '#', non-ASCII), sharing user and item ids that look like key parts, each serve exactly
// their own file's model through the API. The same ids carry different ratings in every dataset, so a row read
// from the wrong dataset would change a score.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approx, itemBased, itemBasedForHistory, neighbours, toCsv, type Ratings } from '../support/brute-force.js';
import { seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const DATASETS = ['ds', 'ds#x', 'ds%23x', 'dś', 'ds#x#i#0', 'm'];
/** Ids that collide with the table's separators, escapes and key prefixes, or with the dataset names. */
const USERS = ['u1', 'u#1', 'u%231', 'a/b', 'ü', 'ds#x', 'r#u1', 'x y', 'm#ds#x#h#3'];
const ITEMS = ['i1', 'i#1', 'i%231', 'c/d', 'é', 'ds', '%', 'r#i1', 'manifest', 'ver#1'];

/** Deterministic pseudo-random numbers (mulberry32), so every dataset gets its own fixed ratings. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each user rates 2-4 distinct items; the last dataset leaves some ids out, so they are unknown there. */
function ratingsFor(index: number): Ratings {
  const next = random(1000 + index);
  const ratings: Ratings = [];
  const users = index === DATASETS.length - 1 ? USERS.slice(0, 4) : USERS;
  for (const user of users) {
    const items = [...ITEMS].sort(() => next() - 0.5).slice(0, 2 + Math.floor(next() * 3));
    for (const item of items) ratings.push([user, item, 1 + Math.floor(next() * 5)]);
  }
  return ratings;
}

const DATA = new Map(DATASETS.map((dataset, index) => [dataset, ratingsFor(index)]));

let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack();
  // The oracle is item-based cosine CF: each dataset names that model (the default, auto, compares candidates).
  for (const [dataset, ratings] of DATA) {
    await env.put(`uploads/${dataset}/config.json`, JSON.stringify({ model: 'item-knn', evaluate: false }));
    await env.put(`uploads/${dataset}/ratings.csv`, toCsv(ratings));
  }
  await env.stack.bridge.idle();
  expect(env.stack.bridge.failed).toEqual([]);
});
afterAll(async () => {
  await env?.stop();
});

describe('datasets and ids with key-like characters', () => {
  it('builds one model per dataset', async () => {
    for (const [dataset, ratings] of DATA) {
      const { status, body } = await env.api<{
        activeVersion: string;
        versions: Array<{ stats: { ratings: number } }>;
      }>(`/v1/datasets/${seg(dataset)}`);
      expect(status, dataset).toBe(200);
      expect(body.versions[0].stats.ratings, dataset).toBe(ratings.length);
    }
  });

  it("serves each dataset its own recommendations and similar items, never another dataset's rows", async () => {
    for (const [dataset, ratings] of DATA) {
      const base = `/v1/datasets/${seg(dataset)}`;
      const known = new Set(ratings.map(([user]) => user));
      for (const user of USERS) {
        const { status, body } = await env.api<{ items: unknown[]; fallback?: { reason: string } }>(
          `${base}/users/${seg(user)}/recommendations?limit=100`,
        );
        expect(status, `${dataset} / ${user}`).toBe(200);
        const expected = itemBased(ratings, user, 100);
        if (known.has(user) && expected.length > 0) {
          expect(body.fallback, `${dataset} / ${user}`).toBeUndefined();
          expect(body.items, `${dataset} / ${user}`).toEqual(approx(expected));
        } else if (known.has(user)) {
          // Everything near this user's items is already seen: popular items instead, flagged.
          expect(body.fallback, `${dataset} / ${user}`).toEqual({ reason: 'no-candidates', algorithm: 'popularity' });
        } else {
          expect(body.fallback, `${dataset} / ${user}`).toEqual({ reason: 'unknown-user', algorithm: 'popularity' });
        }
      }
      const rated = new Set(ratings.map(([, item]) => item));
      for (const item of ITEMS) {
        const { status, body } = await env.api<{ similar: unknown[] }>(`${base}/items/${seg(item)}/similar?limit=100`);
        const expected = neighbours(ratings, 'item', item);
        if (rated.has(item) && expected.length > 0) {
          expect(status, `${dataset} / ${item}`).toBe(200);
          expect(body.similar, `${dataset} / ${item}`).toEqual(approx(expected));
        } else {
          expect(status, `${dataset} / ${item}`).toBe(404);
        }
      }
      const history = new Map([
        ['i#1', 4],
        ['%', 2],
        ['c/d', 5],
      ]);
      const posted = await env.api<{ items: unknown[] }>(`${base}/recommendations`, {
        method: 'POST',
        body: { history: [...history].map(([item, rating]) => ({ item, rating })), limit: 100 },
      });
      const expected = itemBasedForHistory(ratings, history, 100);
      if (expected.length > 0) expect(posted.body.items, dataset).toEqual(approx(expected));
    }
  });

  it('finds no model under names that only look like a stored dataset', async () => {
    for (const lookalike of ['ds#', 'ds#x#i', 'ds%2523x', 'ds%x', 'ds#x#i#0#', 'ds/x', 'm#ds', 'DS']) {
      expect((await env.api(`/v1/datasets/${seg(lookalike)}/users/u1/recommendations`)).status, lookalike).toBe(404);
    }
  });
});
