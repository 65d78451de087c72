// A build's lease on its job, end to end on the local servers (s3rver + dynalite), with leases shortened to
// fractions of a second: a retry takes over a dead attempt (deleting its rows first) instead of being dropped as a
// duplicate; a live, renewing build keeps its job; a build that loses its job stops and removes its rows; the next
// build of a dataset settles its jobs whose builds died. Events are captured from the real bridge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Event } from 'aws-lambda';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import type { JobHolder, JobRecord } from '../../functions/adapters/store-contract.js';
import { syntheticInteractions } from '../../functions/engine/synthetic/index.js';
import { jobIdOf, runBuild, type BuildDeps } from '../../functions/model-build/run-build.js';
import { toCsv, type Ratings } from '../support/brute-force.js';
import { recordingLogger } from '../support/build-recorders.js';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack({ mode: 'capture' });
});
afterAll(async () => {
  await env?.stop();
});

const SMALL: Ratings = [
  ['alice', 'a', 5],
  ['alice', 'b', 2],
  ['bob', 'a', 4],
  ['bob', 'c', 5],
  ['carol', 'b', 4],
  ['carol', 'c', 1],
];
/** Big enough that a build spans several 50 ms heartbeats and many progress ticks. */
const LARGE: Ratings = [
  ...syntheticInteractions({ users: 10_000, items: 1500, ratings: 100_000, seed: 3, timestamps: false }),
].map(({ user, item, value }): [string, string, number] => [user, item, value]);

// 1 s: the validation's longest stretch without timers is about 0.3 s on a busy 2-core machine (kNN row preparation).
const FAST_LEASE = { leaseMs: 1000, renewEveryMs: 50, progressIntervalMs: 50, pollMs: 25 };

function deps(overrides: Partial<BuildDeps> = {}): BuildDeps {
  return { s3: env.s3, store: env.store, logger: recordingLogger(), threads: 1, lease: FAST_LEASE, ...overrides };
}

async function captureUpload(key: string, body: string): Promise<S3Event> {
  const before = env.events.length;
  await env.upload(key, body);
  return env.events[before];
}

/** What a build that is now dead left behind: its job 'running' under `leaseUntil`, and some rows of its version. */
async function deadAttempt(event: S3Event, dataset: string, leaseUntil: Date, version: string): Promise<void> {
  const record = event.Records[0];
  const startedAt = new Date(leaseUntil.getTime() - 60_000).toISOString();
  const claim = await env.store.claimJob({
    dataset,
    jobId: jobIdOf(record),
    status: 'running',
    source: { bucket: record.s3.bucket.name, key: `uploads/${dataset}/ratings.csv`, sourceOrder: 'o' },
    version,
    progress: { phase: 'write', done: 3, total: 10 },
    startedAt,
    updatedAt: startedAt,
    leaseUntil: leaseUntil.toISOString(),
  });
  expect(claim).toMatchObject({ status: 'claimed', attempt: 1 });
  const writer = env.store.createVersionWriter(dataset, version);
  for (const item of ['a', 'b', 'c']) await writer.putItemNeighbours(item, [{ id: 'x', similarity: 0.5, support: 1 }]);
  await writer.flush();
  expect((await env.versionRows(dataset, version)).rows).toBe(3);
}

async function storedJob(dataset: string, event: S3Event): Promise<JobRecord | undefined> {
  const [job] = await env.store.findAbandonedJobs(dataset, { includeLive: true });
  return job ?? (await env.store.getJob(dataset, jobIdOf(event.Records[0])));
}

