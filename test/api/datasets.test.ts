// GET /v1/datasets: the dataset directory against the real DynamoModelStore on the test dynalite.
import type { DatasetListBody } from '../../functions/api/model-schemas.js';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.js';
import { createTestStore, FILMS, jobRecord, recordingLogger, recordingMetrics, writeModel } from './fixture.js';

type Page = DatasetListBody;
interface Problem {
  status: number;
  errors?: { in: string; field: string; message: string }[];
}

async function appWithStore() {
  const { store } = await createTestStore();
  return { store, app: createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() }) };
}

describe('GET /v1/datasets', () => {
  it('is an empty list on a table without datasets', async () => {
    const { app } = await appWithStore();
    const response = await app.request('/v1/datasets');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ datasets: [] });
  });

  it('lists built datasets (active version, kept versions, stats, model, last job) and one with a job only', async () => {
    const { store, app } = await appWithStore();
    // beta: two versions activated, then a failed job; alpha: one version; "pending": a first build running.
    await writeModel(store, 'beta', 'b1', FILMS, '2024-05-01T10:00:00.000Z#1');
    await writeModel(store, 'beta', 'b2', FILMS, '2024-05-02T10:00:00.000Z#2');
    await store.claimJob(jobRecord('beta', 'beta-job-1', '2024-05-02T09:00:00.000Z'));
    await store.claimJob({
      ...jobRecord('beta', 'beta-job-2', '2024-05-03T09:00:00.000Z', 'failed'),
      finishedAt: '2024-05-03T09:01:00.000Z',
      error: { message: 'bad rating', where: 'uploads/beta/r.csv', hint: 'fix it', reason: 'user-input' },
    });
    await writeModel(store, 'alpha', 'a1', FILMS, '2024-05-01T10:00:00.000Z#1');
    await store.claimJob(jobRecord('pending', 'first', '2024-05-04T09:00:00.000Z', 'running'));

    const body = (await (await app.request('/v1/datasets')).json()) as Page;
    expect(body.nextToken).toBeUndefined();
    expect(body.datasets.map((d) => d.dataset)).toEqual(['alpha', 'beta', 'pending']);
    const [alpha, beta, pending] = body.datasets;

    const betaState = (await (await app.request('/v1/datasets/beta')).json()) as {
      updatedAt: string;
      versions: { version: string; model: { label: string } }[];
    };
    expect(beta).toEqual({
      dataset: 'beta',
      activeVersion: 'b2',
      versions: 2,
      stats: { users: 3, items: 6, ratings: 6 }, // the fixture's versionInfo
      model: betaState.versions.find((v) => v.version === 'b2')!.model.label,
      updatedAt: betaState.updatedAt,
      lastJob: {
        jobId: 'beta-job-2',
        status: 'failed',
        startedAt: '2024-05-03T09:00:00.000Z',
        updatedAt: '2024-05-03T09:00:00.000Z',
        finishedAt: '2024-05-03T09:01:00.000Z',
        error: { message: 'bad rating', where: 'uploads/beta/r.csv', hint: 'fix it' },
      },
    });
    expect(beta.model).toMatch(/^item-knn/); // the fixture's versions carry no model: item-knn
    expect(alpha).toMatchObject({ activeVersion: 'a1', versions: 1, lastJob: null });
    expect(pending).toEqual({
      dataset: 'pending',
      activeVersion: null,
      versions: 0,
      stats: null,
      model: null,
      updatedAt: null,
      lastJob: {
        jobId: 'first',
        status: 'running',
        startedAt: '2024-05-04T09:00:00.000Z',
        updatedAt: '2024-05-04T09:00:00.000Z',
      },
    });
  });

  it('walks every dataset a page of one at a time, each once, in name order', async () => {
    const { store, app } = await appWithStore();
    const names = ['c', 'a-1', 'b', 'a'];
    for (const [index, name] of names.entries())
      await store.claimJob(jobRecord(name, `job-${index}`, `2024-05-0${index + 1}T09:00:00.000Z`));
    // A dataset recorded twice (claim, then activation) is one row.
    await writeModel(store, 'b', 'v1', FILMS, '2024-05-09T10:00:00.000Z#1');

    const seen: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const query = token ? `?limit=1&nextToken=${encodeURIComponent(token)}` : '?limit=1';
      const response = await app.request(`/v1/datasets${query}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as Page;
      expect(body.datasets).toHaveLength(1);
      seen.push(body.datasets[0].dataset);
      token = body.nextToken;
      if (!token) break;
    }
    expect(seen).toEqual(['a', 'a-1', 'b', 'c']);
  });

  it.each([
    ['0', 'limit'],
    ['101', 'limit'],
    ['1.5', 'limit'],
    ['ten', 'limit'],
  ])('refuses limit=%s with a 400 naming limit', async (limit, field) => {
    const { app } = await appWithStore();
    const response = await app.request(`/v1/datasets?limit=${limit}`);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as Problem;
    expect(problem.errors).toEqual([expect.objectContaining({ in: 'query', field })]);
  });

  it.each([
    ['not base64 !', 'not-base64'],
    [Buffer.from('{"after":1}').toString('base64url'), 'a number'],
    [Buffer.from('{"after":"a","x":1}').toString('base64url'), 'an extra key'],
    [Buffer.from('[]').toString('base64url'), 'not an object'],
    ['bm90IGpzb24', 'not JSON'],
  ])('refuses nextToken %j (%s) with a 400 naming nextToken', async (token) => {
    const { app } = await appWithStore();
    const response = await app.request(`/v1/datasets?nextToken=${encodeURIComponent(token)}`);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as Problem & { hint?: string };
    expect(problem.errors).toEqual([expect.objectContaining({ in: 'query', field: 'nextToken' })]);
    expect(problem.hint).toMatch(/previous page/);
  });

  it('refuses an unknown parameter', async () => {
    const { app } = await appWithStore();
    const response = await app.request('/v1/datasets?limt=5');
    expect(response.status).toBe(400);
  });

  it('is in the OpenAPI document', async () => {
    const { app } = await appWithStore();
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, { get?: { operationId: string } }>;
    };
    expect(doc.paths['/v1/datasets']?.get?.operationId).toBe('listDatasets');
  });

  it("documents the job report's chart fields in the OpenAPI document", async () => {
    const { app } = await appWithStore();
    const doc = (await (await app.request('/openapi.json')).json()) as {
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.components.schemas.JobReport?.properties ?? {})).toEqual(
      expect.arrayContaining([
        'ratingHistogram',
        'eventTypes',
        'popularityCurve',
        'userActivity',
        'files',
        'filesOmitted',
        'rejected',
      ]),
    );
    expect(Object.keys(doc.components.schemas.DatasetSummary?.properties ?? {}).sort()).toEqual([
      'activeVersion',
      'dataset',
      'lastJob',
      'model',
      'stats',
      'updatedAt',
      'versions',
    ]);
  });
});
