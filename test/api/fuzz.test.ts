// A bounded fuzz of the whole API (issue 8): a few thousand generated requests (methods, paths with odd ids and
// encodings, query strings, bodies of random JSON / junk / huge / deeply nested / wrong types, headers) against
// `createApp` on the dynalite fixture. Every answer is below 500, JSON (no score or similarity null), and a
// problem document (type, title, status) whenever it is an error. Bounded by count and by time; fast-check prints the seed of any failure.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.js';
import {
  createTestStore,
  FILMS,
  HASH_ITEM,
  jobRecord,
  ODD_USER,
  recordingLogger,
  recordingMetrics,
  SLASH_ITEM,
  UNICODE_ITEM,
  writeModel,
} from './fixture.js';

const RUNS = 4000;
const TIME_LIMIT_MS = 20_000;

let app: ReturnType<typeof createApp>;
const logger = recordingLogger();

beforeAll(async () => {
  const { store } = await createTestStore();
  await writeModel(store, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  await writeModel(store, 'films', 'v2', FILMS, '2024-05-02T10:00:00.000Z#2');
  await writeModel(store, 'items-only', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1', ['item']);
  await store.claimJob(jobRecord('films', 'job-1', '2024-05-01T09:00:00.000Z'));
  // As deployed: the handler loads the id hashing key at its start (erasure routes hash user ids with it).
  app = createApp({ store, logger, metrics: recordingMetrics(), idHashKey: new Uint8Array(randomBytes(32)) });
});

// ---- path segments: known ids, odd ids, and broken encodings ---------------------------------------------------
const KNOWN = ['films', 'items-only', 'u1', 'u2', 'm1', 'm3', 'job-1', 'v1', 'v2', 'nobody'];
const ODD = [SLASH_ITEM, HASH_ITEM, UNICODE_ITEM, ODD_USER, ' ', '.', '..', '__proto__', 'constructor', '\u0000'];
const BROKEN_ENCODINGS = ['%', '%zz', '%2', '%00', '%2F', '%2e%2e', '%ED%A0%80', '%C0%AF', '%FF%FE', '%25', '%u0041'];

const segment = fc.oneof(
  fc.constantFrom(...KNOWN),
  fc.constantFrom(...ODD).map(encodeURIComponent),
  fc.constantFrom(...ODD), // raw: '/', '#', '?' and spaces change what the URL means
  fc.constantFrom(...BROKEN_ENCODINGS),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 12 }).map((text) => encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, ''))),
  fc.integer({ min: 200, max: 3000 }).map((length) => 'x'.repeat(length)),
);

/** The routes (with the method each accepts) and a few paths that are none. */
const TEMPLATES: Array<[method: string, path: (dataset: string, id: string) => string]> = [
  ['GET', (d, a) => `/v1/datasets/${d}/users/${a}/recommendations`],
  ['POST', (d) => `/v1/datasets/${d}/recommendations`],
  ['GET', (d, a) => `/v1/datasets/${d}/items/${a}/similar`],
  ['GET', (d, a) => `/v1/datasets/${d}/users/${a}/similar`],
  ['GET', (d) => `/v1/datasets/${d}/popular`],
  ['GET', (d) => `/v1/datasets/${d}`],
  ['GET', (d) => `/v1/datasets/${d}/jobs`],
  ['GET', (d, a) => `/v1/datasets/${d}/jobs/${a}`],
  ['POST', (d) => `/v1/datasets/${d}/rollback`],
  ['DELETE', (d, a) => `/v1/datasets/${d}/users/${a}`],
  ['DELETE', (d, a) => `/v1/datasets/${d}/items/${a}`],
  ['GET', (d, a) => `/v1/datasets/${d}/erasures/users/${a}`],
  ['GET', (d, a) => `/v1/datasets/${d}/erasures/items/${a}`],
  ['GET', () => '/health'],
  ['GET', () => '/openapi.json'],
  ['GET', (d, a) => `/${d}/${a}`],
  ['GET', (d, a) => `/v1/${d}/${a}/${d}`],
  ['GET', (d) => `//v1//datasets//${d}`],
];

/** Mostly a known dataset and id (so requests reach the store and the engine), otherwise anything. */
const aimedSegment = fc.oneof({ arbitrary: fc.constantFrom(...KNOWN), weight: 3 }, { arbitrary: segment, weight: 2 });

const target = fc
  .tuple(fc.integer({ min: 0, max: TEMPLATES.length - 1 }), aimedSegment, aimedSegment)
  .map(([template, dataset, id]) => ({ method: TEMPLATES[template][0], path: TEMPLATES[template][1](dataset, id) }));

