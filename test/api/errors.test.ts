// Every failure is an RFC 9457 problem document naming what went wrong; user input never gives a 500.
// The real store cannot throttle or fail on demand, so 429/503 wrap it in a store that throws on one call.
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchGetError } from '../../functions/adapters/dynamo/batch.js';
import type { JobReader, LiveEventWriter, ModelReader } from '../../functions/adapters/store-contract.js';
import { createApp } from '../../functions/api/app.js';
import { createTestStore, FILMS, recordingLogger, recordingMetrics, writeModel } from './fixture.js';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  hint?: string;
  errors?: { in: string; field: string; message: string }[];
}

let store: ModelReader & JobReader & LiveEventWriter;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  ({ store } = await createTestStore());
  await writeModel(store as never, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() });
});

async function problemOf(response: Response, status: number): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = (await response.json()) as Problem;
  expect(problem.status).toBe(status);
  expect(problem.type).toMatch(/^urn:affinity:problem:/);
  expect(problem.title).toBeTruthy();
  expect(problem.detail).toBeTruthy();
  expect(problem.requestId).toBe(response.headers.get('x-request-id'));
  return problem;
}

const postJson = (path: string, body: unknown, target = app) =>
  target.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('validation errors name the field', () => {
  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=2.5', 'limit'],
    ['limit=ten', 'limit'],
    ['algorithm=svd', 'algorithm'],
    ['explain=maybe', 'explain'],
    ['limt=5', 'limt'],
    [`exclude=${'x'.repeat(257)}`, 'exclude[0]'],
  ])('GET recommendations?%s -> 400 on query %s', async (query, field) => {
    const problem = await problemOf(await app.request(`/v1/datasets/films/users/u1/recommendations?${query}`), 400);
    expect(problem.type).toBe('urn:affinity:problem:validation');
    expect(problem.errors).toEqual([expect.objectContaining({ in: 'query', field })]);
    expect(problem.detail).toContain(field);
  });

  it('ids over 256 UTF-8 bytes (not characters) and datasets over 128 bytes are refused', async () => {
    const userId = 'é'.repeat(129); // 129 characters, 258 bytes
    const problem = await problemOf(
      await app.request(`/v1/datasets/films/users/${encodeURIComponent(userId)}/recommendations`),
      400,
    );
    expect(problem.errors).toEqual([
      { in: 'path', field: 'userId', message: 'user id is 258 bytes in UTF-8; the limit is 256 bytes' },
    ]);
    const fits = await app.request(`/v1/datasets/films/users/${encodeURIComponent('é'.repeat(128))}/recommendations`);
    expect(fits.status).toBe(200); // 256 bytes: unknown user, popularity fallback
    const dataset = await problemOf(await app.request(`/v1/datasets/${'d'.repeat(129)}/popular`), 400);
    expect(dataset.errors?.[0]).toMatchObject({ in: 'path', field: 'dataset' });
  });

  it.each([
    [{}, 'history', 'history is required'],
    [{ history: [{ item: 'm1', rating: 'five' }] }, 'history[0].rating', 'rating must be a finite number'],
    [{ history: [{ item: 'm1' }, { rating: 3 }] }, 'history[1].item', 'item id is required'],
    [{ history: [{ item: '' }] }, 'history[0].item', 'item id must not be empty'],
    [{ history: [], limit: 0 }, 'limit', 'limit must be at least 1'],
    [{ history: [], exclude: 'm1' }, 'exclude', undefined],
    [{ history: [], allow: [7] }, 'allow[0]', 'item id must be a string'],
    [{ history: [], colour: 'red' }, 'colour', undefined],
    [{ history: [{ item: 'm1', rating: 5, when: 1 }] }, 'history[0].when', undefined],
  ])('POST body %j -> 400 naming %s', async (body, field, message) => {
    const problem = await problemOf(await postJson('/v1/datasets/films/recommendations', body), 400);
    const error = problem.errors?.find((entry) => entry.field === field);
    expect(error, JSON.stringify(problem.errors)).toBeDefined();
    expect(error?.in).toBe('body');
    if (message) expect(error?.message).toBe(message);
  });

  it('a non-finite rating (1e999 parses to Infinity) is refused', async () => {
    const problem = await problemOf(
      await postJson('/v1/datasets/films/recommendations', '{"history":[{"item":"m1","rating":1e999}]}'),
      400,
    );
    expect(problem.errors?.[0]).toMatchObject({ in: 'body', field: 'history[0].rating' });
  });

  it('more than 1000 history entries is 400 naming history', async () => {
    const history = Array.from({ length: 1001 }, (_, index) => ({ item: `i${index}` }));
    const problem = await problemOf(await postJson('/v1/datasets/films/recommendations', { history }), 400);
    expect(problem.errors).toEqual([expect.objectContaining({ in: 'body', field: 'history' })]);
    const thousand = await postJson('/v1/datasets/films/recommendations', { history: history.slice(0, 1000) });
    expect(thousand.status).toBe(200);
  });

  it('malformed JSON is 400, a non-JSON body 415, a body over 1 MiB 413', async () => {
    const malformed = await problemOf(await postJson('/v1/datasets/films/recommendations', '{"history": ['), 400);
    expect(malformed.type).toBe('urn:affinity:problem:malformed-body');
    await problemOf(
      await app.request('/v1/datasets/films/recommendations', {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: 'm1',
      }),
      415,
    );
    const huge = JSON.stringify({
      history: [{ item: 'm1' }],
      exclude: ['x'.repeat(200)],
      padding: ' '.repeat(1024 * 1024),
    });
    const tooLarge = await problemOf(await postJson('/v1/datasets/films/recommendations', huge), 413);
    expect(tooLarge.type).toBe('urn:affinity:problem:body-too-large');
  });
});

