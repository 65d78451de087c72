/**
 * Reading uploads and writing reports in the model bucket.
 *
 * Safety property (test/model-build/read-upload.test.ts, test/pipeline/same-key-overwrite.test.ts): an upload is
 * read as exactly the object its S3 event named — by version id where the bucket is versioned, else with
 * If-Match on the event's ETag, and the answer's ETag checked too (a store that ignores If-Match cannot slip
 * another object in). A refusal is a typed error, so the build can tell "a newer upload exists" from a fault.
 * A listing is every object under a prefix (all pages; S3 lists strongly consistently), each with the ETag that
 * its exact read then pins.
 */
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

export interface ObjectStream {
  body: Readable;
  size?: number;
  eTag?: string;
  /** The version read (versioned buckets). */
  versionId?: string;
}

/** One object of a listing; `eTag` bare (as events carry it). */
export interface ListedObject {
  key: string;
  eTag: string;
  size: number;
  lastModified: Date;
}

/** Every object under `prefix`, through all pages of ListObjectsV2 (1,000 keys a page). */
export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      objects.push({
        key: object.Key,
        eTag: object.ETag ? bareETag(object.ETag) : '',
        size: object.Size ?? 0,
        lastModified: object.LastModified ?? new Date(0),
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/** Which object an S3 event named: its version id (versioned buckets) and its ETag (bare, as events carry it). */
export interface ExpectedObject {
  versionId?: string;
  eTag?: string;
}

/** The object under the key is no longer the one expected: replaced (ETag differs) or that version is gone. */
export class ObjectChangedError extends Error {
  override readonly name = 'ObjectChangedError';
  constructor(
    message: string,
    readonly change: 'replaced' | 'version-gone',
  ) {
    super(message);
  }
}

/** No object under the key at all (deleted; unversioned buckets only, since a version id survives deletion). */
export class ObjectMissingError extends Error {
  override readonly name = 'ObjectMissingError';
}

/** Streams exactly the expected object (never buffers it whole: uploads may be gigabytes). */
export async function openObject(
  s3: S3Client,
  bucket: string,
  key: string,
  expected: ExpectedObject = {},
): Promise<ObjectStream> {
  const { versionId } = expected;
  const eTag = expected.eTag ? bareETag(expected.eTag) : undefined;
  const where = `s3://${bucket}/${key}`;
  let response;
  try {
    response = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        VersionId: versionId,
        // A version id names immutable bytes; without one, the ETag is what pins the object.
        IfMatch: versionId || !eTag ? undefined : `"${eTag}"`,
      }),
    );
  } catch (error) {
    const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (name === 'PreconditionFailed' || $metadata?.httpStatusCode === 412)
      throw new ObjectChangedError(`${where} no longer has ETag "${eTag}"`, 'replaced');
    if (name === 'NoSuchVersion')
      throw new ObjectChangedError(`version ${versionId} of ${where} no longer exists`, 'version-gone');
    if (error instanceof NoSuchKey || name === 'NoSuchKey') throw new ObjectMissingError(`${where} does not exist`);
    throw error;
  }
  if (!response.Body) throw new Error(`${where} has no body`);
  const body = response.Body as Readable;
  const served = response.ETag ? bareETag(response.ETag) : undefined;
  if (!versionId && eTag && served && served !== eTag) {
    body.destroy();
    throw new ObjectChangedError(`${where} has ETag "${served}", not "${eTag}"`, 'replaced');
  }
  return { body, size: response.ContentLength, eTag: response.ETag, versionId: response.VersionId };
}

/** S3 answers ETags quoted, events carry them bare. */
function bareETag(eTag: string): string {
  return eTag.replace(/^"|"$/g, '');
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
