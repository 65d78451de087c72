// Job leases on the real dynalite: a claim holds a job until its lease passes; an expired lease (a killed build) is
// taken over by the next attempt, which learns the dead attempt's version; the dead attempt's late writes are
// fenced off; readers never see an expired 'running' job as running.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { jobKey } from '../../functions/adapters/dynamo/keys.js';
import { ensureTable } from '../../functions/adapters/dynamo/table.js';
import { JobLeaseLostError, NotFoundError, type JobRecord } from '../../functions/adapters/store-contract.js';

const raw = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'local',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const doc = createDocumentClient(raw);
const TABLE = `job-lease-${process.pid}-${Date.now()}`;
const T0 = Date.parse('2024-06-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
/** A store whose clock reads `seconds` after T0. */
const storeAt = (seconds: number) =>
  new DynamoModelStore(doc, TABLE, { retry: { baseDelayMs: 1, maxDelayMs: 5 }, now: () => at(seconds) });

beforeAll(async () => {
  await ensureTable(raw, TABLE);
});

/** The record a build claims at `seconds` with a 60 s lease. */
function attemptAt(dataset: string, seconds: number, version: string): JobRecord {
  return {
    dataset,
    jobId: 'job-1',
    status: 'running',
    source: { bucket: 'b', key: `uploads/${dataset}/r.csv`, sourceOrder: 'o' },
    version,
    startedAt: at(seconds).toISOString(),
    updatedAt: at(seconds).toISOString(),
    leaseUntil: at(seconds + 60).toISOString(),
  };
}

async function stored(dataset: string): Promise<JobRecord | undefined> {
  const output = await doc.send(
    new GetCommand({ TableName: TABLE, Key: jobKey(dataset, 'job-1'), ConsistentRead: true }),
  );
  return output.Item as JobRecord | undefined;
}

describe('job leases', () => {
  it('holds a live lease, lets an expired one be taken over, and fences the dead attempt off', async () => {
    const first = await storeAt(0).claimJob(attemptAt('lease', 0, 'v-first'));
    expect(first).toEqual({ status: 'claimed', attempt: 1 });

    // Within the lease (renewed at 50 s until 110 s) a second delivery finds the job held.
    await storeAt(50).updateJob('lease', 'job-1', { leaseUntil: at(110).toISOString() }, { attempt: 1 });
    const held = await storeAt(100).claimJob(attemptAt('lease', 100, 'v-second'));
    expect(held).toMatchObject({ status: 'held', current: { attempt: 1, version: 'v-first' } });
    expect((await storeAt(100).getJob('lease', 'job-1'))?.status).toBe('running');

    // Past the lease, readers see it as interrupted, while the stored record still says running.
    const shown = await storeAt(111).getJob('lease', 'job-1');
    expect(shown).toMatchObject({ status: 'failed', error: { reason: 'interrupted' } });
    expect(shown?.error?.message).toContain(at(110).toISOString());
    expect((await storeAt(111).listJobs('lease'))[0]).toMatchObject({
      status: 'failed',
      error: { reason: 'interrupted' },
    });
    expect((await stored('lease'))?.status).toBe('running');
    expect((await storeAt(111).findAbandonedJobs('lease')).map((job) => job.version)).toEqual(['v-first']);
    expect(await storeAt(100).findAbandonedJobs('lease')).toEqual([]);
    expect((await storeAt(100).findAbandonedJobs('lease', { includeLive: true })).length).toBe(1);

    // A retry takes it over as attempt 2 and learns the dead attempt's version, whose rows it must delete.
    const second = await storeAt(111).claimJob(attemptAt('lease', 111, 'v-second'));
    expect(second).toMatchObject({ status: 'claimed', attempt: 2, previous: { attempt: 1, version: 'v-first' } });
    expect(await stored('lease')).toMatchObject({ attempt: 2, version: 'v-second', status: 'running' });

    // The dead attempt, come back to life, can no longer write: not progress, not an outcome.
    await expect(
      storeAt(112).updateJob('lease', 'job-1', { progress: { phase: 'write', done: 1, total: 2 } }, { attempt: 1 }),
    ).rejects.toThrow(JobLeaseLostError);
    await expect(storeAt(112).updateJob('lease', 'job-1', { status: 'succeeded' }, { attempt: 1 })).rejects.toThrow(
      /no longer held by attempt 1: it is running \(attempt 2\)/,
    );
    await storeAt(113).updateJob(
      'lease',
      'job-1',
      { status: 'succeeded', finishedAt: at(113).toISOString() },
      { attempt: 2 },
    );
    expect(await stored('lease')).toMatchObject({ attempt: 2, status: 'succeeded', version: 'v-second' });

    // A finished job is a duplicate for ever, and a fenced write to it fails.
    expect(await storeAt(10_000).claimJob(attemptAt('lease', 10_000, 'v-third'))).toMatchObject({
      status: 'duplicate',
      current: { status: 'succeeded' },
    });
    await expect(storeAt(114).updateJob('lease', 'job-1', { status: 'failed' }, { attempt: 2 })).rejects.toThrow(
      JobLeaseLostError,
    );
    await expect(storeAt(114).updateJob('lease', 'missing', { status: 'failed' }, { attempt: 1 })).rejects.toThrow(
      NotFoundError,
    );
  });

  it('lets a sweep settle an expired job only if its lease was not renewed meanwhile', async () => {
    await storeAt(0).claimJob(attemptAt('sweep', 0, 'v1'));
    const [seen] = await storeAt(61).findAbandonedJobs('sweep');
    // The holder renews just before the sweep's write: the sweep, fenced on the lease it saw, must not land.
    await storeAt(61).updateJob('sweep', 'job-1', { leaseUntil: at(121).toISOString() }, { attempt: 1 });
    await expect(
      storeAt(61).updateJob('sweep', 'job-1', { status: 'failed' }, { attempt: 1, leaseUntil: seen.leaseUntil }),
    ).rejects.toThrow(JobLeaseLostError);
    const [expired] = await storeAt(122).findAbandonedJobs('sweep');
    await storeAt(122).updateJob(
      'sweep',
      'job-1',
      { status: 'failed' },
      { attempt: 1, leaseUntil: expired.leaseUntil },
    );
    expect((await stored('sweep'))?.status).toBe('failed');
  });

  it('gives a failed job to the next claim, with the failed attempt as previous', async () => {
    await storeAt(0).claimJob(attemptAt('failed', 0, 'v1'));
    await storeAt(5).updateJob('failed', 'job-1', { status: 'failed' }, { attempt: 1 });
    expect(await storeAt(6).claimJob(attemptAt('failed', 6, 'v2'))).toMatchObject({
      status: 'claimed',
      attempt: 2,
      previous: { status: 'failed', version: 'v1' },
    });
  });

  it('lets exactly one of two racing claims of an expired job win', async () => {
    await storeAt(0).claimJob(attemptAt('race', 0, 'v1'));
    const claims = await Promise.all([
      storeAt(70).claimJob(attemptAt('race', 70, 'v-a')),
      storeAt(70).claimJob(attemptAt('race', 70, 'v-b')),
    ]);
    expect(claims.map((claim) => claim.status).sort()).toEqual(['claimed', 'held']);
    expect((await stored('race'))?.attempt).toBe(2);
  });

  it('treats a running job stored before leases as leased for staleJobMs after its last update', async () => {
    // Written by an older build: no lease, no attempt number.
    const { leaseUntil: _none, ...legacy } = attemptAt('legacy', 0, 'v1');
    await doc.send(new PutCommand({ TableName: TABLE, Item: { ...legacy, ...jobKey('legacy', 'job-1') } }));
    expect(await storeAt(15 * 60).claimJob(attemptAt('legacy', 900, 'v2'))).toMatchObject({ status: 'held' });
    expect(await storeAt(17 * 60).claimJob(attemptAt('legacy', 1020, 'v2'))).toMatchObject({
      status: 'claimed',
      attempt: 2,
      previous: { version: 'v1' },
    });
  });
});
