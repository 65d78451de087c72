/**
 * The objects `affinity purge-user` reads: every interaction source of a dataset (uploads/<dataset>/ interaction
 * files and snapshots, the folded live events under events/<dataset>/; never the catalogue or config.json, which
 * hold no users), in upload order, and the plan of what to write.
 *
 * Safety properties (test/cli/purge-plan.test.ts):
 * - Every source: both prefixes are listed whole (every page), classified by the build's own key rules.
 * - Upload order kept: the build orders files by LastModified, then key (dataset-sources.ts), and a rewrite moves a
 *   file's LastModified to now. So from the first file rewritten on, every later file is written again too, in
 *   order ('reorder': same bytes), and each lands after the one before it: the order of every file, and with it
 *   which snapshot is newest and which of two equal rows wins, is what it was.
 * - A file left with no record is deleted rather than rewritten (the build refuses a file without data rows).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { uploadKey } from '../adapters/bucket-layout.js';
import { liveEventFilesPrefix, parseLiveEventFileKey } from '../adapters/live-event-files.js';
import { listObjects, type ListedObject } from '../adapters/s3-objects.js';
import { byUploadOrder } from '../model-build/dataset-sources.js';
import { parseUploadKey } from '../model-build/upload-key.js';

/** Where the build keeps folded live events: interaction files it reads like uploads, which start no build. */
export const liveEventsPrefix = liveEventFilesPrefix;

export type SourceKind = 'upload' | 'snapshot' | 'live-events';

export interface SourceObject extends ListedObject {
  kind: SourceKind;
}

/** Whether a key is one of the dataset's interaction sources, and which kind. */
export function sourceKindOf(dataset: string, key: string): SourceKind | undefined {
  if (key.endsWith('/')) return undefined; // a folder marker holds no data
  // Only what the build reads as an event file (a key naming its range); anything else there is not a source.
  if (key.startsWith(liveEventsPrefix(dataset))) return parseLiveEventFileKey(dataset, key) ? 'live-events' : undefined;
  const target = parseUploadKey(key);
  if (target.kind !== 'ratings' || target.dataset !== dataset) return undefined;
  return target.snapshot ? 'snapshot' : 'upload';
}

/** Every interaction source of the dataset, in upload order. */
export async function listSources(s3: S3Client, bucket: string, dataset: string): Promise<SourceObject[]> {
  const listed = [
    ...(await listObjects(s3, bucket, uploadKey(dataset, ''))),
    ...(await listObjects(s3, bucket, liveEventsPrefix(dataset))),
  ];
  const sources: SourceObject[] = [];
  for (const object of listed) {
    const kind = sourceKindOf(dataset, object.key);
    if (kind) sources.push({ ...object, kind });
  }
  return sources.sort(byUploadOrder);
}

/** What the purge does to one file: its own rows removed, deleted, written again for the order, or nothing. */
export type PurgeAction = 'rewrite' | 'delete' | 'reorder' | 'unchanged';

/** The action of each file, given which hold the users' rows and which would be left without any record. */
export function planActions(files: readonly { holdsUsers: boolean; keepsRecords: boolean }[]): PurgeAction[] {
  let rewritten = false;
  return files.map((file) => {
    if (file.holdsUsers && !file.keepsRecords) return 'delete';
    if (file.holdsUsers) {
      rewritten = true;
      return 'rewrite';
    }
    return rewritten ? 'reorder' : 'unchanged';
  });
}
