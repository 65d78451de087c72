// Every recommended item says why it is there, popularity fallbacks included: a `because` entry of kind
// `popular` with the item's interaction count and the fallback reason. Against the real store on the test
// dynalite; the counts are the popularity rows of ./fixture.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.js';
import { createTestStore, FILMS, recordingLogger, recordingMetrics, writeModel } from './fixture.js';

interface Body {
  algorithm: string;
  fallback?: { reason: string };
  items: { item: string; score: number; because?: Record<string, unknown>[] }[];
}

let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const { store } = await createTestStore();
  await writeModel(store, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() });
});

async function request(path: string, payload?: unknown): Promise<Body> {
  const response = await app.request(
    path,
    payload === undefined
      ? undefined
      : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as Body;
}

/** Users who interacted with each item, as stored in the fixture's popularity rows. */
const interactions = new Map(FILMS.popularity.map(({ item, count }) => [item, count]));

function expectPopularReasons(body: Body, reason: string): void {
  expect(body.algorithm).toBe('popularity');
  expect(body.fallback?.reason).toBe(reason);
  expect(body.items.length).toBeGreaterThan(0);
  for (const { item, score, because } of body.items) {
    expect(because).toEqual([{ kind: 'popular', interactions: interactions.get(item), fallback: reason }]);
    expect(score).toBe(interactions.get(item));
  }
}

describe('popularity fallbacks explain every item', () => {
  it('unknown user, item- and user-based', async () => {
    expectPopularReasons(await request('/v1/datasets/films/users/nobody/recommendations'), 'unknown-user');
    expectPopularReasons(
      await request('/v1/datasets/films/users/nobody/recommendations?algorithm=user'),
      'unknown-user',
    );
  });

  it('empty history and a history with no candidates', async () => {
    expectPopularReasons(await request('/v1/datasets/films/recommendations', { history: [] }), 'empty-history');
    expectPopularReasons(
      await request('/v1/datasets/films/recommendations', { history: [{ item: 'never-seen' }] }),
      'no-candidates',
    );
  });

  it('explain=false still drops explanations', async () => {
    const body = await request('/v1/datasets/films/users/nobody/recommendations?explain=false');
    expect(body.items.length).toBeGreaterThan(0);
    for (const item of body.items) expect(item).not.toHaveProperty('because');
    const posted = await request('/v1/datasets/films/recommendations', { history: [], explain: false });
    for (const item of posted.items) expect(item).not.toHaveProperty('because');
  });

  it('documents the popular entry in the OpenAPI document', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as {
      components: { schemas: Record<string, { properties?: Record<string, { description?: string }> }> };
    };
    const popular = doc.components.schemas.PopularityReason;
    expect(Object.keys(popular.properties ?? {})).toEqual(['kind', 'interactions', 'fallback']);
    expect(popular.properties?.interactions.description).toMatch(/users who interacted/);
  });
});
