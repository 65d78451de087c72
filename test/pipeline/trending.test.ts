// Trending end to end on the real local servers (dynalite + s3rver): the build stores the trending list of a tiny
// timestamped file, equal to a hand calculation; GET …/trending answers it, with filters and popularity backfill;
// a new user gets it as the fallback; a dataset without timestamps has none (409 on the route, popularity for a
// new user). Every expected value below is computed by hand from the rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsOf, seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const DAY = 86_400; // the timestamps are seconds
const NOW = 10 * DAY; // the newest timestamp: the end of the window
const DATASET = 'trend';
const BASE = `/v1/datasets/${seg(DATASET)}`;
const PLAIN = 'untimed';

// Config: window 2 days, half-life 1 day. Weight of an interaction = 0.5^(age in days).
const RATINGS = [
  'user,item,rating,timestamp',
  `u1,a,1,${NOW}`, // a: age 0 -> 1
  `u2,a,1,${NOW - DAY}`, // a: age 1 -> 0.5
  `u1,b,1,${NOW - DAY / 2}`, // b: age 0.5 -> 0.5^0.5
  `u3,c,1,${NOW - 2 * DAY}`, // c: age 2 (the window's edge, kept) -> 0.25
  `u1,d,1,${NOW - 5 * DAY}`, // d: out of the window (x4 users), the most popular item
  `u2,d,1,${NOW - 5 * DAY}`,
  `u3,d,1,${NOW - 5 * DAY}`,
  `u4,d,1,${NOW - 5 * DAY}`,
  `u4,e,1,${NOW - 3 * DAY}`, // e: out of the window, 1 user
  `u4,f,1,${NOW - 4 * DAY}`, // f: out of the window, 1 user
]
  .join('\n')
  .concat('\n');
// By hand: a 1.5 (2 in the window), b 0.5^0.5 = 0.7071067811865476 (1), c 0.25 (1); d, e, f absent.
const TRENDING = [
  { item: 'a', score: 1.5, count: 2 },
  { item: 'b', score: Math.SQRT1_2, count: 1 },
  { item: 'c', score: 0.25, count: 1 },
];
// Popularity (distinct users; ties: mean, then id): d 4, a 2, then b, c, e, f with 1 each.
// Category x: a, d, e; so `filter=category:x` keeps trending a, then backfills d (4) and e (1) from popularity.
const CATALOGUE = ['item,title,genres', 'a,A,x', 'b,B,y', 'c,C,y', 'd,D,x', 'e,E,x', 'f,F,y'].join('\n').concat('\n');

interface TrendingView {
  version: string;
  window: { windowDays: number; halfLifeDays: number; now: string };
  items: { item: string; score: number; count: number; because?: unknown[] }[];
}
interface RecommendationsView {
  fallback?: { reason: string; algorithm: string };
  items: { item: string; score: number; because?: Record<string, unknown>[] }[];
}

let env: PipelineStack;
let version: string;

beforeAll(async () => {
  env = await startPipelineStack();
  await env.upload(
    `uploads/${DATASET}/config.json`,
    JSON.stringify({ model: 'item-knn', trending: { windowDays: 2, halfLifeDays: 1 } }),
  );
  env.mode = 'capture';
  await env.upload(`uploads/${DATASET}/items.csv`, CATALOGUE);
  env.mode = 'build';
  await env.upload(`uploads/${DATASET}/ratings.csv`, RATINGS);
  const [job] = await jobsOf(env, DATASET);
  expect(job.status).toBe('succeeded');
  version = job.version;

  await env.upload(`uploads/${PLAIN}/config.json`, JSON.stringify({ model: 'item-knn' }));
  await env.upload(`uploads/${PLAIN}/ratings.csv`, 'user,item,rating\nu1,a,1\nu2,a,1\nu2,b,1\n');
  expect((await jobsOf(env, PLAIN))[0].status).toBe('succeeded');
});
afterAll(async () => {
  await env?.stop();
});

const closeTo = (items: { item: string; score: number; count: number }[]) =>
  items.map(({ item, score, count }) => ({ item, score: expect.closeTo(score, 12), count }));

