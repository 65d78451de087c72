// Request-time filters, caps and `allow` through the HTTP API, against the real store on the test dynalite.
// The model: user u1 saw h1; h1's item row ranks a1 > a2 > … > a6 (similarity and id order agree, so the
// scored order does not depend on how the engine normalises). Every expected list is worked out by hand from the
// catalogue and the popularity below (see the comment on each case).
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.js';
import type { CatalogueEntry } from '../../functions/engine/catalogue/index.js';
import type { Neighbour, PopularItem } from '../../functions/engine/types.js';
import { createTestStore, FILMS, recordingLogger, recordingMetrics, versionInfo, writeModel } from './fixture.js';

const n = (id: string, similarity: number): Neighbour => ({ id, similarity, support: 1 });

const CATALOGUE: CatalogueEntry[] = [
  { item: 'h1', categories: ['drama'], language: 'en' },
  {
    item: 'a1',
    categories: ['drama'],
    language: 'en',
    series: 's1',
    attributes: { duration: 30 },
    publishedAt: '2026-01-10T00:00:00.000Z',
  },
  {
    item: 'a2',
    categories: ['comedy'],
    language: 'de',
    series: 's1',
    attributes: { duration: 60 },
    publishedAt: '2025-06-01T00:00:00.000Z',
  },
  {
    item: 'a3',
    categories: ['drama', 'comedy'],
    language: 'en',
    series: 's2',
    attributes: { duration: 30 },
    availableFrom: '2026-03-01T00:00:00.000Z',
  },
  {
    item: 'a4',
    categories: ['news'],
    language: 'fr',
    attributes: { duration: 30 },
    availableUntil: '2026-01-15T00:00:00.000Z',
  },
  { item: 'a5', categories: ['drama'], language: 'de', publishedAt: '2026-02-01T00:00:00.000Z' },
  // a6 has no entry: it passes no filter, and no cap applies to it.
  { item: 'p1', categories: ['drama'], language: 'en' },
  { item: 'p2', categories: ['comedy'], language: 'de' },
  { item: 'p3', categories: ['news'], language: 'en' },
  { item: 'p4', categories: ['drama'], language: 'fr' },
];

/** Popularity order: h1 (6), p1 (5), p2 (4), a1 (3), p3 (2), p4 (1). */
const POPULARITY: PopularItem[] = [
  { item: 'p3', count: 2, meanValue: 1 },
  { item: 'h1', count: 6, meanValue: 1 },
  { item: 'p1', count: 5, meanValue: 1 },
  { item: 'a1', count: 3, meanValue: 1 },
  { item: 'p4', count: 1, meanValue: 1 },
  { item: 'p2', count: 4, meanValue: 1 },
];

interface Item {
  item: string;
  score: number;
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
  const writer = store.createVersionWriter('shows', 'v1');
  await writer.putItemNeighbours('h1', [
    n('a1', 0.9),
    n('a2', 0.8),
    n('a3', 0.7),
    n('a4', 0.6),
    n('a5', 0.5),
    n('a6', 0.4),
  ]);
  await writer.putUserHistory('u1', [{ item: 'h1', value: 1 }]);
  await writer.putPopularity(POPULARITY);
  for (const entry of CATALOGUE) await writer.putCatalogueEntry(entry);
  await writer.flush();
  const info = versionInfo('shows', 'v1', '2026-01-01T00:00:00.000Z#1', ['item'], { itemRows: 1, userRows: 0 });
  info.catalogue = { key: 'uploads/shows/items.csv', rows: 11, items: 11, attributes: ['duration'] };
  expect(await store.activateVersion('shows', info, 3)).toBe('activated');
  // A dataset whose version has no catalogue.
  await writeModel(store, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() });
});

async function get(path: string): Promise<Response> {
  return app.request(path);
}
async function post(path: string, payload: unknown): Promise<Response> {
  return app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
}
async function items(response: Response): Promise<Item[]> {
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Item[] }).items;
}
const ids = (list: readonly Item[]) => list.map((entry) => entry.item);
const forU1 = (query: string) => get(`/v1/datasets/shows/users/u1/recommendations?${query}`).then(items);
async function problem(response: Response, status: number): Promise<Problem> {
  expect(response.status).toBe(status);
  return (await response.json()) as Problem;
}
const backfilled = (value: number) => [{ kind: 'backfill', reason: 'popular', value }];

