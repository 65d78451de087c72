// Model versions end to end: each upload (here, of the dataset's one file, replaced under its key) activates a new
// version, config.json's versionsKept bounds how many
// are kept (older rows deleted from DynamoDB), and the rollback API re-activates a kept one atomically.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approx, itemBased, toCsv, type Ratings } from '../support/brute-force.js';
import { seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const DATASET = 'catalogue';
const BASE = `/v1/datasets/${seg(DATASET)}`;

/** Three uploads whose recommendations for alice all differ (checked below), so a response names its version. */
const V1: Ratings = [
  ['alice', 'a', 5],
  ['bob', 'a', 4],
  ['bob', 'b', 5],
  ['carol', 'a', 2],
  ['carol', 'c', 3],
];
const V2: Ratings = [
  ['alice', 'a', 5],
  ['bob', 'a', 1],
  ['bob', 'b', 5],
  ['carol', 'a', 4],
  ['carol', 'c', 3],
  ['carol', 'd', 2],
];
const V3: Ratings = [
  ['alice', 'a', 5],
  ['dave', 'a', 3],
  ['dave', 'e', 4],
];

let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack();
});
afterAll(async () => {
  await env?.stop();
});

interface Recommendations {
  version: string;
  items: unknown[];
}

async function alice(): Promise<Recommendations> {
  const { status, body } = await env.api<Recommendations>(`${BASE}/users/alice/recommendations`);
  expect(status).toBe(200);
  return body;
}

async function activeVersion(): Promise<string> {
  return (await env.api<{ activeVersion: string }>(BASE)).body.activeVersion;
}

describe('versions and rollback', () => {
  it('the three uploads are distinguishable by their recommendations', () => {
    const lists = [V1, V2, V3].map((ratings) => JSON.stringify(itemBased(ratings, 'alice')));
    expect(new Set(lists).size).toBe(3);
  });

  it('activates each upload, rolls back through the API, and keeps exactly versionsKept versions', async () => {
    await env.upload(`uploads/${DATASET}/config.json`, JSON.stringify({ versionsKept: 2 }));

    await env.upload(`uploads/${DATASET}/ratings.csv`, toCsv(V1));
    const v1 = await activeVersion();
    expect(await alice()).toMatchObject({ version: v1, items: approx(itemBased(V1, 'alice')) });
    const v1Rows = (await env.versionRows(DATASET, v1)).rows;
    expect(v1Rows).toBeGreaterThan(0);

    await env.upload(`uploads/${DATASET}/ratings.csv`, toCsv(V2));
    const v2 = await activeVersion();
    expect(v2).not.toBe(v1);
    expect((await alice()).items).toEqual(approx(itemBased(V2, 'alice')));

    // Rollback with no body: the version before the active one serves again.
    const rollback = await env.api(`${BASE}/rollback`, { method: 'POST' });
    expect(rollback.status).toBe(200);
    expect(rollback.body).toMatchObject({ activeVersion: v1, previousVersion: v2 });
    const afterRollback = await alice();
    expect(afterRollback.version).toBe(v1);
    expect(afterRollback.items).toEqual(approx(itemBased(V1, 'alice')));
    // Nothing is older than v1.
    expect((await env.api(`${BASE}/rollback`, { method: 'POST', body: {} })).status).toBe(404);

    // A new upload after a rollback becomes active; with versionsKept 2 the oldest (v1) is pruned.
    await env.upload(`uploads/${DATASET}/ratings.csv`, toCsv(V3));
    const v3 = await activeVersion();
    expect(env.stack.bridge.failed).toEqual([]);
    const status = await env.api<{ versions: Array<{ version: string; active: boolean }> }>(BASE);
    expect(status.body.versions.map(({ version, active }) => ({ version, active }))).toEqual([
      { version: v3, active: true },
      { version: v2, active: false },
    ]);
    expect((await alice()).items).toEqual(approx(itemBased(V3, 'alice')));
    // v1 was serving until v3 flipped the manifest: it is out of the kept list, but its rows are spared until
    // the next build, for readers that read the manifest just before the flip.
    expect((await env.versionRows(DATASET, v1)).rows).toBe(v1Rows);
    expect((await env.versionRows(DATASET, v2)).rows).toBeGreaterThan(0);
    expect(await env.registeredVersions(DATASET)).toEqual([v1, v2, v3].sort());

    // The next build deletes it, and v2, which left the kept list without serving just before (versionsKept 2).
    const v2Rows = (await env.versionRows(DATASET, v2)).rows;
    await env.upload(`uploads/${DATASET}/ratings.csv`, toCsv(V2));
    const v4 = await activeVersion();
    expect(await env.versionRows(DATASET, v1)).toEqual({ rows: 0, registered: false });
    expect(await env.versionRows(DATASET, v2)).toEqual({ rows: 0, registered: false });
    expect(await env.registeredVersions(DATASET)).toEqual([v3, v4].sort());

    const { body } = await env.api<{
      jobs: Array<{ version: string; status: string; report: { oldRowsDeleted: number } }>;
    }>(`${BASE}/jobs`);
    expect(body.jobs.map((job) => job.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(body.jobs.find((job) => job.version === v3)?.report.oldRowsDeleted).toBe(0);
    expect(body.jobs.find((job) => job.version === v4)?.report.oldRowsDeleted).toBe(v1Rows + v2Rows);

    // A pruned version can no longer be rolled back to; a kept one can.
    const gone = await env.api<{ detail: string }>(`${BASE}/rollback`, { method: 'POST', body: { version: v1 } });
    expect(gone.status).toBe(404);
    expect(gone.body.detail).toContain(v1);
    const back = await env.api(`${BASE}/rollback`, { method: 'POST', body: { version: v3 } });
    expect(back.status).toBe(200);
    const served = await alice();
    expect(served.version).toBe(v3);
    expect(served.items).toEqual(approx(itemBased(V3, 'alice')));
  });
});