// ---- query strings ----------------------------------------------------------------------------------------------
const queryValue = fc.oneof(
  fc.constantFrom('1', '10', '100', '101', '0', '-1', '0x10', '1e1', '2.5', '', 'NaN', 'Infinity', '9'.repeat(400)),
  fc.constantFrom('item', 'user', 'svd', 'true', 'false', 'maybe', 'm1,m2', ',,,', '%', '%ZZ'),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
  fc.integer({ min: 300, max: 5000 }).map((n) => 'a,'.repeat(n)),
);
const queryPair = fc.tuple(
  fc.constantFrom('limit', 'exclude', 'allow', 'algorithm', 'explain', 'version', 'limt', '__proto__', '', 'a[b]'),
  queryValue,
);
const query = fc
  .array(queryPair, { maxLength: 5 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));

// ---- bodies -----------------------------------------------------------------------------------------------------
const HUGE = JSON.stringify({ history: [{ item: 'x'.repeat(1_100_000) }] });
const DEEP = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
const rating = fc.oneof(fc.double(), fc.constantFrom(1.7e308, -1.7e308, 1e9, -1e9, 1e9 + 1, 5e-324, -0));
const historyEntry = fc.oneof(
  fc.record({
    item: fc.constantFrom('m1', 'm2', HASH_ITEM, UNICODE_ITEM, ''),
    rating,
  }),
  fc.record({ item: fc.string({ maxLength: 300 }) }, { requiredKeys: [] }),
  fc.anything(),
);
/** Bodies the routes accept, so the engine runs on odd ratings (the extremes included). */
const wellFormedBody = fc
  .record(
    {
      history: fc.array(fc.record({ item: fc.constantFrom('m1', 'm2', 'm3', HASH_ITEM), rating }), {
        minLength: 1,
        maxLength: 6,
      }),
      limit: fc.integer({ min: 1, max: 100 }),
      explain: fc.boolean(),
    },
    { requiredKeys: ['history'] },
  )
  .map((value) => JSON.stringify(value));
const body = fc.oneof(
  { arbitrary: wellFormedBody, weight: 2 },
  fc.json({ maxDepth: 4 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', ' ', '{', '{"history":', 'null', '[]', '"history"', '{"__proto__":{"x":1}}', HUGE, DEEP),
  fc
    .record(
      {
        history: fc.oneof(fc.array(historyEntry, { maxLength: 8 }), fc.anything()),
        limit: fc.oneof(fc.integer({ min: -5, max: 200 }), fc.double(), fc.string({ maxLength: 5 })),
        exclude: fc.oneof(fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }), fc.anything()),
        allow: fc.array(fc.constantFrom('m1', 'm2', 'm3', 'm4'), { maxLength: 4 }),
        explain: fc.oneof(fc.boolean(), fc.string({ maxLength: 5 })),
        version: fc.oneof(fc.constantFrom('v1', 'v2', 'v9', ''), fc.anything()),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
);

// ---- headers ----------------------------------------------------------------------------------------------------
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
const headers = fc.record(
  {
    'content-type': fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 4 },
      fc.constantFrom(
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'application/problem+json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json;;;',
        '',
      ),
    ),
    'x-request-id': fc.oneof(fc.constantFrom('fuzz-1', 'a'.repeat(200), '../../etc'), printable),
    accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/problem+json'),
    origin: fc.constantFrom('http://evil.example', 'null'),
  },
  { requiredKeys: [] },
);

const OTHER_METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'FOO'];
const anyRequest = fc
  .record({
    target,
    // Mostly the route's own method (and HEAD for GET routes), otherwise any method.
    method: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 4 },
      { arbitrary: fc.constantFrom(...OTHER_METHODS), weight: 1 },
    ),
    query,
    body: fc.option(body, { nil: undefined, freq: 3 }),
    headers,
  })
  .map(({ target: { method, path }, method: other, ...rest }) => ({ method: other ?? method, path, ...rest }));

/** Requests a client of the API would send, with odd but valid values: they reach the engine. */
const id = fc.oneof(fc.constantFrom(...KNOWN), fc.constantFrom(...ODD).map(encodeURIComponent));
const validQuery = fc
  .record(
    {
      limit: fc.integer({ min: 1, max: 100 }).map(String),
      algorithm: fc.constantFrom('item', 'user'),
      explain: fc.constantFrom('true', 'false'),
      exclude: fc.array(id, { maxLength: 3 }).map((ids) => ids.join(',')),
    },
    { requiredKeys: [] },
  )
  .map((pairs) => {
    const entries = Object.entries(pairs);
    return entries.length ? `?${entries.map(([k, v]) => `${k}=${v}`).join('&')}` : '';
  });