describe('each filter kind on GET …/users/{userId}/recommendations', () => {
  it('no filter: the scored order', async () => {
    expect(ids(await forU1('limit=6'))).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
  });

  it('category include: the drama items a1, a3, a5', async () => {
    expect(ids(await forU1('limit=3&filter=category:drama'))).toEqual(['a1', 'a3', 'a5']);
  });

  it('category exclude: a2, a4 scored (a6 has no entry), then p2 from popularity (h1 is seen, p1 is drama)', async () => {
    const list = await forU1('limit=3&filter=-category:drama');
    expect(ids(list)).toEqual(['a2', 'a4', 'p2']);
    expect(list[2]).toMatchObject({ score: 0, because: backfilled(4) });
    expect(list[0].because?.[0]?.kind).toBe('item');
  });

  it('always N when N exist: only four non-drama items exist, so limit 5 gives four', async () => {
    const list = await forU1('limit=5&filter=-category:drama');
    expect(ids(list)).toEqual(['a2', 'a4', 'p2', 'p3']);
    expect(list.slice(2).map((entry) => entry.because)).toEqual([backfilled(4), backfilled(2)]);
  });

  it('language (case-insensitive): a2, a5, then p2', async () => {
    expect(ids(await forU1('limit=3&filter=language:DE'))).toEqual(['a2', 'a5', 'p2']);
  });

  it('series: a1 and a2 only (no popular item of s1 is left)', async () => {
    expect(ids(await forU1('limit=3&filter=series:s1'))).toEqual(['a1', 'a2']);
  });

  it('declared attribute: duration 30 is a1, a3, a4', async () => {
    expect(ids(await forU1('limit=3&filter=attr.duration:30'))).toEqual(['a1', 'a3', 'a4']);
  });

  it('publishedAfter: a1 and a5 (popular items have no publishedAt)', async () => {
    expect(ids(await forU1('limit=3&filter=publishedAfter:2026-01-01'))).toEqual(['a1', 'a5']);
  });

  it('available at now: a3 not yet, a4 no more, a6 unknown', async () => {
    const query = `limit=4&filter=${encodeURIComponent('available;now:2026-02-01T00:00:00Z')}`;
    expect(ids(await forU1(query))).toEqual(['a1', 'a2', 'a5', 'p1']);
  });

  it('combination: drama and English is a1, a3, then p1 (h1 would be first but is seen)', async () => {
    expect(ids(await forU1('limit=3&filter=category:drama;language:en'))).toEqual(['a1', 'a3', 'p1']);
  });

  it('explain=false keeps the backfill label and drops the rest', async () => {
    const list = await forU1('limit=3&filter=-category:drama&explain=false');
    expect(list).toEqual([
      { item: 'a2', score: list[0].score },
      { item: 'a4', score: list[1].score },
      { item: 'p2', score: 0, because: backfilled(4) },
    ]);
  });
});

describe('caps', () => {
  it('maxPerSeries=1: a2 (second of s1) goes', async () => {
    expect(ids(await forU1('limit=4&maxPerSeries=1'))).toEqual(['a1', 'a3', 'a4', 'a5']);
  });

  it('maxPerCategory=1: a3 and a5 (a second drama) go; a6 has no entry and is never capped', async () => {
    expect(ids(await forU1('limit=4&maxPerCategory=1'))).toEqual(['a1', 'a2', 'a4', 'a6']);
  });

  it('caps hold in the backfill: non-drama, one per category is a2 (comedy), a4 (news), nothing else', async () => {
    // p2 is comedy and p3 news: both categories already have their one item.
    expect(ids(await forU1('limit=5&filter=-category:drama&maxPerCategory=1'))).toEqual(['a2', 'a4']);
  });
});

describe('determinism', () => {
  it('the same filtered, capped, backfilled request answers the same body', async () => {
    const path = '/v1/datasets/shows/users/u1/recommendations?limit=5&filter=-category:drama&maxPerSeries=1';
    const [first, second] = await Promise.all([get(path), get(path)]);
    expect(await first.json()).toEqual(await second.json());
  });
});

describe('allow', () => {
  it('works on GET, backfilled from popularity within the allowed items', async () => {
    const list = await forU1('limit=4&allow=a2,a5,p3,zz');
    expect(ids(list)).toEqual(['a2', 'a5', 'p3']);
    expect(list[2].because).toEqual(backfilled(2));
  });

  it('works on POST with the same backfill', async () => {
    const body = { history: [{ item: 'h1' }], limit: 4, allow: ['a2', 'a5', 'p3', 'zz'] };
    expect(ids(await items(await post('/v1/datasets/shows/recommendations', body)))).toEqual(['a2', 'a5', 'p3']);
  });
});

describe('POST filters', () => {
  it('the POST form gives what the GET form gives', async () => {
    const body = { history: [{ item: 'h1' }], limit: 3, filters: { categories: { exclude: ['drama'] } } };
    const list = await items(await post('/v1/datasets/shows/recommendations', body));
    expect(ids(list)).toEqual(['a2', 'a4', 'p2']);
    expect(list[2].because).toEqual(backfilled(4));
  });

  it('attributes and caps in the body', async () => {
    const body = {
      history: [{ item: 'h1' }],
      limit: 3,
      filters: { attributes: { duration: { include: [30] } } },
      maxPerSeries: 1,
    };
    expect(ids(await items(await post('/v1/datasets/shows/recommendations', body)))).toEqual(['a1', 'a3', 'a4']);
  });
});

