/**
 * One source object of `affinity purge-user`: read exactly as listed, purged into a local file, checked with the
 * build's reader, and written back only if the object is still the one read.
 *
 * Safety properties (test/cli/purge-user.test.ts, purge-faults.test.ts):
 * - Exact read: the GET is pinned by the listed ETag (If-Match, and the answer's ETag checked, for stores that
 *   ignore If-Match), so the purge never rewrites bytes it did not read.
 * - Conditional write: PutObject and DeleteObject carry If-Match with that ETag; S3 refuses (412, or 409 for a
 *   concurrent write) when the object changed since, and the caller reads it again. S3's PutObject is atomic: a
 *   reader sees the old object or the new one, never part of either.
 * - Same object otherwise: Content-Type, Content-Encoding, Cache-Control, Content-Disposition, Content-Language and
 *   user metadata are written back as read.
 * Disk: one object's input and output at a time, in the caller's private temporary folder.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type GetObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ObjectChangedError, ObjectMissingError } from '../adapters/s3-objects.js';
import {
  purgeRows,
  verifyPurge,
  type IngestOptions,
  type PurgeCheck,
  type PurgeResult,
} from '../engine/ingest/index.js';
import type { SourceObject } from './purge-sources.js';

export interface PurgeContext {
  s3: S3Client;
  bucket: string;
  users: ReadonlySet<string>;
  /** How the build reads the dataset's uploaded files (its config). */
  read: IngestOptions;
  /** How the build reads its folded live-event files (JSON Lines with the events' own fields). */
  readEvents: IngestOptions;
  /** The prefix of the dataset's live-event files. */
  eventsPrefix: string;
  /** A private temporary folder. */
  tempDir: string;
}

/** The headers a rewrite writes back as they were. */
type KeptHeaders = Pick<
  GetObjectCommandOutput,
  'ContentType' | 'ContentEncoding' | 'CacheControl' | 'ContentDisposition' | 'ContentLanguage' | 'Metadata'
>;

export interface PreparedFile {
  /** The object as read (its ETag is the one the read was pinned to). */
  object: SourceObject;
  result: PurgeResult;
  /** The build's reader on the purged file (only for a file that keeps records and loses some). */
  check?: PurgeCheck;
  /** Local copies: the object as read, and purged. */
  input: string;
  output: string;
  bytesBefore: number;
  bytesAfter: number;
  headers: KeptHeaders;
}

export function holdsUsers(result: PurgeResult): boolean {
  return result.removed + result.removedUnreadable > 0;
}

export function keepsRecords(result: PurgeResult): boolean {
  return result.records > result.removed + result.removedUnreadable;
}

let serial = 0;

/**
 * Reads the object pinned by its ETag, purges it into a local file and, where it loses rows, checks it (unless it
 * was checked with this very ETag before: `checked`; the same ETag is the same bytes, so the same answer).
 */
export async function prepareFile(
  ctx: PurgeContext,
  object: SourceObject,
  checked?: { eTag: string; check: PurgeCheck | undefined },
): Promise<PreparedFile> {
  const input = join(ctx.tempDir, `${++serial}.in`);
  const output = join(ctx.tempDir, `${serial}.out`);
  const { body, headers } = await getPinned(ctx, object.key, object.eTag);
  await pipeline(body, createWriteStream(input));
  const read = readOptionsFor(ctx, object.key);
  const options = { users: ctx.users, ingest: read, label: object.key };
  const result = await purgeRows(createReadStream(input), options, createWriteStream(output));
  let check: PurgeCheck | undefined;
  if (checked?.eTag === object.eTag) check = checked.check;
  else if (holdsUsers(result) && keepsRecords(result)) {
    check = await verifyPurge(
      async () => input,
      async () => output,
      ctx.users,
      { ...read, fileName: object.key },
    );
  }
  const [before, after] = await Promise.all([stat(input), stat(output)]);
  return { object, result, check, input, output, bytesBefore: before.size, bytesAfter: after.size, headers };
}

