/**
 * Opens the upload an S3 event names, and nothing else (see ../adapters/s3-objects.ts for how the read is pinned).
 * - A newer upload replaced the key, or the named version is gone: UploadSupersededError. The job ends
 *   'superseded' with this message and builds nothing; the newer upload's own event builds the newer bytes.
 * - The object was deleted (unversioned buckets): a UserInputError, so the job fails once, saying so, unretried.
 * - checkEventObject: a build of the dataset's state whose event's own object is no longer current (replaced,
 *   deleted, or re-uploaded after its deletion) is superseded (build-state.ts).
 * Tested in test/model-build/read-upload.test.ts and test/pipeline/same-key-overwrite.test.ts.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import { ObjectChangedError, ObjectMissingError, openObject, type ObjectStream } from '../adapters/s3-objects.js';
import { UserInputError } from '../engine/types.js';
import type { DatasetState } from './dataset-sources.js';

/** The event's object is no longer there to read: not a failure, a newer upload (or a deletion) overtook it. */
export class UploadSupersededError extends Error {
  override readonly name = 'UploadSupersededError';
}

export async function openUpload(s3: S3Client, record: S3EventRecord, key: string): Promise<ObjectStream> {
  const { bucket, object } = record.s3;
  try {
    return await openObject(s3, bucket.name, key, { versionId: object.versionId, eTag: object.eTag });
  } catch (error) {
    throw eventObjectError(error, key, object.versionId);
  }
}

/** What a failed read of the event's own object means for its build (see the header); other errors unchanged. */
export function eventObjectError(error: unknown, key: string, versionId?: string): unknown {
  if (error instanceof ObjectChangedError) {
    return new UploadSupersededError(
      error.change === 'replaced'
        ? `${key} was replaced by a newer upload before this build read it (${error.message}): this build ` +
            "builds nothing, and the newer upload's own build builds the newer file."
        : `Version ${versionId} of ${key} no longer exists (deleted, or removed by the bucket's ` +
            "lifecycle rule): nothing to build. If a newer upload replaced it, that upload's own build builds it.",
    );
  }
  if (error instanceof ObjectMissingError) {
    return new UserInputError(
      `${key} was deleted before its build read it`,
      key,
      'Upload the file again to build it, and leave it in place until its build job has finished.',
    );
  }
  return error;
}

/** Throws UploadSupersededError when the event's object is no longer current; else the version id to read it by. */
export function checkEventObject(
  event: S3EventRecord | undefined,
  key: string,
  state: Pick<DatasetState, 'all'>,
): Map<string, string> {
  const pinned = new Map<string, string>();
  if (!event) return pinned;
  const listed = state.all.get(key);
  if (event.eventName.startsWith('ObjectRemoved')) {
    if (listed)
      throw new UploadSupersededError(
        `${key} was uploaded again after this deletion: this build builds nothing, and that upload's own build builds it.`,
      );
    return pinned;
  }
  const eTag = (event.s3.object.eTag ?? '').replace(/^"|"$/g, '');
  if (!listed)
    throw new UploadSupersededError(
      `${key} was deleted before this build read it: this build builds nothing; the deletion's own build removes its rows.`,
    );
  if (eTag && listed.eTag !== eTag)
    throw new UploadSupersededError(
      `${key} was replaced by a newer upload before this build read it (it has ETag "${listed.eTag}", not "${eTag}"): ` +
        "this build builds nothing, and the newer upload's own build builds the newer file.",
    );
  if (event.s3.object.versionId && (!eTag || listed.eTag === eTag)) pinned.set(key, event.s3.object.versionId);
  return pinned;
}
