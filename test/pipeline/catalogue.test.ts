// The item catalogue end to end on the real local servers: uploads/<dataset>/items.csv is read by the next build,
// reported line by line, stored one row per item, and served through fields= and GET …/items/{itemId}.
// Every expected value is written by hand from the two fixtures below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seg, startPipelineStack, jobsOf, type PipelineStack } from '../support/pipeline-stack.js';

const DATASET = 'catalogued';
const BASE = `/v1/datasets/${seg(DATASET)}`;
const CATALOGUE_KEY = `uploads/${DATASET}/items.csv`;
const RATINGS_KEY = `uploads/${DATASET}/ratings.csv`;

// Popularity (distinct users): i2 3, i1 2 (mean 4.5), i3 2 (mean 4), i4 1 -> order i2, i1, i3, i4.
const RATINGS = [
  'user,item,rating',
  'u1,i1,5',
  'u1,i2,4',
  'u2,i1,4',
  'u2,i2,5',
  'u2,i3,3',
  'u3,i2,4',
  'u3,i3,5',
  'u4,i4,2',
]
  .join('\n')
  .concat('\n');

// Ten data rows, one bad (line 4: i3's date), so 10% are rejected: exactly the default maxRejectedShare.
// i9 and c1..c5 have no interactions; i3 is interacted with but its row is rejected, so it is missing.
const CATALOGUE = [
  'item,title,genres,publishedAt,colour',
  'i1,"Alpha, the first",drama|comedy,2024-05-01,red',
  'i2,Beta,drama,2024-05-02T10:00:00Z,',
  'i3,Gamma,,not-a-date,blue',
  'i4,Delta,,,',
  'i9,Omega,documentary,,',
  'c1,Cold one,,,',
  'c2,Cold two,,,',
  'c3,Cold three,,,',
  'c4,Cold four,,,',
  'c5,Cold five,,,',
]
  .join('\n')
  .concat('\n');

const TITLES: Record<string, string> = { i1: 'Alpha, the first', i2: 'Beta', i4: 'Delta' };

let env: PipelineStack;
let firstVersion: string;

beforeAll(async () => {
  env = await startPipelineStack();
  // Until catalogue keys start builds of their own (issue 9, part 1), the catalogue goes up without a build and
  // the interaction upload after it builds the version that carries it.
  env.mode = 'capture';
  await env.upload(CATALOGUE_KEY, CATALOGUE);
  env.mode = 'build';
  await env.upload(RATINGS_KEY, RATINGS);
  const [job] = await jobsOf(env, DATASET);
  expect(job.status).toBe('succeeded');
  firstVersion = job.version;
});
afterAll(async () => {
  await env?.stop();
});

type Item = { item: string; title?: string; categories?: string[] };

