// Every POST must say it is JSON (issue 8, point 9). A web page can make a browser send a cross-site POST without
// a body, or with text/plain / form content, and no script can stop it (`fetch(url, {method: 'POST', mode:
// 'no-cors'})`); it cannot send Content-Type: application/json without the target's CORS consent. So a POST
// without that content type is a 415 problem that changes nothing, and an empty JSON body means "no fields".
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { createApp } from '../../functions/api/app.js';
import { createTestStore, FILMS, recordingLogger, recordingMetrics, writeModel } from './fixture.js';

let store: DynamoModelStore;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  ({ store } = await createTestStore());
  await writeModel(store, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  await writeModel(store, 'films', 'v2', FILMS, '2024-05-02T10:00:00.000Z#2');
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() });
});

const activeVersion = async () => (await store.getManifest('films'))!.activeVersion;

describe('POST without Content-Type: application/json', () => {
  it.each([
    ['no body and no content type (a no-cors fetch)', {}],
    ['a text/plain body', { headers: { 'Content-Type': 'text/plain' }, body: '{}' }],
    ['a form body', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'version=v1' }],
    ['a multipart body', { headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, body: '--x--' }],
    ['a JSON-like type that is not application/json', { headers: { 'Content-Type': 'application/problem+json' } }],
  ])('%s: rollback is a 415 problem and the model stays', async (_name, init: RequestInit) => {
    expect(await activeVersion()).toBe('v2');
    const response = await app.request('/v1/datasets/films/rollback', { method: 'POST', ...init });
    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as { type: string; title: string; status: number; hint: string };
    expect(problem).toMatchObject({ type: 'urn:affinity:problem:unsupported-media-type', status: 415 });
    expect(problem.hint).toMatch(/Content-Type: application\/json/);
    expect(await activeVersion()).toBe('v2');
  });

  it('recommendations for a posted history are a 415 problem too', async () => {
    const response = await app.request('/v1/datasets/films/recommendations', {
      method: 'POST',
      body: JSON.stringify({ history: [{ item: 'm1' }] }),
    });
    expect(response.status).toBe(415);
  });
});

describe('POST with Content-Type: application/json', () => {
  it('and an empty body: rollback without fields (to the previous version)', async () => {
    const response = await app.request('/v1/datasets/films/rollback', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
    expect(response.status).toBe(200);
    expect(await activeVersion()).toBe('v1');
    const back = await app.request('/v1/datasets/films/rollback', {
      method: 'POST',
      headers: { 'Content-Type': 'Application/JSON' },
      body: JSON.stringify({ version: 'v2' }),
    });
    expect(back.status).toBe(200);
    expect(await activeVersion()).toBe('v2');
  });

  it('and an empty body on a route that needs fields: the field error, not "malformed JSON"', async () => {
    const response = await app.request('/v1/datasets/films/recommendations', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((error) => error.field)).toEqual(['history']);
  });
});

describe('GET', () => {
  it('needs no content type', async () => {
    expect((await app.request('/v1/datasets/films/popular')).status).toBe(200);
  });
});
