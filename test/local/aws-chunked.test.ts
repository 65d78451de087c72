// Streamed uploads from the AWS SDK arrive aws-chunked with a trailing checksum; the local S3 must store the data,
// not the framing, exactly as real S3 does.
import { Readable } from 'node:stream';
import { describe, expect, inject, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsChunkedDecoder } from '../../functions/local/aws-chunked.js';

const s3 = new S3Client({
  endpoint: inject('s3Endpoint'),
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});

async function decode(parts: string[]): Promise<string> {
  const out: Buffer[] = [];
  const decoder = new AwsChunkedDecoder();
  decoder.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((resolve, reject) => decoder.on('end', resolve).on('error', reject));
  for (const part of parts) decoder.write(Buffer.from(part, 'latin1'));
  decoder.end();
  await done;
  return Buffer.concat(out).toString('latin1');
}

describe('aws-chunked decoding', () => {
  it('drops sizes, signatures and trailers, however the bytes are split', async () => {
    const body = '5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n';
    expect(await decode([body])).toBe('hello world');
    expect(await decode(body.split(''))).toBe('hello world'); // one byte at a time
  });

  it('rejects a body cut in the middle of a chunk', async () => {
    await expect(decode(['5\r\nhel'])).rejects.toThrow(/middle of a chunk/);
  });

  it('stores the exact bytes of a streamed SDK upload (aws-chunked with a checksum trailer)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'chunked-test' }));
    const text =
      'user,item,rating\n' +
      Array.from({ length: 20_000 }, (_, i) => `u${i % 97},i${i % 331},${(i % 5) + 1}`).join('\n') +
      '\n';
    const bytes = Buffer.from(text);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'chunked-test',
        Key: 'uploads/d/r.csv',
        Body: Readable.from([bytes.subarray(0, 70_000), bytes.subarray(70_000)]),
        ContentLength: bytes.length,
      }),
    );
    const stored = await s3.send(new GetObjectCommand({ Bucket: 'chunked-test', Key: 'uploads/d/r.csv' }));
    expect(await stored.Body?.transformToString()).toBe(text);
  });
});