describe('not found and method not allowed', () => {
  it.each([
    '/v1/datasets/nope/users/u1/recommendations',
    '/v1/datasets/nope/popular',
    '/v1/datasets/nope/items/m1/similar',
    '/v1/datasets/nope',
  ])('unknown dataset: GET %s -> 404', async (path) => {
    const problem = await problemOf(await app.request(path), 404);
    expect(problem.detail).toContain('"nope"');
    expect(problem.instance).toBe(path);
  });

  it('POST recommendations for an unknown dataset -> 404', async () => {
    await problemOf(await postJson('/v1/datasets/nope/recommendations', { history: [{ item: 'm1' }] }), 404);
  });

  it('unknown job -> 404; unknown route -> 404 problem', async () => {
    await problemOf(await app.request('/v1/datasets/films/jobs/no-such-job'), 404);
    const route = await problemOf(await app.request('/v2/anything'), 404);
    expect(route.detail).toBe('No route for GET /v2/anything.');
  });

  it('a known path with the wrong method -> 405 with Allow', async () => {
    const response = await app.request('/v1/datasets/films/users/u1/recommendations', { method: 'DELETE' });
    await problemOf(response, 405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    const get = await app.request('/v1/datasets/films/recommendations');
    await problemOf(get, 405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await app.request('/health', { method: 'PUT' })).status).toBe(405);
    expect((await app.request('/openapi.json', { method: 'POST' })).status).toBe(405);
  });
});

/** The real store, except that `method` throws `error`. */
function failingStore(
  method: keyof (ModelReader & JobReader & LiveEventWriter),
  error: Error,
): ModelReader & JobReader & LiveEventWriter {
  return new Proxy(store, {
    get(object, property, receiver) {
      if (property === method) return () => Promise.reject(error);
      const value = Reflect.get(object, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

describe('store failures', () => {
  const throttled = () =>
    new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });

  it.each([
    ['ProvisionedThroughputExceededException', throttled()],
    [
      'ThrottlingException',
      Object.assign(new Error('Throughput exceeds the account limit'), { name: 'ThrottlingException' }),
    ],
    ['RequestLimitExceeded', Object.assign(new Error('Request limit exceeded'), { name: 'RequestLimitExceeded' })],
    [
      'BatchGetError caused by throttling',
      new BatchGetError(2, 'table', 'gave up after 5 attempts', { cause: throttled() }),
    ],
  ])('%s -> 429 with Retry-After', async (_name, error) => {
    const logger = recordingLogger();
    const throttledApp = createApp({ store: failingStore('getUserRows', error), logger, metrics: recordingMetrics() });
    const response = await throttledApp.request('/v1/datasets/films/users/u1/recommendations');
    const problem = await problemOf(response, 429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(problem.type).toBe('urn:affinity:problem:throttled');
    expect(logger.records.some((record) => record.level === 'warn')).toBe(true);
  });

  it('any other store error -> 503, logged with its stack, nothing internal in the response', async () => {
    const logger = recordingLogger();
    const metrics = recordingMetrics();
    const failure = new Error('connect ECONNREFUSED 10.1.2.3:443 secret-table-name');
    const broken = createApp({ store: failingStore('getManifest', failure), logger, metrics });
    const response = await broken.request('/v1/datasets/films/popular');
    const text = await response.clone().text();
    const problem = await problemOf(response, 503);
    expect(text).not.toContain('secret');
    expect(text).not.toContain('ECONNREFUSED');
    const logged = logger.records.find((record) => record.level === 'error');
    expect(logged?.extra[0]).toMatchObject({ requestId: problem.requestId, dataset: 'films', error: failure });
    expect(((logged?.extra[0] as { error: Error }).error.stack ?? '').length).toBeGreaterThan(0);
    expect(metrics.published.at(-1)).toMatchObject({ ServerErrors: 1 });
  });

  it('a rollback race (ConflictError) -> 409', async () => {
    const { ConflictError } = await import('../../functions/adapters/store-contract.js');
    const racing = createApp({
      store: failingStore('rollback', new ConflictError('manifest changed')),
      logger: recordingLogger(),
      metrics: recordingMetrics(),
    });
    const problem = await problemOf(await postJson('/v1/datasets/films/rollback', {}, racing), 409);
    expect(problem.detail).toBe('manifest changed');
  });
});
