// DynamoModelStore on dynalite: build jobs (claims, stale running jobs, listing).
import { beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { TTL_ATTRIBUTE } from '../../functions/adapters/dynamo/table.js';
import { NotFoundError, type JobRecord } from '../../functions/adapters/store-contract.js';
import { raw, doc, TABLE, fastRetry, store, createStoreTable } from './dynamo-store-helpers.js';

beforeAll(createStoreTable);

describe('jobs', () => {
  function job(jobId: string, startedAt: string, status: JobRecord['status'] = 'running'): JobRecord {
    return {
      dataset: 'jobs',
      jobId,
      status,
      source: { bucket: 'b', key: `uploads/jobs/${jobId}.csv`, sourceOrder: startedAt },
      startedAt,
      updatedAt: startedAt,
    };
  }

  // The clock of these tests: minutes after the jobs started, so 'running' jobs are fresh, not stale.
  const jobStore = new DynamoModelStore(doc, TABLE, {
    retry: fastRetry,
    consistentReads: true,
    now: () => new Date('2024-01-01T00:05:00Z'),
  });

  it('claims a job once, lets a failed one be claimed again, and refuses duplicates', async () => {
    const store = jobStore;
    expect(await store.claimJob(job('j1', '2024-01-01T00:00:00Z'))).toBe('claimed');
    expect(await store.claimJob(job('j1', '2024-01-01T00:00:00Z'))).toBe('duplicate');
    await store.updateJob('jobs', 'j1', {
      status: 'failed',
      error: { message: 'bad file', where: 'line 3', hint: undefined },
    });
    const failed = await store.getJob('jobs', 'j1');
    expect(failed).toMatchObject({ status: 'failed', error: { message: 'bad file', where: 'line 3' } });
    expect(failed).not.toHaveProperty('pk');
    expect(failed).not.toHaveProperty(TTL_ATTRIBUTE);
    expect(await store.claimJob(job('j1', '2024-01-02T00:00:00Z'))).toBe('claimed');
    expect(await store.getJob('jobs', 'j1')).toEqual(job('j1', '2024-01-02T00:00:00Z'));
    await store.updateJob('jobs', 'j1', {
      status: 'succeeded',
      version: 'v1',
      timings: { read: 1.5 },
      finishedAt: '2024-01-02T00:01:00Z',
    });
    expect(await store.claimJob(job('j1', '2024-01-03T00:00:00Z'))).toBe('duplicate');
    expect(await store.getJob('jobs', 'j1')).toMatchObject({
      status: 'succeeded',
      version: 'v1',
      timings: { read: 1.5 },
      startedAt: '2024-01-02T00:00:00Z',
    });
    await expect(store.updateJob('jobs', 'nope', { status: 'failed' })).rejects.toThrow(NotFoundError);
    expect(await store.getJob('jobs', 'nope')).toBeUndefined();

    // The record expires (TTL) 90 days after it started.
    const rawItem = await raw.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'ds#jobs' }, sk: { S: 'job#j1' } } }),
    );
    expect(Number(rawItem.Item?.[TTL_ATTRIBUTE]?.N)).toBe(Date.parse('2024-01-02T00:00:00Z') / 1000 + 90 * 86_400);
  });

  it('lets a running job that stopped updating (a killed build) be claimed again, but not a live one', async () => {
    const at = (minutes: number) => new Date(Date.parse('2024-05-01T00:00:00Z') + minutes * 60_000);
    const storeAt = (minutes: number) =>
      new DynamoModelStore(doc, TABLE, { retry: fastRetry, consistentReads: true, now: () => at(minutes) });
    const killed = { ...job('killed', at(0).toISOString()), dataset: 'stale-jobs' };
    expect(await storeAt(0).claimJob(killed)).toBe('claimed');
    await storeAt(5).updateJob('stale-jobs', 'killed', {
      progress: { phase: 'items', done: 1, total: 2 },
      updatedAt: at(5).toISOString(),
    });
    // 15 minutes after its last update it could still be a slow but live build: a redelivery is a duplicate.
    expect(
      await storeAt(20).claimJob({ ...killed, startedAt: at(20).toISOString(), updatedAt: at(20).toISOString() }),
    ).toBe('duplicate');
    // 16+ minutes without an update is longer than a Lambda can run: the build is dead, a retry may take over.
    expect(
      await storeAt(22).claimJob({ ...killed, startedAt: at(22).toISOString(), updatedAt: at(22).toISOString() }),
    ).toBe('claimed');
    // A succeeded job is never re-claimed, however old.
    await storeAt(23).updateJob('stale-jobs', 'killed', { status: 'succeeded', updatedAt: at(23).toISOString() });
    expect(await storeAt(600).claimJob({ ...killed, updatedAt: at(600).toISOString() })).toBe('duplicate');
  });

  it('lists jobs newest first by start time, whatever their ids', async () => {
    // Ids sort in the opposite order of their start times.
    const starts = {
      zz: '2024-02-01T00:00:00Z',
      yy: '2024-02-03T00:00:00Z',
      aa: '2024-02-04T00:00:00Z',
      mm: '2024-02-02T00:00:00Z',
    };
    for (const [jobId, startedAt] of Object.entries(starts)) {
      expect(await store.claimJob({ ...job(jobId, startedAt), dataset: 'list' })).toBe('claimed');
    }
    expect((await store.listJobs('list')).map((j) => j.jobId)).toEqual(['aa', 'yy', 'mm', 'zz']);
    expect((await store.listJobs('list', 2)).map((j) => j.jobId)).toEqual(['aa', 'yy']);
    expect(await store.listJobs('empty')).toEqual([]);
    // Jobs and manifests of other datasets stay out.
    expect((await store.listJobs('jobs')).map((j) => j.jobId)).toEqual(['j1']);
  });
});
