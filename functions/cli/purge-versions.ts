/**
 * The older copies of a dataset's sources in a versioned bucket (infra/constructs/model-bucket.ts): after the
 * rewrites, every noncurrent version of an interaction source under uploads/<dataset>/ or events/<dataset>/ is
 * read and, when it holds a purged user's record, deleted by its version id (DeleteObject with VersionId removes
 * that version for good; it adds no delete marker).
 *
 * Safety properties (test/cli/purge-faults.test.ts, with a client mock: the local s3rver keeps no versions):
 * - Every old copy: all pages of ListObjectVersions over both prefixes, every noncurrent version of every source
 *   key, including keys whose current object was deleted or never held the user.
 * - Only the user's: a version is deleted only if the purge engine finds a record of a purged user in it; other
 *   versions (those the order-keeping re-puts superseded, older uploads without the user) are kept and counted.
 * - Nothing passed silently: a version the purge cannot read is listed as unread, and the command fails.
 * - A bucket without versioning (or s3rver, which does not implement it) says so.
 */
import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  type ObjectVersion,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { uploadKey } from '../adapters/bucket-layout.js';
import { purgeRows } from '../engine/ingest/index.js';
import { UserInputError } from '../engine/types.js';
import { holdsUsers, readOptionsFor, type PurgeContext } from './purge-objects.js';
import { liveEventsPrefix, sourceKindOf } from './purge-sources.js';

export type Versioning = 'enabled' | 'suspended' | 'never enabled' | 'not supported by this store';

export interface OldVersion {
  key: string;
  versionId: string;
  lastModified?: string;
  /** Records of the purged users it held. */
  removed: number;
}

export interface VersionSweep {
  versioning: Versioning;
  /** Deleted (or, in a dry run, to be deleted). */
  deleted: OldVersion[];
  /** Old versions read that hold none of the users: kept. */
  kept: number;
  /** Old versions the purge could not read (listed; the command fails). */
  unread: { key: string; versionId: string; error: string }[];
}

export async function versioningOf(ctx: PurgeContext): Promise<Versioning> {
  try {
    const answer = await ctx.s3.send(new GetBucketVersioningCommand({ Bucket: ctx.bucket }));
    if (answer.Status === 'Enabled') return 'enabled';
    if (answer.Status === 'Suspended') return 'suspended';
    return 'never enabled';
  } catch (error) {
    const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (name === 'NotImplemented' || $metadata?.httpStatusCode === 501) return 'not supported by this store';
    throw error;
  }
}

/** Reads every old version of the dataset's sources; deletes those holding the users (unless `dryRun`). */
export async function sweepVersions(ctx: PurgeContext, dataset: string, dryRun: boolean): Promise<VersionSweep> {
  const versioning = await versioningOf(ctx);
  const sweep: VersionSweep = { versioning, deleted: [], kept: 0, unread: [] };
  if (versioning !== 'enabled' && versioning !== 'suspended') return sweep;
  for (const prefix of [uploadKey(dataset, ''), liveEventsPrefix(dataset)]) {
    for (const version of await listVersions(ctx, prefix)) {
      const key = version.Key!;
      const versionId = version.VersionId!;
      if (version.IsLatest || sourceKindOf(dataset, key) === undefined) continue;
      let removed: number;
      try {
        removed = await usersRecordsIn(ctx, key, versionId);
      } catch (error) {
        if (!(error instanceof UserInputError)) throw error;
        sweep.unread.push({ key, versionId, error: error.message });
        continue;
      }
      if (removed === 0) {
        sweep.kept++;
        continue;
      }
      if (!dryRun) await ctx.s3.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: key, VersionId: versionId }));
      sweep.deleted.push({ key, versionId, lastModified: version.LastModified?.toISOString(), removed });
    }
  }
  return sweep;
}

/** Every object version under the prefix (delete markers hold no data), all pages. */
async function listVersions(ctx: PurgeContext, prefix: string): Promise<ObjectVersion[]> {
  const versions: ObjectVersion[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await ctx.s3.send(
      new ListObjectVersionsCommand({
        Bucket: ctx.bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    versions.push(...(page.Versions ?? []).filter((v) => v.Key && v.VersionId));
    if (!page.IsTruncated) return versions;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}

/** The purged users' records in one version (read, counted, nothing written). */
async function usersRecordsIn(ctx: PurgeContext, key: string, versionId: string): Promise<number> {
  const response = await ctx.s3.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key, VersionId: versionId }));
  const body = response.Body as Readable | undefined;
  if (!body) throw new Error(`s3://${ctx.bucket}/${key} version ${versionId} has no body`);
  const result = await purgeRows(body, { users: ctx.users, ingest: readOptionsFor(ctx, key), label: key });
  return holdsUsers(result) ? result.removed + result.removedUnreadable : 0;
}
