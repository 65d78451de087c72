// kill -9 in the middle of a build, as a crash would: `affinity start` runs in a child process on ephemeral ports;
// a synthetic upload large enough that its write phase takes a few seconds is killed while the job reports that
// phase; the stack is started again on the same data folder. The upload must then be built without anyone
// uploading it again: the killed job is retried as its second attempt and succeeds, its model is active, and no
// model rows are left but those of versions the manifest keeps (the killed attempt's rows are deleted).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import { LOCAL_CREDENTIALS } from '../../functions/local/defaults.js';
import { startAffinity, type RunningStack } from '../support/affinity-start.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'affinity.mjs');
const dataDir = mkdtempSync(join(tmpdir(), 'affinity-kill-'));

const stacks: RunningStack[] = [];

afterAll(async () => {
  for (const stack of stacks) await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `affinity start --no-demo` on ephemeral ports, stopped after the tests. */
async function start(): Promise<RunningStack> {
  const stack = await startAffinity(dataDir, { demo: false });
  stacks.push(stack);
  return stack;
}

interface Job {
  jobId: string;
  status: string;
  version: string;
  attempt?: number;
  progress?: { phase: string; done: number; total: number };
  source: { eTag?: string };
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** `<version>` of every model row partition of the dataset (pk `m#<dataset>#<version>#<kind>#<shard>`). */
async function versionsWithRows(dynamoEndpoint: string, dataset: string): Promise<string[]> {
  const raw = new DynamoDBClient({ endpoint: dynamoEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  const doc = createDocumentClient(raw);
  try {
    const versions = new Set<string>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({ TableName: 'affinity-local', ProjectionExpression: 'pk', ExclusiveStartKey: startKey }),
      );
      for (const { pk } of page.Items ?? []) {
        const [prefix, name, version] = (pk as string).split('#');
        if (prefix === 'm' && decodeURIComponent(name) === dataset) versions.add(decodeURIComponent(version));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return [...versions].sort();
  } finally {
    raw.destroy();
  }
}

describe('a build killed with SIGKILL during its write phase', () => {
  it('is built on the next start: its job retried and succeeded, its model active, no orphan rows', async () => {
    const file = join(dataDir, 'big.csv');
    const generated = spawnSync(
      process.execPath,
      [BIN, 'generate', '--users', '30000', '--items', '3000', '--ratings', '300000', file],
      { encoding: 'utf8' },
    );
    expect(generated.status, generated.stderr).toBe(0);

    const first = await start();
    const s3 = new S3Client({
      endpoint: first.s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
    });
    // Recovery is under test, not the model: item-knn without the validation keeps the build short.
    await s3.send(
      new PutObjectCommand({
        Bucket: first.bucket,
        Key: 'uploads/big/config.json',
        Body: JSON.stringify({ model: 'item-knn', evaluate: false }),
      }),
    );
    const { ETag } = await s3.send(
      new PutObjectCommand({ Bucket: first.bucket, Key: 'uploads/big/ratings.csv', Body: readFileSync(file) }),
    );
    s3.destroy();
    const jobsUrl = (api: string) => `${api}/v1/datasets/big/jobs`;
    const writing = await poll(
      'the job to report its write phase',
      async () => {
        const { status, body } = await getJson<{ jobs: Job[] }>(jobsUrl(first.apiUrl));
        const job = status === 200 ? body.jobs[0] : undefined;
        return job?.progress?.phase === 'write' ? job : undefined;
      },
      60_000,
    );
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    expect(writing).toMatchObject({ status: 'running', attempt: 1 });

    const restarted = Date.now();
    const second = await start();
    const done = await poll(
      'the upload to be built after the restart',
      async () => {
        const { status, body } = await getJson<{ jobs: Job[] }>(jobsUrl(second.apiUrl));
        const job = status === 200 ? body.jobs.find((j) => j.jobId === writing.jobId) : undefined;
        return job && !['running', 'queued'].includes(job.status) ? job : undefined;
      },
      90_000,
      200,
    );
    console.log(
      `kill -9 at write ${writing.progress?.done}/${writing.progress?.total} rows; ` +
        `restart -> job succeeded in ${Date.now() - restarted} ms`,
    );
    expect(second.output()).toMatch(
      /recovery: building 1 upload\(s\) the last run did not build: uploads\/big\/ratings\.csv/,
    );

    // The killed job itself was retried (same job, attempt 2), and it is the only job of the upload.
    expect(done).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(done.version).not.toBe(writing.version);
    const { body: jobs } = await getJson<{ jobs: Job[] }>(jobsUrl(second.apiUrl));
    expect(jobs.jobs.map((job) => job.jobId)).toEqual([writing.jobId]);

    // The upload's model is active and serves.
    const { body: dataset } = await getJson<{
      activeVersion: string;
      versions: { version: string; source: Job['source'] }[];
    }>(`${second.apiUrl}/v1/datasets/big`);
    expect(dataset.activeVersion).toBe(done.version);
    expect(dataset.versions.map((v) => v.source.eTag?.replace(/"/g, ''))).toEqual([ETag?.replace(/"/g, '')]);
    const { status } = await getJson(`${second.apiUrl}/v1/datasets/big/users/u1/recommendations?limit=5`);
    expect(status).toBe(200);

    // No orphan rows: only the kept version has model partitions; the killed attempt's rows are gone.
    expect(await versionsWithRows(second.dynamoEndpoint, 'big')).toEqual([done.version]);
  }, 240_000);
});
