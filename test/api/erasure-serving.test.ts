// Serving with tombstones (functions/api/tombstones.ts) on a hand-written model in the real store: an erased user
// is an unknown user and is in no neighbour list before scoring; a taken-down item is in no row, history or
// popularity answer. Every expected score is Σ similarity × rating worked out by hand from ERASABLE (./erasure-fixture.ts).
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { createApp } from '../../functions/api/app.js';
import { ERASABLE, GONE, PULLED } from './erasure-fixture.js';
import { createTestStore, recordingLogger, recordingMetrics, segment, writeModel } from './fixture.js';

const DATASET = 'erasable';
let store: DynamoModelStore;
let app: ReturnType<typeof createApp>;
const key = new Uint8Array(randomBytes(32));

interface Item {
  item: string;
  score: number;
  because?: { id: string; kind: string }[];
}
type Body = Record<string, unknown> & { items: Item[]; similar: { id: string }[]; fallback?: { reason: string } };

beforeAll(async () => {
  ({ store } = await createTestStore());
  await writeModel(store, DATASET, 'v1', ERASABLE, '2024-05-01T10:00:00.000Z#1');
  await writeModel(store, DATASET, 'v2', ERASABLE, '2024-05-02T10:00:00.000Z#2');
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics(), idHashKey: key });
});

async function call(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: Body }> {
  const response = await app.request(path, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Body };
}
const recs = (user: string, query = '') =>
  call(`/v1/datasets/${DATASET}/users/${segment(user)}/recommendations${query}`);
const scored = (body: Body) => body.items.map(({ item, score }) => [item, Number(score.toFixed(10))]);

describe('before anything is erased (the data really names them)', () => {
  it('GONE is a similar user of ana and scores her user-based recommendations; PULLED is everywhere', async () => {
    expect((await call(`/v1/datasets/${DATASET}/users/ana/similar`)).body.similar.map((s) => s.id)).toEqual([
      GONE,
      'bo',
    ]);
    // GONE: i3 .8×5, i4 .8×4, PULLED .8×3; bo: PULLED .5×2 (i1, i2 are ana's own).
    const userBased = await recs('ana', '?algorithm=user');
    expect(scored(userBased.body)).toEqual([
      ['i3', 4],
      [PULLED, 3.4],
      ['i4', 3.2],
    ]);
    expect(JSON.stringify(userBased.body)).toContain(GONE);
    // i1: PULLED .9×5, i3 .5×5; i2: i4 .7×3, PULLED .6×3.
    expect(scored((await recs('ana')).body)).toEqual([
      [PULLED, 6.3],
      ['i3', 2.5],
      ['i4', 2.1],
    ]);
    // bo: i2: i4 .7×4; PULLED (seen): i1 .9×2.
    expect(scored((await recs('bo')).body)).toEqual([
      ['i4', 2.8],
      ['i1', 1.8],
    ]);
  });
});

describe('after DELETE of the user and of the item', () => {
  beforeAll(async () => {
    expect((await call(`/v1/datasets/${DATASET}/users/${segment(GONE)}`, 'DELETE')).status).toBe(200);
    expect((await call(`/v1/datasets/${DATASET}/items/${PULLED}`, 'DELETE')).status).toBe(200);
  });

  it('the erased user is an unknown user: popularity, fallback unknown-user, without the taken-down item', async () => {
    for (const query of ['', '?algorithm=user']) {
      const { status, body } = await recs(GONE, query);
      expect(status).toBe(200);
      expect(body.fallback).toEqual({ reason: 'unknown-user', algorithm: 'popularity' });
      expect(body.items.map(({ item }) => item)).toEqual(['i2', 'i1', 'i3', 'i4', 'i5']);
    }
    expect((await call(`/v1/datasets/${DATASET}/users/${segment(GONE)}/similar`)).status).toBe(404);
  });

  it('is in no similar-users list, and their history no longer scores anyone', async () => {
    expect((await call(`/v1/datasets/${DATASET}/users/ana/similar`)).body.similar.map((s) => s.id)).toEqual(['bo']);
    expect((await call(`/v1/datasets/${DATASET}/users/bo/similar`)).body.similar.map((s) => s.id)).toEqual(['ana']);
    // Only bo is left for ana, and bo's PULLED is gone: bo has nothing ana has not seen (i2) -> no candidates.
    const { body } = await recs('ana', '?algorithm=user');
    expect(body.fallback?.reason).toBe('no-candidates');
    expect(JSON.stringify(body)).not.toContain(GONE);
    // cy's one neighbour is bo: bo's i2 .4×4 (PULLED dropped from bo's history before scoring).
    expect(scored((await recs('cy', '?algorithm=user')).body)).toEqual([['i2', 1.6]]);
  });

  it('the item is in no row, history or popularity answer, and no explanation', async () => {
    // ana: i1 -> i3 .5×5; i2 -> i4 .7×3.
    const ana = await recs('ana');
    expect(scored(ana.body)).toEqual([
      ['i3', 2.5],
      ['i4', 2.1],
    ]);
    // bo: only i2 scores now (PULLED's row would have given i1).
    const bo = await recs('bo');
    expect(scored(bo.body)).toEqual([['i4', 2.8]]);
    expect(bo.body.historyUsed).toBe(1);
    for (const body of [ana.body, bo.body]) expect(JSON.stringify(body)).not.toContain(PULLED);
    const similar = await call(`/v1/datasets/${DATASET}/items/i1/similar`);
    expect(similar.body.similar.map((s) => s.id)).toEqual(['i3']);
    const own = await call(`/v1/datasets/${DATASET}/items/${PULLED}/similar`);
    expect(own.status).toBe(404);
    expect(own.body.detail).toMatch(/taken down/);
    expect((await call(`/v1/datasets/${DATASET}/items/${PULLED}`)).status).toBe(404);
    const popular = await call(`/v1/datasets/${DATASET}/popular?limit=100`);
    expect(popular.body.items.map(({ item }) => item)).toEqual(['i2', 'i1', 'i3', 'i4', 'i5']);
    // A posted history naming it: it neither scores nor counts (i1 alone: i3 .5×4).
    const posted = await call(`/v1/datasets/${DATASET}/recommendations`, 'POST', {
      history: [
        { item: PULLED, rating: 5 },
        { item: 'i1', rating: 4 },
      ],
    });
    expect(scored(posted.body)).toEqual([['i3', 2]]);
    expect(posted.body.historyUsed).toBe(1);
  });

  it('holds on every kept version: after a rollback to v1 nothing comes back', async () => {
    expect((await call(`/v1/datasets/${DATASET}/rollback`, 'POST', { version: 'v1' })).status).toBe(200);
    const ana = await recs('ana', '?algorithm=user');
    expect(ana.body.version).toBe('v1');
    expect(JSON.stringify(ana.body)).not.toContain(GONE);
    expect(JSON.stringify((await recs('ana')).body)).not.toContain(PULLED);
    expect((await call(`/v1/datasets/${DATASET}/users/ana/similar`)).body.similar.map((s) => s.id)).toEqual(['bo']);
    expect((await recs(GONE)).body.fallback?.reason).toBe('unknown-user');
    expect((await call(`/v1/datasets/${DATASET}/items/${PULLED}/similar`)).status).toBe(404);
  });
});
