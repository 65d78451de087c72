// Model state, build jobs and rollback, against the real DynamoModelStore on the test dynalite.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { createApp } from '../../functions/api/app.js';
import {
  createTestStore,
  FILMS,
  jobRecord,
  recordingLogger,
  recordingMetrics,
  segment,
  writeModel,
  type TestModel,
} from './fixture.js';

/** A dataset name that needs percent-encoding. */
const DATASET = 'séries/2024 #1';
const PATH = `/v1/datasets/${segment(DATASET)}`;
const ODD_JOB = 'job #2/ü';
/** Version 2 differs from version 1 in m1's neighbours, so the active version is visible in responses. */
const V2: TestModel = {
  ...FILMS,
  itemNeighbours: { ...FILMS.itemNeighbours, m1: [{ id: 'm5', similarity: 1, support: 5 }] },
};

let store: DynamoModelStore;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  ({ store } = await createTestStore());
  await writeModel(store, DATASET, 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  await writeModel(store, DATASET, 'v2', V2, '2024-05-02T10:00:00.000Z#2');
  await store.claimJob(jobRecord(DATASET, 'job-old', '2024-05-01T09:00:00.000Z'));
  await store.claimJob(jobRecord(DATASET, ODD_JOB, '2024-05-02T09:00:00.000Z'));
  await store.claimJob(jobRecord('pending', 'first-build', '2024-05-03T09:00:00.000Z', 'running'));
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() });
});

const similarToM1 = async () =>
  (await (await app.request(`${PATH}/items/m1/similar`)).json()) as { version: string; similar: { id: string }[] };
/** Without `body`: a JSON request with no body (every POST must be JSON: test/api/json-content-type.test.ts). */
const JSON_POST = { method: 'POST', headers: { 'Content-Type': 'application/json' } };
const rollback = (body?: unknown) =>
  app.request(`${PATH}/rollback`, body === undefined ? JSON_POST : { ...JSON_POST, body: JSON.stringify(body) });

describe('GET /v1/datasets/{dataset}', () => {
  it('shows the active version, the kept versions with stats (newest first) and the latest job', async () => {
    const response = await app.request(PATH);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      dataset: string;
      activeVersion: string;
      revision: number;
      versions: { version: string; active: boolean; stats: { users: number }; source: { key: string } }[];
      latestJob: { jobId: string; status: string };
    };
    expect(body.dataset).toBe(DATASET);
    expect(body.activeVersion).toBe('v2');
    expect(body.revision).toBe(2);
    expect(body.versions.map(({ version, active }) => ({ version, active }))).toEqual([
      { version: 'v2', active: true },
      { version: 'v1', active: false },
    ]);
    expect(body.versions[0].stats).toEqual({ users: 3, items: 6, ratings: 6, itemRows: 6, userRows: 2 });
    expect(body.versions[0].source.key).toBe(`uploads/${DATASET}/ratings.csv`);
    expect(body.latestJob).toMatchObject({ jobId: ODD_JOB, status: 'succeeded' });
  });

  it('a dataset whose first build is still running: no active version, but its job', async () => {
    const body = (await (await app.request('/v1/datasets/pending')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      dataset: 'pending',
      activeVersion: null,
      versions: [],
      latestJob: { jobId: 'first-build', status: 'running' },
    });
  });
});

describe('jobs', () => {
  it('lists jobs newest first, honouring limit', async () => {
    const all = (await (await app.request(`${PATH}/jobs`)).json()) as { jobs: { jobId: string }[] };
    expect(all.jobs.map((job) => job.jobId)).toEqual([ODD_JOB, 'job-old']);
    const one = (await (await app.request(`${PATH}/jobs?limit=1`)).json()) as { jobs: { jobId: string }[] };
    expect(one.jobs.map((job) => job.jobId)).toEqual([ODD_JOB]);
    const none = (await (await app.request('/v1/datasets/never/jobs')).json()) as { jobs: unknown[] };
    expect(none.jobs).toEqual([]);
  });

  it('reads one job by a percent-encoded id', async () => {
    const response = await app.request(`${PATH}/jobs/${segment(ODD_JOB)}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      dataset: DATASET,
      jobId: ODD_JOB,
      status: 'succeeded',
      startedAt: '2024-05-02T09:00:00.000Z',
    });
  });
});

describe('POST /v1/datasets/{dataset}/rollback', () => {
  it('re-activates the previous version, then a named one; reads follow the active version', async () => {
    expect((await similarToM1()).similar.map((entry) => entry.id)).toEqual(['m5']);

    const back = await rollback();
    expect(back.status).toBe(200);
    expect(await back.json()).toMatchObject({
      dataset: DATASET,
      activeVersion: 'v1',
      previousVersion: 'v2',
      revision: 3,
    });
    const afterRollback = await similarToM1();
    expect(afterRollback.version).toBe('v1');
    expect(afterRollback.similar.map((entry) => entry.id)).toEqual(['m2', 'm3', 'a/b']);

    // v1 is the oldest kept version: there is nothing before it.
    const nothingOlder = await rollback({});
    expect(nothingOlder.status).toBe(404);
    expect(nothingOlder.headers.get('content-type')).toBe('application/problem+json');

    const forward = await rollback({ version: 'v2' });
    expect(await forward.json()).toMatchObject({ activeVersion: 'v2', previousVersion: 'v1', revision: 4 });
    expect((await similarToM1()).version).toBe('v2');
  });

  it('an unknown version or dataset is 404, a bad body 400', async () => {
    const unknown = await rollback({ version: 'v9' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toContain('v9');
    expect((await app.request('/v1/datasets/never/rollback', JSON_POST)).status).toBe(404);
    const bad = await rollback({ version: '', force: true });
    expect(bad.status).toBe(400);
    const fields = ((await bad.json()) as { errors: { field: string }[] }).errors.map((error) => error.field);
    expect(fields.sort()).toEqual(['force', 'version']);
  });
});
