// The local stack's event queue lives in memory, so uploads whose builds never ran or never finished (the process
// was killed) must be found again on the next start: every job left 'running' is settled as interrupted (its rows
// deleted), and every upload that no finished job built is delivered again (with its original event when a job
// recorded it, so that job itself is retried). Uploads that were built are left alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { decodeS3EventKey } from '../../functions/adapters/s3-event-keys.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../functions/local/stack.js';
import { jobIdOf, runBuild } from '../../functions/model-build/run-build.js';
import { toCsv, type Ratings } from '../support/brute-force.js';
import { recordingLogger } from '../support/build-recorders.js';

const directory = mkdtempSync(join(tmpdir(), 'affinity-recovery-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const RATINGS: Ratings = [
  ['alice', 'a', 5],
  ['alice', 'b', 2],
  ['bob', 'a', 4],
  ['bob', 'c', 5],
  ['carol', 'b', 4],
  ['carol', 'c', 1],
];

/** Clients on the running stack, from the environment it sets (as the deployed handlers find it). */
function clients() {
  const s3 = new S3Client({ forcePathStyle: true });
  const dynamo = new DynamoDBClient({});
  const store = new DynamoModelStore(createDocumentClient(dynamo), process.env.TABLE_NAME!, { consistentReads: true });
  return { s3, dynamo, store, destroy: () => (s3.destroy(), dynamo.destroy()) };
}

/** Builds each record with the real build, as the deployed handler would; remembers which keys it was given. */
function buildingHandler(built: string[]): LocalStackOptions['buildHandler'] {
  return async (event: S3Event) => {
    const { s3, store, destroy } = clients();
    try {
      for (const record of event.Records) {
        built.push(decodeS3EventKey(record.s3.object.key));
        await runBuild(record, { s3, store, logger: recordingLogger(), threads: 1 });
      }
    } finally {
      destroy();
    }
  };
}

const options = (buildHandler: LocalStackOptions['buildHandler']): LocalStackOptions => ({
  dataDir: directory,
  buildHandler,
  apiHandler: async () => ({ statusCode: 404 }),
  bridge: { retryDelayMs: 1 },
  log: () => {},
});

async function put(stack: LocalStack, key: string, body: string): Promise<void> {
  const { s3, destroy } = clients();
  try {
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: Buffer.from(body) }));
  } finally {
    destroy();
  }
  await stack.bridge.idle();
}

describe('local stack start', () => {
  it('settles builds left running and builds every upload no finished job built', async () => {
    // First run: one upload is built; then the builds stop happening (events captured, as if the process died
    // with them queued), and one build dies half-way, leaving its job running and some rows.
    const builtFirst: string[] = [];
    const captured: S3Event[] = [];
    let building = true;
    const build = buildingHandler(builtFirst);
    const first = await startLocalStack(
      options(async (event, context) => {
        if (building) return build(event, context);
        captured.push(event);
      }),
    );
    let killedJobId: string;
    try {
      await put(first, 'uploads/done/ratings.csv', toCsv(RATINGS));
      building = false;
      await put(first, 'uploads/queued/ratings.csv', toCsv(RATINGS));
      await put(first, 'uploads/killed/ratings.csv', toCsv(RATINGS));
      expect(builtFirst).toEqual(['uploads/done/ratings.csv']);
      expect(captured).toHaveLength(2);

      // The killed build: claimed with a lease still live (the restart comes quickly), rows half-written.
      const [record] = captured[1].Records;
      killedJobId = jobIdOf(record);
      const { store, destroy } = clients();
      try {
        const now = new Date();
        await store.claimJob({
          dataset: 'killed',
          jobId: killedJobId,
          status: 'running',
          source: {
            bucket: record.s3.bucket.name,
            key: 'uploads/killed/ratings.csv',
            eTag: record.s3.object.eTag,
            sequencer: record.s3.object.sequencer,
            sourceOrder: `${record.eventTime}#${record.s3.object.sequencer!.padStart(32, '0')}`,
          },
          version: 'killed-version',
          progress: { phase: 'write', done: 2, total: 10 },
          startedAt: now.toISOString(),
          updatedAt: now.toISOString(),
          leaseUntil: new Date(now.getTime() + 60_000).toISOString(),
        });
        const writer = store.createVersionWriter('killed', 'killed-version');
        await writer.putItemNeighbours('a', [{ id: 'b', similarity: 0.5, support: 1 }]);
        await writer.flush();
      } finally {
        destroy();
      }
    } finally {
      await first.stop();
    }

    // Second run, on the same data: the start finds both unbuilt uploads and builds them.
    const builtSecond: string[] = [];
    const second = await startLocalStack(options(buildingHandler(builtSecond)));
    try {
      await second.bridge.idle();
      expect(builtSecond.sort()).toEqual(['uploads/killed/ratings.csv', 'uploads/queued/ratings.csv']);
      const { store, destroy } = clients();
      try {
        for (const dataset of ['done', 'queued', 'killed']) {
          const manifest = await store.getManifest(dataset);
          expect(manifest?.activeVersion, dataset).toBeDefined();
          const jobs = await store.listJobs(dataset);
          expect(jobs.map((job) => job.status)).toEqual(['succeeded']);
        }
        // The killed build's job itself was retried, as its second attempt.
        expect(await store.getJob('killed', killedJobId!)).toMatchObject({ status: 'succeeded', attempt: 2 });
        // No orphan rows: every model partition belongs to a version a manifest keeps.
        const kept = new Set<string>();
        for (const dataset of ['done', 'queued', 'killed'])
          for (const v of (await store.getManifest(dataset))!.versions) kept.add(`${dataset}#${v.version}`);
        expect(await modelVersionsInTable()).toEqual([...kept].sort());
      } finally {
        destroy();
      }
    } finally {
      await second.stop();
    }

    // A third start finds nothing left to build.
    const builtThird: string[] = [];
    const third = await startLocalStack(options(buildingHandler(builtThird)));
    try {
      await third.bridge.idle();
      expect(builtThird).toEqual([]);
    } finally {
      await third.stop();
    }
  });
});

/** `<dataset>#<version>` of every model row partition in the table (pk `m#<dataset>#<version>#<kind>#<shard>`). */
async function modelVersionsInTable(): Promise<string[]> {
  const dynamo = new DynamoDBClient({});
  const doc = createDocumentClient(dynamo);
  try {
    const versions = new Set<string>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({ TableName: process.env.TABLE_NAME, ProjectionExpression: 'pk', ExclusiveStartKey: startKey }),
      );
      for (const { pk } of page.Items ?? []) {
        const [prefix, dataset, version] = (pk as string).split('#');
        if (prefix === 'm') versions.add(`${decodeURIComponent(dataset)}#${decodeURIComponent(version)}`);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return [...versions].sort();
  } finally {
    dynamo.destroy();
  }
}
