/** Puts a local file under uploads/<dataset>/ through the S3 API, with a progress bar on a terminal. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SingleBar, Presets } from 'cli-progress';
import { uploadKey } from '../adapters/bucket-layout.js';
import { UserInputError } from '../engine/types.js';
import { s3ClientFor, type StackTarget } from './target.js';

/** Uploads `file` as uploads/<dataset>/<name> (default: the file name); returns the key and S3's (quoted) ETag. */
export async function uploadFile(
  target: StackTarget,
  file: string,
  dataset: string,
  name?: string,
): Promise<{ key: string; eTag?: string }> {
  if (!existsSync(file)) throw new UserInputError(`file not found: ${file}`, file, 'Check the path.');
  if (dataset.includes('/') || dataset === '')
    throw new UserInputError(`dataset name '${dataset}' must be non-empty and contain no '/'`, '--dataset');
  const key = uploadKey(dataset, name ?? basename(file));
  const size = statSync(file).size;
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: 'upload [{bar}] {percentage}% | {value}/{total} bytes' }, Presets.shades_classic)
    : undefined;
  bar?.start(size, 0);
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      bar?.update(sent);
      callback(null, chunk);
    },
  });
  try {
    const response = await s3ClientFor(target).send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Body: createReadStream(file).pipe(counter),
        ContentLength: size,
      }),
    );
    return { key, eTag: response.ETag };
  } finally {
    bar?.stop();
  }
}
