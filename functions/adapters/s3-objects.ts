/** Reading uploads and writing reports in the model bucket. */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

export interface ObjectStream {
  body: Readable;
  size?: number;
  eTag?: string;
}

/** Streams an object (never buffers it whole: uploads may be gigabytes). */
export async function openObject(s3: S3Client, bucket: string, key: string, versionId?: string): Promise<ObjectStream> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  if (!response.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return { body: response.Body as Readable, size: response.ContentLength, eTag: response.ETag };
}

/** Reads a small object as text; undefined when it does not exist. */
export async function readTextObject(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await response.Body?.transformToString('utf-8');
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

export async function writeJsonObject(s3: S3Client, bucket: string, key: string, value: unknown): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(value, null, 2),
      ContentType: 'application/json',
    }),
  );
}
