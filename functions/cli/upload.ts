/**
 * `affinity upload`: puts a local file under uploads/<dataset>/ through the S3 API (progress bar on a terminal),
 * then waits for the build it starts. What the build will do with the key is decided before uploading, by the
 * build's own key classifier, so the CLI never waits for a build that cannot start:
 * - interaction data: upload, then wait for its job (unless --no-wait);
 * - the dataset's config.json: validated here with the engine's config parser, uploaded, done at once
 *   (a config builds nothing; the next data upload reads it);
 * - a key the build ignores (e.g. a dataset name over the length limit): refused, nothing uploaded.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SingleBar, Presets } from 'cli-progress';
import { MAX_DATASET_BYTES, uploadKey } from '../adapters/bucket-layout.js';
import { parseModelConfig } from '../engine/pipeline.js';
import { UserInputError } from '../engine/types.js';
import { parseUploadKey } from '../model-build/upload-key.js';
import { printJob, waitForJob } from './jobs.js';
import { readableFileSize, readJsonFile } from './local-files.js';
import { MODEL_CONFIG_HINT } from './model-flags.js';
import { resolveTarget, s3ClientFor, type StackTarget, type TargetFlags } from './target.js';

export interface UploadFlags extends TargetFlags {
  dataset: string;
  key?: string;
  wait: boolean;
  timeout: number;
}

export async function uploadCommand(file: string, flags: UploadFlags, dataDir: string): Promise<void> {
  const size = readableFileSize(file);
  const destination = uploadDestination(flags.dataset, flags.key ?? basename(file));
  if (destination.kind === 'config') validateConfigFile(file);
  const target = resolveTarget(flags, dataDir);
  const { key, eTag } = await uploadFile(target, file, size, destination.key);
  console.log(`Uploaded ${file} to s3://${target.bucket}/${key}`);
  if (destination.kind === 'config') {
    console.log(
      `This is the build configuration of dataset "${flags.dataset}": it starts no build, and applies to the next ` +
        `upload of interaction data to ${uploadKey(flags.dataset, '')}.`,
    );
    return;
  }
  if (!flags.wait) return;
  const job = await waitForJob(target, flags.dataset, key, eTag, flags.timeout * 1000);
  printJob(job);
  if (job.status === 'failed') process.exitCode = 3;
}

/** The object key, and whether the build treats it as interaction data or as the dataset's config. */
function uploadDestination(dataset: string, name: string): { key: string; kind: 'ratings' | 'catalogue' | 'config' } {
  // Checked first: with a '/' in it, the build would read the key as another dataset's file.
  if (dataset.includes('/') || dataset === '')
    throw new UserInputError(`dataset name '${dataset}' must be non-empty and contain no '/'`, '--dataset');
  const key = uploadKey(dataset, name);
  const classified = parseUploadKey(key);
  if (classified.kind === 'ignored')
    throw new UserInputError(
      `${key} would start no build: ${classified.reason}`,
      '--dataset / --key',
      `Use a dataset name of at most ${MAX_DATASET_BYTES} UTF-8 bytes and a file name that does not end in '/'.`,
    );
  return { key, kind: classified.kind };
}

/** The checks the build would make when it reads the config, made now, while the user is at the terminal. */
function validateConfigFile(file: string): void {
  parseModelConfig(readJsonFile(file, MODEL_CONFIG_HINT), file);
}

/** Puts `file` at `key`; returns S3's (quoted) ETag, by which the build job of this exact object is found. */
async function uploadFile(
  target: StackTarget,
  file: string,
  size: number,
  key: string,
): Promise<{ key: string; eTag?: string }> {
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