const JSON_HEADERS = { 'content-type': 'application/json' };
const wellFormedRequest = fc.oneof(
  fc
    .tuple(fc.constantFrom('films', 'items-only'), id, validQuery, fc.constantFrom('recommendations', 'similar'))
    .map(([dataset, user, q, what]) => ({
      method: 'GET',
      path: `/v1/datasets/${dataset}/users/${user}/${what}`,
      query: what === 'similar' ? q.replace(/algorithm=\w+&?|explain=\w+&?|exclude=[^&]*&?/g, '') : q,
      body: undefined,
      headers: {},
    })),
  fc.tuple(fc.constantFrom('films', 'items-only'), id).map(([dataset, item]) => ({
    method: 'GET',
    path: `/v1/datasets/${dataset}/items/${item}/similar`,
    query: '',
    body: undefined,
    headers: {},
  })),
  fc.tuple(fc.constantFrom('films', 'items-only'), wellFormedBody).map(([dataset, json]) => ({
    method: 'POST',
    path: `/v1/datasets/${dataset}/recommendations`,
    query: '',
    body: json,
    headers: JSON_HEADERS,
  })),
  fc.constantFrom('{}', '', '{"version":"v1"}', '{"version":"v2"}', '{"version":"v9"}').map((json) => ({
    method: 'POST',
    path: '/v1/datasets/films/rollback',
    query: '',
    body: json,
    headers: JSON_HEADERS,
  })),
);

const request = fc.oneof({ arbitrary: anyRequest, weight: 2 }, { arbitrary: wellFormedRequest, weight: 1 });

interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  body: string | undefined;
  headers: Record<string, string>;
}

/** The request as a client would build it, or undefined when no client could send it (an invalid URL). */
function toRequest(input: FuzzRequest): Request | undefined {
  try {
    const withBody = input.body !== undefined && input.method !== 'GET' && input.method !== 'HEAD';
    return new Request(`http://localhost${input.path}${input.query}`, {
      method: input.method,
      headers: Object.fromEntries(Object.entries(input.headers).filter(([, value]) => value !== '')),
      ...(withBody ? { body: input.body } : {}),
    });
  } catch {
    return undefined;
  }
}

describe('API fuzz', () => {
  it(`${RUNS} generated requests: no 5xx, JSON bodies, problem+json for every error`, async () => {
    const statuses = new Map<number, number>();
    let sent = 0;
    let unsendable = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(request, async (input: FuzzRequest) => {
        const built = toRequest(input);
        if (!built) {
          unsendable++;
          return;
        }
        sent++;
        const response = await app.request(built);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const text = await response.text();
        const where = `${input.method} ${input.path}${input.query}`;
        expect(response.status, where).toBeLessThan(500);
        if (input.method === 'HEAD') return;
        let parsed: unknown;
        expect(() => (parsed = JSON.parse(text)), `${where}: ${text.slice(0, 200)}`).not.toThrow();
        // JSON.stringify writes NaN and Infinity as null: no score or similarity may be null.
        const { items, similar } = (parsed ?? {}) as {
          items?: { score?: unknown }[];
          similar?: { similarity?: unknown }[];
        };
        for (const entry of items ?? []) if ('score' in entry) expect(entry.score, where).toEqual(expect.any(Number));
        for (const entry of similar ?? []) expect(entry.similarity, where).toEqual(expect.any(Number));
        if (response.status >= 400) {
          expect(response.headers.get('content-type'), where).toBe('application/problem+json');
          expect(parsed, where).toMatchObject({
            type: expect.any(String),
            title: expect.any(String),
            status: response.status,
          });
        }
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, endOnFailure: true },
    );
    const seconds = (Date.now() - started) / 1000;
    const histogram = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`);
    console.log(
      `API fuzz: ${sent} requests in ${seconds.toFixed(1)} s (${unsendable} not sendable as a URL), ` +
        `5xx: ${[...statuses].filter(([status]) => status >= 500).length}; ${histogram.join(', ')}`,
    );
    expect(sent).toBeGreaterThan(500); // the time limit must not have cut the run short to nothing
    expect(logger.records.filter((record) => record.level === 'error')).toEqual([]);
  }, 60_000);
});
