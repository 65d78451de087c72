/**
 * Makes s3rver replace an object the way S3 does. s3rver's filesystem store rewrites an object's file in place,
 * then its checksum and metadata files, so a read under way while the same key is uploaded again streams a mix
 * of both files (or is cut short), and a read opened in between can pair the new bytes with the old ETag.
 *
 * Safety properties (test/local/s3-atomic-replace.test.ts):
 * - A new upload is written to a temporary file beside the object (a name s3rver's listing ignores), then renamed
 *   over it: a read that has opened the old file keeps streaming the old bytes to the end.
 * - The rename and the checksum/metadata writes happen under one lock that every object read also takes while it
 *   reads the metadata and opens the file, so a read's ETag always belongs to the bytes it streams.
 * Copies (CopyObject) still write in place; uploads (PutObject, multipart) are what builds read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The parts of s3rver's FilesystemStore (lib/stores/filesystem.js) this relies on. */
export interface S3rverFilesystemStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getObject(bucket: string, key: string, options?: unknown): Promise<unknown>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
  putMetadata(bucket: string, key: string, metadata: unknown, md5?: string): Promise<void>;
}

interface S3rverObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: unknown;
}

export function makeObjectReplacementAtomic(store: S3rverFilesystemStore): void {
  let tail: Promise<unknown> = Promise.resolve();
  /** Runs `step` after every step queued before it (a mutex over short metadata-and-open sections). */
  const exclusive = <T>(step: () => Promise<T>): Promise<T> => {
    const run = tail.then(step, step);
    tail = run.catch(() => undefined);
    return run;
  };

  const getObject = store.getObject.bind(store);
  store.getObject = (bucket, key, options) => exclusive(() => getObject(bucket, key, options));

  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    const partial = `${objectPath}.${randomBytes(6).toString('hex')}.partial`;
    try {
      const md5 = createHash('md5');
      let size = 0;
      const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            md5.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(partial),
      );
      const digest = md5.digest('hex');
      await exclusive(async () => {
        await rename(partial, objectPath);
        await store.putMetadata(object.bucket, object.key, object.metadata, digest);
      });
      return { size, md5: digest };
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  };
}
