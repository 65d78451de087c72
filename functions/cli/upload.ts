/**
 * `affinity upload`: puts a local file under uploads/<dataset>/ through the S3 API (progress bar on a terminal),
 * then waits for the build it starts. What the build will do with the key is decided before uploading, by the
 * build's own key classifier, so the CLI never waits for a build that cannot start:
 * - interaction data: upload, then wait for its job (unless --no-wait);
 * - the dataset's config.json: validated here with the engine's config parser, uploaded, done at once
 *   (a config builds nothing; the next data upload reads it);
 * - a key the build ignores (e.g. a dataset name over the length limit): refused, nothing uploaded.
 * `uploadToDataset` is the one path to the bucket: the console's upload route (./console-uploads.ts) calls it too.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SingleBar, Presets } from 'cli-progress';
import { MAX_DATASET_BYTES, uploadKey } from '../adapters/bucket-layout.js';
import { parseModelConfig } from '../engine/pipeline.js';
import { UserInputError } from '../engine/types.js';
import { parseUploadKey } from '../model-build/upload-key.js';
import { printJob, waitForJob } from './jobs.js';
import { readableFileSize } from './local-files.js';
import { MODEL_CONFIG_HINT } from './model-flags.js';
import { resolveTarget, s3ClientFor, type StackTarget, type TargetFlags } from './target.js';

/** S3's limit for one PutObject (the CLI and the console put each file in one request). */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;
/** A config.json is read whole to be validated before it is put; real ones are a few hundred bytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export type UploadKind = 'ratings' | 'catalogue' | 'config';

export interface UploadFlags extends TargetFlags {
  dataset: string;
  key?: string;
  wait: boolean;
  timeout: number;
}

export interface DatasetUpload {
  dataset: string;
  /** The object name under uploads/<dataset>/. */
  name: string;
  size: number;
  /** The bytes, `size` of them; opened only once every check that needs no bytes has passed. */
  open(): Readable;
  /** How errors name the inputs: `dataset` and `name` (CLI flags or the console route's path parts), `source`. */
  where: { dataset: string; name: string; source: string };
  onProgress?(sent: number): void;
}

export interface UploadResult {
  bucket: string;
  key: string;
  eTag?: string;
  kind: UploadKind;
}

export async function uploadCommand(file: string, flags: UploadFlags, dataDir: string): Promise<void> {
  const size = readableFileSize(file);
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: 'upload [{bar}] {percentage}% | {value}/{total} bytes' }, Presets.shades_classic)
    : undefined;
  let target: StackTarget | undefined;
  let result: UploadResult;
  try {
    result = await uploadToDataset(() => (target = resolveTarget(flags, dataDir)), {
      dataset: flags.dataset,
      name: flags.key ?? basename(file),
      size,
      open: () => {
        bar?.start(size, 0);
        return createReadStream(file);
      },
      where: { dataset: '--dataset', name: '--dataset / --key', source: file },
      onProgress: (sent) => bar?.update(sent),
    });
  } finally {
    bar?.stop();
  }
  const { key, eTag, kind } = result;
  console.log(`Uploaded ${file} to s3://${result.bucket}/${key}`);
  if (kind === 'config') {
    console.log(
      `This is the build configuration of dataset "${flags.dataset}": it starts no build, and applies to the next ` +
        `upload of interaction data to ${uploadKey(flags.dataset, '')}.`,
    );
    return;
  }
  if (!flags.wait || !target) return;
  const job = await waitForJob(target, flags.dataset, key, eTag, flags.timeout * 1000);
  printJob(job);
  if (job.status === 'failed') process.exitCode = 3;
}

/**
 * Checks the destination, the size and (for config.json) the config as the build would, then puts the bytes at
 * uploads/<dataset>/<name>. `targetOf` is called only after the checks that need no stack, so a bad name or config
 * fails even when no stack runs. Returns S3's (quoted) ETag, by which the build job of this exact object is found.
 */
export async function uploadToDataset(targetOf: () => StackTarget, upload: DatasetUpload): Promise<UploadResult> {
  const destination = uploadDestination(upload);
  if (upload.size > MAX_UPLOAD_BYTES)
    throw new UserInputError(
      `${upload.where.source} is ${upload.size} bytes, over the ${MAX_UPLOAD_BYTES} byte limit of one S3 PutObject`,
      upload.where.source,
      'Split the interactions into several files under the same dataset; every file is read by the build.',
    );
  if (destination.kind === 'config' && upload.size > MAX_CONFIG_BYTES)
    throw new UserInputError(
      `${upload.where.source} is ${upload.size} bytes; a config.json may have at most ${MAX_CONFIG_BYTES}`,
      upload.where.source,
      MODEL_CONFIG_HINT,
    );
  // A config is read whole and checked before anything reaches the bucket; data streams through.
  const config = destination.kind === 'config' ? await readConfig(upload) : undefined;
  const target = targetOf();
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      upload.onProgress?.(sent);
      callback(null, chunk);
    },
  });
  const response = await s3ClientFor(target).send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: destination.key,
      Body: config ?? upload.open().pipe(counter),
      ContentLength: upload.size,
    }),
  );
  return { bucket: target.bucket, key: destination.key, eTag: response.ETag, kind: destination.kind };
}

/** The object key, and whether the build treats it as interaction data, the catalogue or the dataset's config. */
function uploadDestination({ dataset, name, where }: DatasetUpload): { key: string; kind: UploadKind } {
  // Checked first: with a '/' in it, the build would read the key as another dataset's file.
  if (dataset.includes('/') || dataset === '')
    throw new UserInputError(`dataset name '${dataset}' must be non-empty and contain no '/'`, where.dataset);
  const key = uploadKey(dataset, name);
  const classified = parseUploadKey(key);
  if (classified.kind === 'ignored')
    throw new UserInputError(
      `${key} would start no build: ${classified.reason}`,
      where.name,
      `Use a dataset name of at most ${MAX_DATASET_BYTES} UTF-8 bytes and a file name that does not end in '/'.`,
    );
  return { key, kind: classified.kind };
}

/** The checks the build would make when it reads the config, made now, while the user is still there. */
async function readConfig(upload: DatasetUpload): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of upload.open()) chunks.push(Buffer.from(chunk as Buffer));
  const bytes = Buffer.concat(chunks);
  if (bytes.length !== upload.size)
    throw new UserInputError(
      `${upload.where.source} had ${bytes.length} bytes, not the ${upload.size} announced`,
      upload.where.source,
      'Send the whole file, with its exact length.',
    );
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new UserInputError(
      `${upload.where.source} is not valid JSON: ${(error as Error).message}`,
      upload.where.source,
      MODEL_CONFIG_HINT,
    );
  }
  parseModelConfig(json, upload.where.source);
  return bytes;
}
