// No response carries a number JSON cannot hold (issue 8, point 2, API part). A posted rating beyond
// MAX_ABS_VALUE is the caller's mistake (400 naming the field); a non-finite number in a reply can only come from
// stored rows the service should never have accepted, so it is a logged 500, never a `null` in a 200.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.js';
import { MAX_ABS_VALUE } from '../../functions/engine/types.js';
import { createTestStore, FILMS, recordingLogger, recordingMetrics, writeModel, type TestStore } from './fixture.js';

let test: TestStore;
const logger = recordingLogger();
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  test = await createTestStore();
  await writeModel(test.store, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  // A version whose stored history holds values no build accepts today (a model built before the bound): they
  // fit a double, but their weighted sums do not.
  await writeModel(
    test.store,
    'overflow',
    'v1',
    {
      ...FILMS,
      histories: {
        ...FILMS.histories,
        big: [
          { item: 'm1', value: 1.7e308 },
          { item: 'm2', value: 1.7e308 },
        ],
      },
    },
    '2024-05-01T10:00:00.000Z#1',
  );
  app = createApp({ store: test.store, logger, metrics: recordingMetrics() });
});

const post = (history: unknown) =>
  app.request('/v1/datasets/films/recommendations', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ history }),
  });

describe('posted history values', () => {
  it.each([1.7e308, -1.7e308, MAX_ABS_VALUE * 10, -(MAX_ABS_VALUE + 1)])(
    'rating %d is refused with a field error naming the bound',
    async (rating) => {
      const response = await post([
        { item: 'm1', rating: 5 },
        { item: 'm2', rating },
      ]);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await response.json()) as { errors: { in: string; field: string; message: string }[] };
      expect(problem.errors).toEqual([
        { in: 'body', field: 'history[1].rating', message: expect.stringContaining(String(MAX_ABS_VALUE)) },
      ]);
    },
  );

  it('a rating that JSON reads as Infinity (1e309) is refused too', async () => {
    const response = await app.request('/v1/datasets/films/recommendations', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"history":[{"item":"m1","rating":1e309}]}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { field: string }[] }).errors[0].field).toBe('history[0].rating');
  });

  it('ratings at the bound are scored, with finite scores', async () => {
    const response = await post([
      { item: 'm1', rating: MAX_ABS_VALUE },
      { item: 'm2', rating: MAX_ABS_VALUE },
    ]);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: { item: string; score: number }[] };
    // m3: 0.5·1e9 + 0.6·1e9; a/b: 0.4·1e9; m4: 0.2·1e9.
    expect(body.items.map(({ item }) => item)).toEqual(['m3', 'a/b', 'm4']);
    const scores = body.items.map(({ score }) => score);
    [1.1, 0.4, 0.2].forEach((factor, i) => expect(scores[i]).toBeCloseTo(factor * MAX_ABS_VALUE, 3));
  });
});

describe('a reply that would carry a non-finite number', () => {
  it('is a logged 500 problem, not a 200 with score null', async () => {
    const before = logger.records.length;
    const response = await app.request('/v1/datasets/overflow/users/big/recommendations');
    const text = await response.text();
    expect(text).not.toContain('null');
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = JSON.parse(text) as { type: string; title: string; status: number; detail: string };
    expect(problem).toMatchObject({ type: 'urn:affinity:problem:internal', status: 500 });
    expect(problem.detail).not.toMatch(/Infinity|items\[/); // internals stay in the log
    const logged = logger.records.slice(before).filter((record) => record.level === 'error');
    expect(logged).toHaveLength(1);
    // The engine's guard (NonFiniteScoreError, naming the item) or the reply check (naming items[0].score).
    expect(JSON.stringify(logged[0].extra)).toMatch(/NonFiniteScoreError|items\[0\]\.score/);
  });
});