describe('a build with a catalogue', () => {
  it('reports the bad catalogue row with its line, the unknown column and both coverage gaps', async () => {
    const [job] = await jobsOf(env, DATASET);
    const catalogue = job.report?.catalogue as {
      rowsRead: number;
      accepted: number;
      rejected: Record<string, { lines: number[]; example: string }>;
      unknownColumns: string[];
      itemsWithoutInteractions: unknown;
      interactedItemsMissing: unknown;
    };
    expect(catalogue.rowsRead).toBe(10);
    expect(catalogue.accepted).toBe(9);
    expect(catalogue.rejected['bad-date'].lines).toEqual([4]);
    expect(catalogue.rejected['bad-date'].example).toMatch(/^line 4: publishedAt: .*'not-a-date'/);
    expect(catalogue.unknownColumns).toEqual(['colour']);
    expect(catalogue.itemsWithoutInteractions).toEqual({ count: 6, examples: ['c1', 'c2', 'c3', 'c4', 'c5', 'i9'] });
    expect(catalogue.interactedItemsMissing).toEqual({ count: 1, examples: ['i3'] });
    // The full report in S3 has the same, and the version records exactly which object it read.
    const report = await env.getJson(job.reportKey!);
    expect((report?.catalogue as { rejected: Record<string, { lines: number[] }> }).rejected['bad-date'].lines).toEqual(
      [4],
    );
    const manifest = await env.store.getManifest(DATASET);
    // attributes: what filters may name (none declared here: the colour column is unknown).
    expect(manifest?.versions[0].catalogue).toMatchObject({ key: CATALOGUE_KEY, rows: 10, items: 9, attributes: [] });
    expect(manifest?.versions[0].catalogue?.eTag).toMatch(/^[0-9a-f]{32}$/);
    const state = await env.api<{ versions: { catalogue?: unknown }[] }>(BASE);
    expect(state.body.versions[0].catalogue).toEqual(manifest?.versions[0].catalogue);
  });

  it('filters popular items by the built catalogue; an undeclared attribute is a 400', async () => {
    // Drama: i1 (drama|comedy) and i2 (drama); i3's row was rejected, i4 has no genres. Popularity order i2, i1.
    const drama = await env.api<{ items: Item[] }>(`${BASE}/popular?filter=category:drama`);
    expect(drama.status).toBe(200);
    expect(drama.body.items.map((entry) => entry.item)).toEqual(['i2', 'i1']);
    const colour = await env.api<{ errors?: { field: string }[] }>(`${BASE}/popular?filter=attr.colour:red`);
    expect(colour.status).toBe(400);
    expect(colour.body.errors?.[0]?.field).toBe('filter.attr.colour');
  });

  it('returns titles with fields=title on popular items (absent for an item the catalogue lacks)', async () => {
    const { status, body } = await env.api<{ items: Item[] }>(`${BASE}/popular?fields=title`);
    expect(status).toBe(200);
    expect(body.items.map(({ item, title }) => [item, title])).toEqual([
      ['i2', 'Beta'],
      ['i1', 'Alpha, the first'],
      ['i3', undefined],
      ['i4', 'Delta'],
    ]);
    expect(body.items[0]).not.toHaveProperty('categories');
  });

  it('returns the asked-for fields on recommendations (GET and POST) and similar items', async () => {
    const posted = await env.api<{ items: Item[] }>(`${BASE}/recommendations`, {
      method: 'POST',
      body: { history: [{ item: 'i1', rating: 5 }], fields: ['title', 'categories'] },
    });
    expect(posted.status).toBe(200);
    expect(posted.body.items.length).toBeGreaterThan(0);
    for (const { item, title } of posted.body.items) expect(title).toBe(TITLES[item]);
    const i2 = posted.body.items.find(({ item }) => item === 'i2');
    expect(i2?.categories).toEqual(['drama']);

    const forUser = await env.api<{ items: Item[] }>(`${BASE}/users/u4/recommendations?fields=title`);
    expect(forUser.status).toBe(200);
    expect(forUser.body.items.map(({ item }) => item)).toEqual(['i2', 'i1', 'i3']); // popular: i4 has no neighbours
    for (const { item, title } of forUser.body.items) expect(title).toBe(TITLES[item]);

    const similar = await env.api<{ similar: { id: string; title?: string }[] }>(
      `${BASE}/items/i1/similar?fields=title`,
    );
    expect(similar.status).toBe(200);
    expect(similar.body.similar.length).toBeGreaterThan(0);
    for (const { id, title } of similar.body.similar) expect(title).toBe(TITLES[id]);
  });

  it('refuses an unknown field name with a 400 that lists the allowed ones', async () => {
    const { status, body } = await env.api<{ errors: { field: string; message: string }[] }>(
      `${BASE}/popular?fields=title,colour`,
    );
    expect(status).toBe(400);
    expect(body.errors[0].message).toContain('unknown field "colour"');
    expect(body.errors[0].message).toContain('title, categories, tags, text');
    const posted = await env.api(`${BASE}/recommendations`, {
      method: 'POST',
      body: { history: [], fields: ['nope'] },
    });
    expect(posted.status).toBe(400);
  });

  it('serves the entry of a catalogue item nobody interacted with, and 404 for an unknown one', async () => {
    const cold = await env.api(`${BASE}/items/i9`);
    expect(cold.status).toBe(200);
    expect(cold.body).toEqual({
      dataset: DATASET,
      version: firstVersion,
      item: 'i9',
      title: 'Omega',
      categories: ['documentary'],
    });
    const i1 = await env.api(`${BASE}/items/i1`);
    expect(i1.body).toMatchObject({ categories: ['drama', 'comedy'], publishedAt: '2024-05-01T00:00:00.000Z' });
    // Known item, no neighbour row: it was never interacted with.
    expect((await env.api(`${BASE}/items/i9/similar`)).status).toBe(404);
    const unknown = await env.api<{ detail: string }>(`${BASE}/items/${seg('no such/item')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('no catalogue entry');
    // The rejected row is not an entry.
    expect((await env.api(`${BASE}/items/i3`)).status).toBe(404);
  });

  it('fails the next build on a catalogue past the rejection threshold, and the previous model serves', async () => {
    env.mode = 'capture';
    await env.upload(CATALOGUE_KEY, 'item,title,publishedAt\ni1,A,never\ni2,B,soon\ni4,D,2024-01-01\n');
    env.mode = 'build';
    await env.upload(RATINGS_KEY, RATINGS.concat('u5,i1,3\n'));
    const [job] = await jobsOf(env, DATASET);
    expect(job.status).toBe('failed');
    expect(job.error?.message).toContain(CATALOGUE_KEY);
    expect(job.error?.message).toContain('bad-date: 2 (e.g. line 2:');
    expect((await env.store.getManifest(DATASET))?.activeVersion).toBe(firstVersion);
    expect((await env.api(`${BASE}/items/i9`)).status).toBe(200);
  });
});
