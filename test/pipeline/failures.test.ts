// Failed builds leave the served model alone. User mistakes (no usable rows, a binary file, a bad config.json)
// fail the job once with a message naming what, where and how to fix, and write a report to S3; a DynamoDB
// write failure mid-build (injected by a proxy in front of dynalite) makes the build throw so Lambda retries,
// removes the half-written version, and the retried event then succeeds by re-claiming the failed job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { runBuild } from '../../functions/model-build/run-build.js';
import { syntheticInteractions } from '../../functions/engine/synthetic/index.js';
import type { AppLogger } from '../../functions/observability.js';
import { approx, itemBased, toCsv, type Ratings } from '../support/brute-force.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { jobsOf, seg, startPipelineStack, type JobView as Job, type PipelineStack } from '../support/pipeline-stack.js';

const GOOD: Ratings = [
  ['alice', 'a', 5],
  ['alice', 'b', 2],
  ['bob', 'a', 4],
  ['bob', 'c', 5],
  ['carol', 'b', 4],
  ['carol', 'c', 1],
];

let env: PipelineStack;
const ITEM_KNN = { model: 'item-knn' };

beforeAll(async () => {
  env = await startPipelineStack();
});
afterAll(async () => {
  await env?.stop();
});

async function latestJob(dataset: string): Promise<Job> {
  return (await jobsOf(env, dataset, 1))[0];
}

/**
 * What a reader sees: the manifest revision and alice's item-based recommendations (the oracle here is item-based
 * cosine; without `algorithm` the API would serve whichever model auto chose, e.g. user-knn's user rows).
 */
async function served(dataset: string) {
  const manifest = await env.store.getManifest(dataset);
  const recommendations = await env.api<{ version: string; items: unknown[] }>(
    `/v1/datasets/${seg(dataset)}/users/alice/recommendations?algorithm=item`,
  );
  return {
    revision: manifest?.revision,
    activeVersion: manifest?.activeVersion,
    version: recommendations.body.version,
    items: recommendations.body.items,
  };
}

describe('a malformed upload', () => {
  const DATASET = 'shop';
  let before: Awaited<ReturnType<typeof served>>;

  beforeAll(async () => {
    // The oracle is item-based cosine: name that model (auto could serve EASE weights as the item rows).
    await env.upload(`uploads/${DATASET}/config.json`, JSON.stringify(ITEM_KNN));
    await env.upload(`uploads/${DATASET}/good.csv`, toCsv(GOOD));
    before = await served(DATASET);
    expect(before.items).toEqual(approx(itemBased(GOOD, 'alice')));
  });

  /** Uploads, then checks the job failed once (no retries), its report is in S3, and the model did not change. */
  async function expectRejected(key: string, body: string | Uint8Array): Promise<Job> {
    const deliveries = env.events.length;
    await env.upload(key, body);
    expect(env.events.length - deliveries).toBe(1); // a user mistake is not retried
    expect(env.stack.bridge.failed).toEqual([]);
    const job = await latestJob(DATASET);
    expect(job.status).toBe('failed');
    expect(job.error?.message).toBeTruthy();
    expect(job.error?.where).toBeTruthy();
    expect(job.error?.hint).toBeTruthy();
    expect(job.reportKey).toBe(`reports/${DATASET}/${job.version}.json`);
    expect(await env.getJson(job.reportKey!)).toMatchObject({
      dataset: DATASET,
      version: job.version,
      jobId: job.jobId,
      status: 'failed',
      source: { key },
      error: job.error,
    });
    expect(await served(DATASET)).toEqual(before);
    expect(await env.registeredVersions(DATASET)).toEqual([before.activeVersion]);
    // A dataset is the union of its files: the bad file goes, or it fails every later build too.
    await env.s3.send(new DeleteObjectCommand({ Bucket: env.stack.bucket, Key: key }));
    await env.stack.bridge.idle();
    return job;
  }

  it('fails a file with no usable rows, naming the file and why', async () => {
    const key = `uploads/${DATASET}/empty rows.csv`;
    const job = await expectRejected(key, 'user,item,rating\n,a,5\nbob,,3\n');
    expect(job.error!.message).toContain(key);
    expect(job.error!.where).toContain(key);
  });

  it('fails an empty file', async () => {
    const key = `uploads/${DATASET}/nothing.csv`;
    const job = await expectRejected(key, '');
    expect(job.error!.message).toBe(`${key} is empty`);
  });

  it('fails a binary file as not text', async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256);
    const key = `uploads/${DATASET}/photo.csv`;
    const job = await expectRejected(key, garbage);
    expect(job.error!.message).toMatch(/does not look like text|UTF-16|not valid/);
    expect(job.error!.where).toContain(key);
  });

  it('fails every upload while config.json is invalid, naming the config and the bad field; a fixed config builds again', async () => {
    const config = `uploads/${DATASET}/config.json`;
    await env.upload(config, JSON.stringify({ measure: 'cosine', neighbors: 20 }));
    const unknownKey = await expectRejected(`uploads/${DATASET}/good again.csv`, toCsv(GOOD));
    expect(unknownKey.error).toMatchObject({ where: config });
    expect(unknownKey.error!.message).toContain('neighbors');
    expect(unknownKey.error!.hint).toContain('allowed keys');

    await env.upload(config, '{"measure": "cosine",');
    const notJson = await expectRejected(`uploads/${DATASET}/good again.csv`, toCsv(GOOD));
    expect(notJson.error).toMatchObject({ where: config });
    expect(notJson.error!.message).toContain('not valid JSON');

    // A config from before `models` replaced `mode` says how to write it now.
    await env.upload(config, JSON.stringify({ mode: 'both' }));
    const replaced = await expectRejected(`uploads/${DATASET}/good again.csv`, toCsv(GOOD));
    expect(replaced.error).toMatchObject({ where: config });
    expect(replaced.error!.message).toContain('"mode" was replaced by "models"');
    expect(replaced.error!.hint).toContain('"models": ["item", "user"]');

    await env.upload(config, JSON.stringify({ measure: 'jaccard', k: 0 }));
    const outOfRange = await expectRejected(`uploads/${DATASET}/good again.csv`, toCsv(GOOD));
    expect(outOfRange.error!.message).toMatch(/k: /);

    await env.upload(config, JSON.stringify({ ...ITEM_KNN, measure: 'cosine' }));
    await env.upload(`uploads/${DATASET}/good again.csv`, toCsv(GOOD));
    expect((await latestJob(DATASET)).status).toBe('succeeded');
    const after = await served(DATASET);
    expect(after.activeVersion).not.toBe(before.activeVersion);
    expect(after.items).toEqual(before.items);
  });
});