describe('a retry meeting the job of a dead build', () => {
  it('takes over an expired lease: deletes the dead attempt’s rows, then builds as attempt 2', async () => {
    const event = await captureUpload('uploads/takeover/ratings.csv', toCsv(SMALL));
    await deadAttempt(event, 'takeover', new Date(Date.now() - 1000), 'dead-version');

    const outcome = await runBuild(event.Records[0], deps());
    expect(outcome).toMatchObject({ status: 'succeeded' });
    const job = await env.store.getJob('takeover', jobIdOf(event.Records[0]));
    expect(job).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(job?.version).not.toBe('dead-version');
    expect(await env.versionRows('takeover', 'dead-version')).toEqual({ rows: 0, registered: false });
    expect(await env.registeredVersions('takeover')).toEqual([job?.version]);
    expect((await env.store.getManifest('takeover'))?.activeVersion).toBe(job?.version);
  });

  it('waits for a lease that is not renewed to run out, then takes over (not dropped as a duplicate)', async () => {
    const event = await captureUpload('uploads/waits/ratings.csv', toCsv(SMALL));
    await deadAttempt(event, 'waits', new Date(Date.now() + 300), 'dead-version');
    const started = Date.now();
    expect(await runBuild(event.Records[0], deps())).toMatchObject({ status: 'succeeded' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await env.store.getJob('waits', jobIdOf(event.Records[0]))).toMatchObject({
      status: 'succeeded',
      attempt: 2,
    });
    expect(await env.versionRows('waits', 'dead-version')).toEqual({ rows: 0, registered: false });
  });

  it('is a duplicate while the holder renews its lease', async () => {
    const event = await captureUpload('uploads/alive/ratings.csv', toCsv(SMALL));
    await deadAttempt(event, 'alive', new Date(Date.now() + 300), 'live-version');
    // The holder is alive after all: it renews every 50 ms.
    const holder: JobHolder = { attempt: 1 };
    const renewals = setInterval(() => {
      void env.store.updateJob(
        'alive',
        jobIdOf(event.Records[0]),
        { leaseUntil: new Date(Date.now() + 300).toISOString() },
        holder,
      );
    }, 50);
    try {
      expect(await runBuild(event.Records[0], deps())).toMatchObject({ status: 'duplicate' });
    } finally {
      clearInterval(renewals);
    }
    expect(await env.store.getManifest('alive')).toBeUndefined();
    expect((await storedJob('alive', event))?.attempt).toBe(1);
    expect((await env.versionRows('alive', 'live-version')).rows).toBe(3);
  });
});

describe('a running build', () => {
  it('renews its lease through every phase, so a concurrent delivery stays a duplicate', async () => {
    const event = await captureUpload('uploads/heartbeat/ratings.csv', toCsv(LARGE));
    const renewedAt: number[] = [];
    // The real store, with each lease renewal of this job timed.
    const timed = new Proxy(env.store, {
      get(target, property, receiver) {
        if (property !== 'updateJob') return Reflect.get(target, property, receiver) as unknown;
        return (...args: Parameters<DynamoModelStore['updateJob']>) => {
          if (args[2].leaseUntil) renewedAt.push(Date.now());
          return target.updateJob(...args);
        };
      },
    });
    const started = Date.now();
    const first = runBuild(event.Records[0], deps({ store: timed }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await runBuild(event.Records[0], deps());
    expect(second).toMatchObject({ status: 'duplicate' });
    expect(await first).toMatchObject({ status: 'succeeded' });
    const took = Date.now() - started;

    expect(took).toBeGreaterThan(3 * FAST_LEASE.leaseMs); // the build outlived its lease several times over
    const gaps = renewedAt.slice(1).map((t, i) => t - renewedAt[i]);
    const longest = Math.max(renewedAt[0] - started, ...gaps);
    expect(longest).toBeLessThan(FAST_LEASE.leaseMs);
    console.log(`lease renewals: ${renewedAt.length} over ${took} ms, longest gap ${longest} ms`);
    expect(await env.store.getJob('heartbeat', jobIdOf(event.Records[0]))).toMatchObject({
      status: 'succeeded',
      attempt: 1,
    });
  });

  it('stops when its job is taken over, removes its rows and leaves the job record alone', async () => {
    const event = await captureUpload('uploads/usurped/ratings.csv', toCsv(LARGE));
    const jobId = jobIdOf(event.Records[0]);
    // As soon as the build has claimed its job, a retry whose clock is a minute ahead takes it over.
    const ahead = new DynamoModelStore(env.doc, env.stack.table, { now: () => new Date(Date.now() + 60_000) });
    let usurper: JobRecord | undefined;
    const racing = new Proxy(env.store, {
      get(target, property, receiver) {
        if (property !== 'claimJob') return Reflect.get(target, property, receiver) as unknown;
        return async (job: JobRecord) => {
          const claim = await target.claimJob(job);
          usurper = { ...job, version: 'usurper-version', leaseUntil: new Date(Date.now() + 120_000).toISOString() };
          expect(await ahead.claimJob(usurper)).toMatchObject({ status: 'claimed', attempt: 2 });
          return claim;
        };
      },
    });
    const outcome = await runBuild(event.Records[0], deps({ store: racing }));
    expect(outcome).toMatchObject({ status: 'taken-over', jobId });
    const lostVersion = (outcome as { version: string }).version;
    expect(await env.versionRows('usurped', lostVersion)).toEqual({ rows: 0, registered: false });
    expect(await env.store.getManifest('usurped')).toBeUndefined();
    expect(await env.store.getJob('usurped', jobId)).toMatchObject({
      status: 'running',
      attempt: 2,
      version: 'usurper-version',
    });
  });
});

describe('the next build of a dataset', () => {
  it('settles the jobs whose builds died: interrupted (rows deleted), or succeeded if their version went live', async () => {
    const dead = await captureUpload('uploads/sweep/monday.csv', toCsv(SMALL));
    await deadAttempt(dead, 'sweep', new Date(Date.now() - 1000), 'dead-version');
    // Readers already show it as interrupted.
    expect(await env.store.getJob('sweep', jobIdOf(dead.Records[0]))).toMatchObject({
      status: 'failed',
      error: { reason: 'interrupted' },
    });

    const next = await captureUpload('uploads/sweep/tuesday.csv', toCsv(SMALL));
    expect(await runBuild(next.Records[0], deps())).toMatchObject({ status: 'succeeded' });
    const settled = await env.store.getJob('sweep', jobIdOf(dead.Records[0]));
    expect(settled).toMatchObject({
      status: 'failed',
      error: { reason: 'interrupted' },
      finishedAt: expect.any(String),
    });
    expect(await env.store.findAbandonedJobs('sweep', { includeLive: true })).toEqual([]);
    expect(await env.versionRows('sweep', 'dead-version')).toEqual({ rows: 0, registered: false });

    // A build that activated its version and died before recording it: its job is settled as succeeded.
    const manifest = (await env.store.getManifest('sweep'))!;
    const liveJob = manifest.versions[0].jobId;
    await env.store.updateJob('sweep', liveJob, {
      status: 'running',
      leaseUntil: new Date(Date.now() - 1000).toISOString(),
    });
    const later = await captureUpload('uploads/sweep/wednesday.csv', toCsv(SMALL));
    expect(await runBuild(later.Records[0], deps())).toMatchObject({ status: 'succeeded' });
    expect(await env.store.getJob('sweep', liveJob)).toMatchObject({ status: 'succeeded' });
  });
});