/** How the build reads the object at `key`: an event file as event files are read, else as the config says. */
export function readOptionsFor(
  ctx: Pick<PurgeContext, 'read' | 'readEvents' | 'eventsPrefix'>,
  key: string,
): IngestOptions {
  return key.startsWith(ctx.eventsPrefix) ? ctx.readEvents : ctx.read;
}

export async function discard(file: PreparedFile | undefined): Promise<void> {
  if (!file) return;
  await Promise.all([unlink(file.input).catch(() => undefined), unlink(file.output).catch(() => undefined)]);
}

/** The object's bytes, only if it still has `eTag`; throws ObjectChangedError / ObjectMissingError. */
async function getPinned(
  ctx: PurgeContext,
  key: string,
  eTag: string,
): Promise<{ body: Readable; headers: KeptHeaders }> {
  const where = `s3://${ctx.bucket}/${key}`;
  let response: GetObjectCommandOutput;
  try {
    response = await ctx.s3.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key, IfMatch: `"${eTag}"` }));
  } catch (error) {
    if (isConditionFailure(error)) throw new ObjectChangedError(`${where} no longer has ETag "${eTag}"`, 'replaced');
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey')
      throw new ObjectMissingError(`${where} does not exist`);
    throw error;
  }
  const body = response.Body as Readable | undefined;
  if (!body) throw new Error(`${where} has no body`);
  const served = response.ETag?.replace(/^"|"$/g, '');
  if (served && served !== eTag) {
    body.destroy();
    throw new ObjectChangedError(`${where} has ETag "${served}", not "${eTag}"`, 'replaced');
  }
  const { ContentType, ContentEncoding, CacheControl, ContentDisposition, ContentLanguage, Metadata } = response;
  return {
    body,
    headers: { ContentType, ContentEncoding, CacheControl, ContentDisposition, ContentLanguage, Metadata },
  };
}

/** Puts the purged file (or, for 'reorder', the bytes as read) over the object if it still has the ETag read. */
export async function putConditional(ctx: PurgeContext, file: PreparedFile, bytes: 'purged' | 'as-read') {
  const path = bytes === 'purged' ? file.output : file.input;
  const size = bytes === 'purged' ? file.bytesAfter : file.bytesBefore;
  const response = await ctx.s3.send(
    new PutObjectCommand({
      Bucket: ctx.bucket,
      Key: file.object.key,
      Body: createReadStream(path),
      ContentLength: size,
      IfMatch: `"${file.object.eTag}"`,
      ...file.headers,
    }),
  );
  return { eTag: response.ETag?.replace(/^"|"$/g, '') ?? '', versionId: response.VersionId };
}

/** Deletes the object if it still has the ETag read (a versioned bucket keeps the version: see the sweep). */
export async function deleteConditional(ctx: PurgeContext, file: PreparedFile): Promise<void> {
  await ctx.s3.send(
    new DeleteObjectCommand({ Bucket: ctx.bucket, Key: file.object.key, IfMatch: `"${file.object.eTag}"` }),
  );
}

/** S3's refusal of a conditional request: 412 (the ETag differs) or 409 (a write to the key was under way). */
export function isConditionFailure(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409;
}

/** The object's ETag now (bare); undefined when it no longer exists. */
export async function currentETag(ctx: PurgeContext, key: string): Promise<string | undefined> {
  try {
    const head = await ctx.s3.send(new HeadObjectCommand({ Bucket: ctx.bucket, Key: key }));
    return head.ETag?.replace(/^"|"$/g, '');
  } catch (error) {
    const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (name === 'NotFound' || name === 'NoSuchKey' || $metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}

/** LastModified as the build's listing sees it (the order it reads files in). */
export async function listedTime(ctx: PurgeContext, key: string): Promise<Date | undefined> {
  const page = await ctx.s3.send(new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: key, MaxKeys: 1 }));
  const object = page.Contents?.find((o) => o.Key === key);
  return object?.LastModified;
}