describe('a DynamoDB write failure in the middle of a build', () => {
  const DATASET = 'faulty';
  const silent: AppLogger = { debug() {}, info() {}, warn() {}, error() {} };
  // Enough rows for several BatchWriteItem chunks of 25 (item rows, then user histories, then popularity), and
  // alice's recommendations differ from v1's.
  const V2: Ratings = [
    ...[...syntheticInteractions({ users: 120, items: 40, ratings: 500, seed: 7, timestamps: false })].map(
      ({ user, item, value }): [string, string, number] => [user, item, value],
    ),
    ['alice', 'a', 5],
    ['alice', 'i4', 2],
    ['bob', 'a', 4],
    ['bob', 'i4', 1],
  ];
  let proxy: FaultProxy;
  let client: DynamoDBClient;
  let faultyStore: DynamoModelStore;

  beforeAll(async () => {
    proxy = await startFaultProxy(env.stack.dynamoEndpoint);
    // The SDK's own retries kept small, so the injected failures exhaust them quickly.
    client = new DynamoDBClient({
      endpoint: proxy.endpoint,
      region: env.stack.region,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      maxAttempts: 1,
    });
    faultyStore = new DynamoModelStore(createDocumentClient(client), env.stack.table, {
      concurrency: 4,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await proxy?.stop();
  });

  /** Builds v1 through the bridge, then uploads v2 without building it; returns v2's event. */
  async function servingV1ThenUploadV2(
    dataset: string,
  ): Promise<{ before: Awaited<ReturnType<typeof served>>; event: S3Event }> {
    // The dataset's one file, replaced by v2 under its key; the oracle is item-based cosine, so that model is named.
    await env.upload(`uploads/${dataset}/config.json`, JSON.stringify(ITEM_KNN));
    await env.upload(`uploads/${dataset}/ratings.csv`, toCsv(GOOD));
    const before = await served(dataset);
    expect(before.items).toEqual(approx(itemBased(GOOD, 'alice')));
    env.mode = 'capture';
    try {
      await env.upload(`uploads/${dataset}/ratings.csv`, toCsv(V2));
    } finally {
      env.mode = 'build';
    }
    return { before, event: env.events.at(-1)! };
  }

  const build = (event: S3Event, now?: () => Date) =>
    runBuild(event.Records[0], { s3: env.s3, store: faultyStore, logger: silent, threads: 1, now });

  it('throws for a retry, keeps serving the previous version, removes the failed rows; the retried event succeeds', async () => {
    const { before, event } = await servingV1ThenUploadV2(DATASET);

    // The chunk holding u30's history fails on every attempt (deletes, the clean-up, never fail). The chunks
    // written alongside it are held, as behind a slow partition, until the clean-up has finished (its last
    // request deletes the version's registry row) or 500 ms have passed: the clean-up must wait for writes
    // still in flight, or their rows outlive it, unreachable.
    proxy.setRule({
      target: 'DynamoDB_20120810.BatchWriteItem',
      bodyIncludes: ['PutRequest', '"r#u30"'],
      after: 0,
      delay: { bodyIncludes: ['PutRequest'], ms: 500, releasedBy: 'DynamoDB_20120810.DeleteItem' },
    });
    await expect(build(event)).rejects.toThrow(/not written/);
    expect(proxy.stats.failed).toBe(2); // the store's two attempts (the SDK's own retries are off)
    proxy.setRule(undefined);

    const failed = await latestJob(DATASET);
    expect(failed.status).toBe('failed');
    expect(failed.error!.message).toMatch(/BatchWriteError: \d+ row\(s\) were not written/);
    expect(failed.error!.hint).toMatch(/retried automatically/);
    expect(await served(DATASET)).toEqual(before);
    expect(await env.versionRows(DATASET, failed.version)).toEqual({ rows: 0, registered: false });

    // Lambda's retry delivers the same event again: the failed job is claimed again and completes.
    const [outcome] = await env.build(event);
    expect(outcome).toMatchObject({ status: 'succeeded', jobId: failed.jobId });
    const jobs = await jobsOf(env, DATASET);
    const retried = jobs.filter((job) => job.jobId === failed.jobId);
    expect(retried).toHaveLength(1);
    expect(retried[0].status).toBe('succeeded');
    expect(retried[0].error).toBeUndefined();
    const after = await served(DATASET);
    expect(after.activeVersion).not.toBe(before.activeVersion);
    expect(after.version).toBe(after.activeVersion);
    expect(after.items).toEqual(approx(itemBased(V2, 'alice')));
    expect(
      (await env.api<{ items: unknown[] }>(`/v1/datasets/${DATASET}/users/u0/recommendations?algorithm=item`)).body
        .items,
    ).toEqual(approx(itemBased(V2, 'u0')));
  });

  it('does not fail an activated build when deleting retired versions fails', async () => {
    const dataset = 'prune-fails';
    const { before, event } = await servingV1ThenUploadV2(dataset);
    // The prune starts by listing the dataset's version registry; make that fail.
    proxy.setRule({ target: 'DynamoDB_20120810.Query', bodyIncludes: ['"ver#"'], after: 0 });
    const outcome = await build(event);
    expect(proxy.stats.failed).toBeGreaterThan(0);
    proxy.setRule(undefined);

    expect(outcome.status).toBe('succeeded');
    const job = await latestJob(dataset);
    expect(job).toMatchObject({ status: 'succeeded', report: { oldRowsDeleted: 0 } });
    const after = await served(dataset);
    expect(after.activeVersion).toBe(job.version);
    expect(after.activeVersion).not.toBe(before.activeVersion);
    expect(after.items).toEqual(approx(itemBased(V2, 'alice')));
  });

  it('completes the job on retry, without rebuilding, when the final job write failed after activation', async () => {
    const dataset = 'finish-fails';
    const { before, event } = await servingV1ThenUploadV2(dataset);
    proxy.setRule({ target: 'DynamoDB_20120810.UpdateItem', bodyIncludes: ['"succeeded"'], after: 0, times: 1 });
    await expect(build(event)).rejects.toThrow(/injected fault/);
    proxy.setRule(undefined);

    // The new version is serving although its job could not say so; the job is failed, so a retry may claim it.
    const activated = await served(dataset);
    expect(activated.activeVersion).not.toBe(before.activeVersion);
    expect(activated.items).toEqual(approx(itemBased(V2, 'alice')));
    expect((await latestJob(dataset)).status).toBe('failed');

    // Lambda retries a minute or more later (a retry within the same second would even reuse the version id).
    const outcome = await build(event, () => new Date(Date.now() + 61_000));
    expect(outcome).toMatchObject({ status: 'succeeded', version: activated.activeVersion });
    const job = await latestJob(dataset);
    expect(job).toMatchObject({ status: 'succeeded', version: activated.activeVersion });
    expect(await served(dataset)).toEqual(activated); // same revision: nothing was rebuilt or re-activated
    expect(await env.registeredVersions(dataset)).toEqual([before.activeVersion, activated.activeVersion].sort());
  });
});
