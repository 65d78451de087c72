// `diversity` (MMR by content similarity) and the similar-items backfill through the HTTP API, against the real
// store on the test dynalite. Every expected list is worked out by hand below (and nowhere taken from the code).
//
// Terms (binary, engine/content/pair-similarity.ts): j1 = j2 = h1 = pj = {cat:jazz, tag:live}, j3 = {cat:jazz,
// tag:studio}, r1 = pr = {cat:rock, tag:live}, c1 = pc = {cat:classical, tag:studio}, pn = {cat:news}. So
// sim(j1, j2) = 1, sim(j1, j3) = sim(j1, r1) = sim(j3, c1) = 2/√4·… = 1/2 (one of two terms shared), and
// sim(j1, c1) = sim(j3, r1) = sim(r1, c1) = 0.
// h1's item row (and so u1's scores, u1 having seen h1 alone): j1 0.9, j2 0.8, j3 0.7, r1 0.6, c1 0.5.
// Popularity: h1 5, pj 4, pc 3, pr 2, then j1 1 and pn 1 (same count and mean: id order).
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.js';
import type { CatalogueEntry } from '../../functions/engine/catalogue/index.js';
import type { Neighbour, PopularItem } from '../../functions/engine/types.js';
import { createTestStore, FILMS, recordingLogger, recordingMetrics, versionInfo, writeModel } from './fixture.js';

const n = (id: string, similarity: number): Neighbour => ({ id, similarity, support: 2 });
const entry = (item: string, category: string, tag?: string): CatalogueEntry => ({
  item,
  categories: [category],
  ...(tag ? { tags: [tag] } : {}),
});

const CATALOGUE: CatalogueEntry[] = [
  entry('h1', 'jazz', 'live'),
  entry('j1', 'jazz', 'live'),
  entry('j2', 'jazz', 'live'),
  entry('j3', 'jazz', 'studio'),
  entry('r1', 'rock', 'live'),
  entry('c1', 'classical', 'studio'),
  entry('pj', 'jazz', 'live'),
  entry('pc', 'classical', 'studio'),
  entry('pr', 'rock', 'live'),
  entry('pn', 'news'),
];
const POPULARITY: PopularItem[] = [
  { item: 'pn', count: 1, meanValue: 1 },
  { item: 'pr', count: 2, meanValue: 1 },
  { item: 'h1', count: 5, meanValue: 1 },
  { item: 'j1', count: 1, meanValue: 1 },
  { item: 'pc', count: 3, meanValue: 1 },
  { item: 'pj', count: 4, meanValue: 1 },
];

interface Item {
  item: string;
  score: number;
  because?: Record<string, unknown>[];
}
interface Similar {
  id: string;
  similarity: number;
  support: number;
  because?: Record<string, unknown>[];
}
interface Problem {
  status: number;
  type: string;
  hint?: string;
  errors?: { in: string; field: string; message: string }[];
}

let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const { store } = await createTestStore();
  const writer = store.createVersionWriter('music', 'v1');
  await writer.putItemNeighbours('h1', [n('j1', 0.9), n('j2', 0.8), n('j3', 0.7), n('r1', 0.6), n('c1', 0.5)]);
  await writer.putUserHistory('u1', [{ item: 'h1', value: 1 }]);
  await writer.putPopularity(POPULARITY);
  for (const e of CATALOGUE) await writer.putCatalogueEntry(e);
  await writer.flush();
  const info = versionInfo('music', 'v1', '2026-01-01T00:00:00.000Z#1', ['item'], { itemRows: 1, userRows: 0 });
  info.catalogue = { key: 'uploads/music/items.csv', rows: 10, items: 10, attributes: [] };
  expect(await store.activateVersion('music', info, 3)).toBe('activated');
  // A dataset whose version has no catalogue.
  await writeModel(store, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() });
});

const get = async (path: string): Promise<Response> => app.request(path);
const post = async (path: string, payload: unknown): Promise<Response> =>
  app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
