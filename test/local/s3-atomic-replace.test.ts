// The local S3 (s3rver) replaces an object the way S3 does: a read that has started keeps streaming the bytes of
// the object it opened, with that object's ETag, while a PUT of the same key lands; reads opened after the PUT see
// the new object. (s3rver alone rewrites the file in place, so such a read mixed both uploads.)
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../functions/local/defaults.js';
import { startS3rver, type RunningS3 } from '../../functions/local/services.js';

const BUCKET = 'atomic';
const SIZE = 16 * 1024 * 1024; // far more than the socket buffers, so the read is still under way at the PUT
const directory = mkdtempSync(join(tmpdir(), 'affinity-s3-atomic-'));
let s3rver: RunningS3;
let s3: S3Client;

beforeAll(async () => {
  s3rver = await startS3rver({ directory, buckets: [BUCKET] });
  s3 = new S3Client({
    endpoint: s3rver.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
});
afterAll(async () => {
  s3?.destroy();
  await s3rver?.stop();
  rmSync(directory, { recursive: true, force: true });
});

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const put = (key: string, body: Buffer) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('local S3: replacing an object', () => {
  it('lets a read that has started finish with the old bytes and ETag', async () => {
    const first = Buffer.alloc(SIZE, 'a');
    const second = Buffer.alloc(SIZE / 2, 'b');
    await put('uploads/x/ratings.csv', first);

    const reading = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/x/ratings.csv' }));
    const body = reading.Body as Readable;
    // Take one chunk, then stall: the rest of the object is still on the server's side when the PUT lands.
    const firstChunk = await new Promise<Buffer>((resolve) => body.once('data', (chunk: Buffer) => resolve(chunk)));
    body.pause();
    await put('uploads/x/ratings.csv', second);
    const rest = await readAll(body);

    const read = Buffer.concat([firstChunk, rest]);
    expect(read.length).toBe(first.length);
    expect(md5(read)).toBe(md5(first));
    expect(reading.ETag).toBe(`"${md5(first)}"`);

    const after = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/x/ratings.csv' }));
    expect(after.ETag).toBe(`"${md5(second)}"`);
    expect(md5(await readAll(after.Body as Readable))).toBe(md5(second));
    expect(await s3rver.describeObject(BUCKET, 'uploads/x/ratings.csv')).toEqual({
      eTag: md5(second),
      size: second.length,
    });
  });
});