describe('the trending list of a build', () => {
  it('is stored per version, equal to the hand calculation, and recorded in the version', async () => {
    expect(await env.store.getTrending(DATASET, version)).toEqual(closeTo(TRENDING));
    const manifest = await env.store.getManifest(DATASET);
    expect(manifest!.versions[0].trending).toEqual({
      windowDays: 2,
      halfLifeDays: 1,
      now: new Date(NOW * 1000).toISOString(),
      items: 3,
    });
  });

  it('is none for data without timestamps (the build succeeds)', async () => {
    const manifest = await env.store.getManifest(PLAIN);
    expect(manifest!.versions[0].trending).toEqual({ windowDays: 7, halfLifeDays: 2, none: 'no-timestamps' });
    expect(await env.store.getTrending(PLAIN, manifest!.activeVersion)).toEqual([]);
  });
});

describe('GET …/trending', () => {
  it('answers the list in trending order with its window', async () => {
    const { status, body } = await env.api<TrendingView>(`${BASE}/trending?limit=2`);
    expect(status).toBe(200);
    expect(body.window).toEqual({ windowDays: 2, halfLifeDays: 1, now: new Date(NOW * 1000).toISOString() });
    expect(body.items).toEqual(closeTo(TRENDING.slice(0, 2)));
  });

  it('filters, and backfills from popularity within the filter, labelled', async () => {
    const { status, body } = await env.api<TrendingView>(`${BASE}/trending?limit=3&filter=category:x`);
    expect(status).toBe(200);
    expect(body.items).toEqual([
      { item: 'a', score: 1.5, count: 2 },
      { item: 'd', score: 0, count: 0, because: [{ kind: 'backfill', reason: 'popular', value: 4 }] },
      { item: 'e', score: 0, count: 0, because: [{ kind: 'backfill', reason: 'popular', value: 1 }] },
    ]);
  });

  it('applies the caps', async () => {
    // One item per category: a (x) and b (y) from trending; c is a second y.
    const { body } = await env.api<TrendingView>(`${BASE}/trending?limit=3&maxPerCategory=1`);
    expect(body.items.map((entry) => entry.item)).toEqual(['a', 'b']);
  });

  it('is a 409 model-not-built for a version without timestamps, saying how to add them', async () => {
    const { status, body } = await env.api<{ type: string; detail: string; hint: string }>(
      `/v1/datasets/${seg(PLAIN)}/trending`,
    );
    expect(status).toBe(409);
    expect(body.type).toBe('urn:affinity:problem:model-not-built');
    expect(body.detail).toContain('without timestamps');
    expect(body.hint).toContain('timestamp column');
  });

  it('refuses a bad filter naming the field', async () => {
    const { status, body } = await env.api<{ errors: { field: string }[] }>(`${BASE}/trending?filter=colour:red`);
    expect(status).toBe(400);
    expect(body.errors[0].field).toContain('filter');
  });
});

describe('the fallback for new users', () => {
  it('is the trending list when the version has one, then popularity to fill the limit', async () => {
    const { body } = await env.api<RecommendationsView>(`${BASE}/users/newcomer/recommendations?limit=5`);
    expect(body.fallback).toEqual({ reason: 'unknown-user', algorithm: 'trending' });
    expect(body.items.map(({ item }) => item)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(body.items[0]).toEqual({
      item: 'a',
      score: 1.5,
      because: [{ kind: 'trending', score: 1.5, count: 2, windowDays: 2, halfLifeDays: 1, fallback: 'unknown-user' }],
    });
    expect(body.items[1].score).toBeCloseTo(Math.SQRT1_2, 12);
    expect(body.items[3]).toEqual({
      item: 'd',
      score: 0,
      because: [{ kind: 'backfill', reason: 'popular', value: 4 }],
    });
  });

  it('is the trending list for an empty posted history too, within a filter', async () => {
    const { body } = await env.api<RecommendationsView>(`${BASE}/recommendations`, {
      method: 'POST',
      body: { history: [], limit: 2, explain: false, filters: { categories: { include: ['y'] } } },
    });
    expect(body.fallback).toEqual({ reason: 'empty-history', algorithm: 'trending' });
    expect(body.items).toEqual([
      { item: 'b', score: expect.closeTo(Math.SQRT1_2, 12) },
      { item: 'c', score: 0.25 },
    ]);
  });

  it('is popularity when the version has no trending list', async () => {
    const { body } = await env.api<RecommendationsView>(`/v1/datasets/${seg(PLAIN)}/users/newcomer/recommendations`);
    expect(body.fallback).toEqual({ reason: 'unknown-user', algorithm: 'popularity' });
    expect(body.items.map(({ item }) => item)).toEqual(['a', 'b']);
  });
});