async function items(response: Response): Promise<Item[]> {
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Item[] }).items;
}
async function similar(query: string): Promise<Similar[]> {
  const response = await get(`/v1/datasets/music/items/h1/similar?${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { similar: Similar[] }).similar;
}
async function problem(response: Response, status: number): Promise<Problem> {
  expect(response.status).toBe(status);
  return (await response.json()) as Problem;
}
const ids = (list: readonly Item[]) => list.map((e) => e.item);
const forU1 = (query: string) => get(`/v1/datasets/music/users/u1/recommendations?${query}`).then(items);
const backfilled = (value: number) => [{ kind: 'backfill', reason: 'popular', value }];

describe('diversity on user recommendations', () => {
  it('diversity=0 is the undiversified list, with or without other rules', async () => {
    expect(ids(await forU1('limit=5'))).toEqual(['j1', 'j2', 'j3', 'r1', 'c1']);
    expect(await forU1('limit=5&diversity=0')).toEqual(await forU1('limit=5'));
    const filter = 'limit=5&filter=category:jazz,rock';
    expect(await forU1(`${filter}&diversity=0`)).toEqual(await forU1(filter));
    expect(await forU1('limit=5&maxPerCategory=2&diversity=0.0')).toEqual(await forU1('limit=5&maxPerCategory=2'));
  });

  it('diversity=1 picks the hand-computed MMR order', async () => {
    // λ = 0: value = −max sim to the picks. j1 first (all 0, the earliest); then c1 (0; j2 −1, j3 −½, r1 −½);
    // then j3 and r1 tie at −½: j3, the earlier; then r1 (−½ against j2's −1); then j2.
    expect(ids(await forU1('limit=5&diversity=1'))).toEqual(['j1', 'c1', 'j3', 'r1', 'j2']);
  });

  it('diversity=0.2 and 0.5 pick their hand-computed orders', async () => {
    // rel = score / 0.9. d = 0.2 (λ = 0.8), second pick: j2 0.8·0.889 − 0.2·1 = 0.511, j3 0.622 − 0.1 = 0.522,
    // r1 0.533 − 0.1 = 0.433, c1 0.444 − 0 = 0.444 → j3; third: j2 0.511 > c1 0.444 − 0.1 (½ to j3) → j2; then r1
    // 0.433 > c1 0.344 → r1, c1.
    expect(ids(await forU1('limit=5&diversity=0.2'))).toEqual(['j1', 'j3', 'j2', 'r1', 'c1']);
    // d = 0.5, second pick: j2 0.444 − 0.5 < j3 0.389 − 0.25 = 0.139 < c1 0.278 → c1; third: j3 0.139 > r1 0.083
    // > j2 −0.056 → j3, r1, j2.
    expect(ids(await forU1('limit=5&diversity=0.5'))).toEqual(['j1', 'c1', 'j3', 'r1', 'j2']);
    // limit cuts the same order.
    expect(ids(await forU1('limit=2&diversity=0.2'))).toEqual(['j1', 'j3']);
  });

  it('the POST body takes diversity too', async () => {
    const body = { history: [{ item: 'h1' }], limit: 5, diversity: 0.2 };
    expect(ids(await items(await post('/v1/datasets/music/recommendations', body)))).toEqual([
      'j1',
      'j3',
      'j2',
      'r1',
      'c1',
    ]);
  });

  it('caps hold after MMR, and run in its order', async () => {
    // MMR order j1, c1, j3, r1, j2; one per category keeps j1, c1, r1 (j3 and j2 are jazz).
    expect(ids(await forU1('limit=3&diversity=1&maxPerCategory=1'))).toEqual(['j1', 'c1', 'r1']);
    // Without MMR, score order: j1, r1, c1.
    expect(ids(await forU1('limit=3&maxPerCategory=1'))).toEqual(['j1', 'r1', 'c1']);
    // limit 5: the same three, and the backfill under the same caps: every popular item's category is taken
    // (pj jazz, pc classical, pr rock) except pn (news); h1 is seen.
    const list = await forU1('limit=5&diversity=1&maxPerCategory=1');
    expect(ids(list)).toEqual(['j1', 'c1', 'r1', 'pn']);
    expect(list[3]).toMatchObject({ score: 0, because: backfilled(1) });
  });

  it('filter first, MMR over the filtered pool, backfilled items after it and not re-ranked', async () => {
    // Jazz and rock: j1, j2, j3, r1. MMR (d = 1): j1; j3 and r1 tie at −½ (j3 earlier); r1 (−½, j2 −1); j2.
    // Then popularity within the filter: h1 seen, pj jazz (identical to j1, still listed: not re-ranked).
    const list = await forU1('limit=5&diversity=1&filter=category:jazz,rock');
    expect(ids(list)).toEqual(['j1', 'j3', 'r1', 'j2', 'pj']);
    expect(list[4]).toMatchObject({ score: 0, because: backfilled(4) });
  });

  it('is deterministic: the same request answers the same body', async () => {
    const path =
      '/v1/datasets/music/users/u1/recommendations?limit=5&diversity=0.7&maxPerSeries=1&filter=-category:news';
    const [first, second] = await Promise.all([get(path), get(path)]);
    expect(await first.json()).toEqual(await second.json());
  });
});

describe('diversity on similar items and popular', () => {
  it('similar items re-ranked (their row is the scores above)', async () => {
    expect((await similar('limit=5&diversity=1')).map((e) => e.id)).toEqual(['j1', 'c1', 'j3', 'r1', 'j2']);
    expect((await similar('limit=5&diversity=0')).map((e) => e.id)).toEqual(['j1', 'j2', 'j3', 'r1', 'c1']);
  });

  it('popular re-ranked: the popular pool is the scored list', async () => {
    const popular = (query: string) => get(`/v1/datasets/music/popular?${query}`).then(items);
    expect(ids(await popular('limit=4'))).toEqual(['h1', 'pj', 'pc', 'pr']);
    // d = 1: h1; pc and pn share nothing with h1 (0), pc first; then pn (0; pj −1, pr −½, j1 −1); then pr.
    expect(ids(await popular('limit=4&diversity=1'))).toEqual(['h1', 'pc', 'pn', 'pr']);
    expect(await popular('limit=4&diversity=0')).toEqual(await popular('limit=4'));
  });
});

describe('similar items backfill', () => {
  it('backfilled from popularity within the filter, labelled, never the item itself', async () => {
    // Jazz neighbours j1, j2, j3; then popular jazz: h1 is the item itself, pj fits, j1 is listed. Only four exist.
    const list = await similar('limit=5&filter=category:jazz');
    expect(list.map((e) => e.id)).toEqual(['j1', 'j2', 'j3', 'pj']);
    expect(list[3]).toEqual({ id: 'pj', similarity: 0, support: 0, because: backfilled(4) });
    expect(list[0]).toEqual({ id: 'j1', similarity: 0.9, support: 2 });
  });

  it('caps hold in the backfill', async () => {
    // One per category: j1, r1, c1 from the row; of the popular items only pn (news) is of a new category.
    const list = await similar('limit=5&maxPerCategory=1');
    expect(list.map((e) => e.id)).toEqual(['j1', 'r1', 'c1', 'pn']);
    expect(list[3].because).toEqual(backfilled(1));
  });

  it('no backfill when the row has enough, and none without rules', async () => {
    expect((await similar('limit=3&filter=category:jazz')).every((e) => e.because === undefined)).toBe(true);
    expect((await similar('limit=10')).map((e) => e.id)).toEqual(['j1', 'j2', 'j3', 'r1', 'c1']);
  });
});

describe('bad diversity', () => {
  it.each(['diversity=1.5', 'diversity=-0.1', 'diversity=abc', 'diversity=1e-1', 'diversity=0x1', 'diversity='])(
    'GET %s is a 400 naming query diversity and the range',
    async (query) => {
      for (const path of [
        `/v1/datasets/music/users/u1/recommendations?${query}`,
        `/v1/datasets/music/items/h1/similar?${query}`,
        `/v1/datasets/music/popular?${query}`,
      ]) {
        const answer = await problem(await get(path), 400);
        expect(answer.errors).toEqual([
          expect.objectContaining({ in: 'query', field: 'diversity', message: expect.stringMatching(/0 to 1/) }),
        ]);
      }
    },
  );

  it.each([2, -1, '0.5', null])('POST diversity %j is a 400 naming body diversity', async (diversity) => {
    const response = await post('/v1/datasets/music/recommendations', { history: [{ item: 'h1' }], diversity });
    const answer = await problem(response, 400);
    expect(answer.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'diversity', message: expect.stringMatching(/0 to 1/) }),
    ]);
  });

  it('diversity above 0 on a version without a catalogue is a 409 saying to upload one; 0 is off', async () => {
    for (const path of [
      '/v1/datasets/films/users/u1/recommendations?diversity=0.5',
      '/v1/datasets/films/popular?diversity=0.5',
      '/v1/datasets/films/items/m1/similar?diversity=0.5',
    ]) {
      const answer = await problem(await get(path), 409);
      expect(answer.type).toBe('urn:affinity:problem:model-not-built');
      expect(answer.hint).toMatch(/items\.csv/);
      expect(answer.hint).toMatch(/diversity/);
    }
    const response = await post('/v1/datasets/films/recommendations', { history: [{ item: 'm1' }], diversity: 1 });
    expect((await problem(response, 409)).type).toBe('urn:affinity:problem:model-not-built');
    expect((await get('/v1/datasets/films/popular?diversity=0')).status).toBe(200);
  });
});

describe('the OpenAPI document', () => {
  it('lists diversity on the GET routes and in the POST body, with its range', async () => {
    const doc = (await (await get('/openapi.json')).json()) as {
      paths: Record<string, { get: { parameters: { name: string; schema: Record<string, unknown> }[] } }>;
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    for (const path of [
      '/v1/datasets/{dataset}/users/{userId}/recommendations',
      '/v1/datasets/{dataset}/items/{itemId}/similar',
      '/v1/datasets/{dataset}/popular',
    ]) {
      const parameter = doc.paths[path].get.parameters.find((p) => p.name === 'diversity');
      expect(parameter?.schema).toMatchObject({ minimum: 0, maximum: 1 });
    }
    expect(doc.components.schemas.RecommendRequest.properties.diversity).toMatchObject({ minimum: 0, maximum: 1 });
    // SimilarItem extends SimilarEntry (an allOf): the label is in its own part.
    expect(JSON.stringify(doc.components.schemas.SimilarItem)).toContain('"because"');
  });
});