describe('similar items and popular', () => {
  it('similar items filtered and capped, then backfilled from popularity (never the item itself)', async () => {
    const similar = async (query: string) => {
      const response = await get(`/v1/datasets/shows/items/h1/similar?${query}`);
      expect(response.status).toBe(200);
      return ((await response.json()) as { similar: { id: string }[] }).similar.map((entry) => entry.id);
    };
    // Drama neighbours a1, a3, a5; then popular drama items: h1 is the item itself, p1, a1 is listed, p4.
    expect(await similar('limit=5&filter=category:drama')).toEqual(['a1', 'a3', 'a5', 'p1', 'p4']);
    expect(await similar('limit=5&maxPerSeries=1')).toEqual(['a1', 'a3', 'a4', 'a5', 'a6']);
  });

  it('popular filtered: English items in popularity order', async () => {
    const response = await get('/v1/datasets/shows/popular?limit=3&filter=language:en');
    expect(ids(await items(response))).toEqual(['h1', 'p1', 'a1']);
    const capped = await get('/v1/datasets/shows/popular?limit=4&maxPerCategory=1');
    expect(ids(await items(capped))).toEqual(['h1', 'p2', 'p3']);
  });
});

describe('bad filters are 400s naming the field', () => {
  it.each([
    ['filter=category', 'filter'],
    ['filter=colour:red', 'filter'],
    ['filter=attr.colour:red', 'filter.attr.colour'],
    ['filter=publishedAfter:2026-02-30', 'filter.publishedAfter'],
    ['maxPerCategory=0', 'maxPerCategory'],
    ['maxPerSeries=x', 'maxPerSeries'],
  ])('GET %s', async (query, field) => {
    const answer = await problem(await get(`/v1/datasets/shows/users/u1/recommendations?${query}`), 400);
    expect(answer.errors).toEqual([expect.objectContaining({ in: 'query', field })]);
  });

  it('an undeclared attribute names the declared ones', async () => {
    const answer = await problem(await get('/v1/datasets/shows/popular?filter=attr.colour:red'), 400);
    expect(answer.hint).toMatch(/duration/);
  });

  it.each([
    [{ categories: { include: [] } }, 'filters.categories.include'],
    [{ attributes: { colour: { include: ['red'] } } }, 'filters.attributes.colour.include'],
    [{ publishedAfter: 'soon' }, 'filters.publishedAfter'],
    [{ section: { include: ['x'] } }, 'filters.section'],
  ])('POST filters %j', async (filters, field) => {
    const response = await post('/v1/datasets/shows/recommendations', { history: [{ item: 'h1' }], filters });
    const answer = await problem(response, 400);
    expect(answer.errors).toEqual([expect.objectContaining({ in: 'body', field })]);
  });

  it('a filter on a version without a catalogue is a 409 saying to upload one', async () => {
    for (const path of [
      '/v1/datasets/films/users/u1/recommendations?filter=category:x',
      '/v1/datasets/films/popular?maxPerCategory=1',
      '/v1/datasets/films/items/m1/similar?filter=category:x',
    ]) {
      const answer = await problem(await get(path), 409);
      expect(answer.type).toBe('urn:affinity:problem:model-not-built');
      expect(answer.hint).toMatch(/items\.csv/);
    }
  });

  it('allow alone needs no catalogue', async () => {
    // u1 of FILMS saw m1, m2; their rows score m3 and a/b and m4; allow keeps m4, then m5 from popularity.
    const list = await items(await get('/v1/datasets/films/users/u1/recommendations?limit=2&allow=m4,m5'));
    expect(ids(list)).toEqual(['m4', 'm5']);
    expect(list[1].because).toEqual(backfilled(1));
  });
});

describe('the OpenAPI document', () => {
  it('lists filter, the caps and allow on the GET routes, filters and the caps in the POST body', async () => {
    const doc = (await (await get('/openapi.json')).json()) as {
      paths: Record<string, { get: { parameters: { name: string }[] } }>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const names = (path: string) => doc.paths[path].get.parameters.map((parameter) => parameter.name);
    expect(names('/v1/datasets/{dataset}/users/{userId}/recommendations')).toEqual(
      expect.arrayContaining(['filter', 'maxPerCategory', 'maxPerSeries', 'allow']),
    );
    for (const path of ['/v1/datasets/{dataset}/items/{itemId}/similar', '/v1/datasets/{dataset}/popular'])
      expect(names(path)).toEqual(expect.arrayContaining(['filter', 'maxPerCategory', 'maxPerSeries']));
    expect(Object.keys(doc.components.schemas.RecommendRequest.properties)).toEqual(
      expect.arrayContaining(['filters', 'maxPerCategory', 'maxPerSeries', 'allow']),
    );
  });
});
