// `limit` in a query string is a plain decimal whole number: hex, exponents, signs and padding are refused rather
// than read the way JavaScript's Number() reads them (limit=0x10 used to return 16 items; issue 8, point 8).
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.js';
import { createTestStore, FILMS, recordingLogger, recordingMetrics, writeModel } from './fixture.js';

let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const { store } = await createTestStore();
  await writeModel(store, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() });
});

describe('limit in the query string', () => {
  it.each(['0x10', '0b11', '0o7', '1e1', '+5', '-0', ' 5', '5 ', '5.0', '', 'Infinity'])(
    'limit=%j is refused with a field error',
    async (limit) => {
      for (const path of ['/v1/datasets/films/popular', '/v1/datasets/films/users/u1/recommendations']) {
        const response = await app.request(`${path}?limit=${encodeURIComponent(limit)}`);
        expect(response.status).toBe(400);
        const problem = (await response.json()) as { errors: { in: string; field: string }[] };
        expect(problem.errors).toEqual([expect.objectContaining({ in: 'query', field: 'limit' })]);
      }
    },
  );

  it.each([
    ['1', 1],
    ['3', 3],
    ['05', 5],
  ])('limit=%s is read as %d', async (limit, expected) => {
    const response = await app.request(`/v1/datasets/films/popular?limit=${limit}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(expected);
  });
});
