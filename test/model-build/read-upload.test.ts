// The build reads exactly the objects its listing names, and the event's own object as the event names it: by versionId where the bucket has versioning (the
// deployed bucket), else conditionally on the event's ETag. S3's refusals, which the local s3rver cannot produce
// (412 PreconditionFailed, NoSuchVersion), come from an SDK client mock; the job store is the real dynalite.
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { ensureTable } from '../../functions/adapters/dynamo/table.js';
import { jobIdOf, runBuild } from '../../functions/model-build/run-build.js';
import { recordingLogger, s3Record } from '../support/build-recorders.js';

const raw = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'local',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const TABLE = `read-upload-${process.pid}-${Date.now()}`;
const store = new DynamoModelStore(createDocumentClient(raw), TABLE, {
  retry: { baseDelayMs: 1, maxDelayMs: 5 },
  consistentReads: true,
});
const s3 = new S3Client({ region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const s3Mock = mockClient(s3);
const CSV = 'user,item,rating\nalice,a,5\nalice,b,3\nbob,a,4\nbob,c,2\n';

beforeAll(async () => {
  await ensureTable(raw, TABLE);
});
beforeEach(() => {
  s3Mock.reset();
  // No config.json: the defaults apply.
  s3Mock
    .on(GetObjectCommand, { Key: 'uploads/reads/config.json' })
    .rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
  // No catalogue (uploads/reads/items.*) either.
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
});

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', message: name, $metadata: { httpStatusCode: status } });
}

/** The dataset's listing: the one file, with the ETag its event names (as S3 lists it, quoted). */
function listed(key: string, eTag: string): void {
  s3Mock.on(ListObjectsV2Command, { Prefix: 'uploads/reads/' }).resolves({
    Contents: [{ Key: key, ETag: `"${eTag}"`, Size: CSV.length, LastModified: new Date() }],
  });
}

function uploadBody(eTag: string) {
  return { Body: Readable.from([Buffer.from(CSV)]) as never, ContentLength: CSV.length, ETag: `"${eTag}"` };
}

describe('reading the upload an event names', () => {
  it('sends If-Match with the event ETag when the event has no version id, and builds', async () => {
    const record = s3Record('bucket', 'uploads/reads/plain.csv', { eTag: 'etag-1', size: CSV.length });
    listed('uploads/reads/plain.csv', 'etag-1');
    s3Mock.on(GetObjectCommand, { Key: 'uploads/reads/plain.csv' }).resolves(uploadBody('etag-1'));
    const outcome = await runBuild(record, { s3, store, logger: recordingLogger() });
    expect(outcome).toMatchObject({ status: 'succeeded' });
    const [read] = s3Mock.commandCalls(GetObjectCommand, { Key: 'uploads/reads/plain.csv' });
    expect(read.args[0].input).toMatchObject({ Bucket: 'bucket', IfMatch: '"etag-1"' });
    expect(read.args[0].input.VersionId).toBeUndefined();
  });

  it('sends the version id (and no If-Match) when the bucket is versioned', async () => {
    const record = s3Record('bucket', 'uploads/reads/versioned.csv', { eTag: 'etag-2', versionId: 'v-123' });
    listed('uploads/reads/versioned.csv', 'etag-2');
    s3Mock.on(GetObjectCommand, { Key: 'uploads/reads/versioned.csv' }).resolves(uploadBody('etag-2'));
    expect(await runBuild(record, { s3, store, logger: recordingLogger() })).toMatchObject({ status: 'succeeded' });
    const [read] = s3Mock.commandCalls(GetObjectCommand, { Key: 'uploads/reads/versioned.csv' });
    expect(read.args[0].input).toMatchObject({ VersionId: 'v-123' });
    expect(read.args[0].input.IfMatch).toBeUndefined();
  });

  it.each([
    ['412 PreconditionFailed (a newer upload replaced the key)', s3Error('PreconditionFailed', 412), {}],
    ['NoSuchVersion (the version is gone)', s3Error('NoSuchVersion', 404), { versionId: 'v-gone' }],
  ])('marks the job superseded on %s, building and writing nothing', async (_, error, extra) => {
    const key = `uploads/reads/refused-${error.name}.csv`;
    const record = s3Record('bucket', key, { eTag: 'etag-old', ...extra });
    listed(key, 'etag-old');
    s3Mock.on(GetObjectCommand, { Key: key }).rejects(error);
    const outcome = await runBuild(record, { s3, store, logger: recordingLogger() });
    expect(outcome).toMatchObject({ status: 'superseded' });
    const job = await store.getJob('reads', jobIdOf(record));
    expect(job).toMatchObject({ status: 'superseded', progress: { phase: 'done' } });
    expect(job?.message).toMatch(error.name === 'NoSuchVersion' ? /no longer exists/ : /replaced by a newer upload/);
    expect(job?.error).toBeUndefined();
  });

  it('marks the job superseded when a store ignores If-Match and answers with another ETag', async () => {
    const record = s3Record('bucket', 'uploads/reads/ignored-if-match.csv', { eTag: 'etag-old' });
    listed('uploads/reads/ignored-if-match.csv', 'etag-old');
    s3Mock.on(GetObjectCommand, { Key: 'uploads/reads/ignored-if-match.csv' }).resolves(uploadBody('etag-new'));
    expect(await runBuild(record, { s3, store, logger: recordingLogger() })).toMatchObject({ status: 'superseded' });
    expect((await store.getJob('reads', jobIdOf(record)))?.message).toContain('"etag-new"');
  });

  it('fails the job (no retry) when the upload was deleted before the build read it', async () => {
    const record = s3Record('bucket', 'uploads/reads/deleted.csv', { eTag: 'etag-3' });
    listed('uploads/reads/deleted.csv', 'etag-3');
    s3Mock
      .on(GetObjectCommand, { Key: 'uploads/reads/deleted.csv' })
      .rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
    const outcome = await runBuild(record, { s3, store, logger: recordingLogger() });
    expect(outcome).toMatchObject({ status: 'failed' });
    expect((await store.getJob('reads', jobIdOf(record)))?.error).toMatchObject({
      message: expect.stringMatching(/was deleted before its build read it/) as unknown,
      where: 'uploads/reads/deleted.csv',
      hint: expect.stringMatching(/upload/i) as unknown,
    });
  });
});
