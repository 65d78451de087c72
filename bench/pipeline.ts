/**
 * Local-stack benchmark: upload -> model live for synthetic files, then API latency under load.
 * Targets (issue "The pipeline end to end"): 100k ratings live in <= 5 s; p99 <= 25 ms with 0 errors at
 * 50 connections for 30 s.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ensureBenchFile, type DatasetSize } from './engine.js';
import { uploadKey } from '../functions/adapters/bucket-layout.js';
import { startBenchStack, type LocalStack } from './local-stack.js';

export interface UploadResult {
  ratings: number;
  fileMb: number;
  secondsToLive: number;
  jobTimings: Record<string, number>;
}

/** The same rows as one file and as many files (a dataset is the union of its files): build to live. */
export interface ManyFilesResult {
  ratings: number;
  files: number;
  /** First PUT to the active version holding every file (all uploads sent at once, 8 in flight). */
  secondsToLive: number;
  /** Build jobs that read files (the rest were coalesced into them or found nothing new). */
  builds: number;
  jobTimings: Record<string, number>;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

export async function benchPipeline(
  sizes: DatasetSize[],
  dataDir: string,
  load: { connections: number; seconds: number },
  manyFiles = 100,
): Promise<{ uploads: UploadResult[]; many: ManyFilesResult; load: LoadResult }> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const files = [];
  for (const size of sizes) files.push({ size, file: await ensureBenchFile(size, dataDir) });

  const { stack, s3, stop } = await startBenchStack('pipeline');
  try {
    const uploads: UploadResult[] = [];
    for (const { size, file } of files) {
      const dataset = `bench-${size.ratings}`;
      const body = readFileSync(file);
      const started = performance.now();
      await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: uploadKey(dataset, 'ratings.csv'), Body: body }));
      await stack.bridge.idle();
      const status = (await (await fetch(`${stack.apiUrl}/v1/datasets/${dataset}`)).json()) as {
        activeVersion?: string;
        latestJob?: { status: string; timings?: Record<string, number> };
      };
      const secondsToLive = (performance.now() - started) / 1000;
      if (!status.activeVersion)
        throw new Error(`dataset ${dataset} has no active model after its upload: ${JSON.stringify(status)}`);
      uploads.push({
        ratings: size.ratings,
        fileMb: body.length / 1e6,
        secondsToLive,
        jobTimings: status.latestJob?.timings ?? {},
      });
      console.error(`${dataset}: live after ${secondsToLive.toFixed(2)} s`);
    }

    const many = await uploadAsManyFiles(stack, s3, files[files.length - 1], manyFiles);
    console.error(
      `bench-many: ${many.files} files live after ${many.secondsToLive.toFixed(2)} s (${many.builds} builds)`,
    );

    // Load on the smallest dataset: personalised recommendations for many users, similar items, popular.
    const dataset = `bench-${sizes[0].ratings}`;
    const paths: string[] = [];
    for (let u = 0; u < 40; u++)
      paths.push(`/v1/datasets/${dataset}/users/u${(u * 37) % sizes[0].users}/recommendations?limit=10`);
    for (let i = 0; i < 10; i++) paths.push(`/v1/datasets/${dataset}/items/i${i * 13}/similar?limit=10`);
    // Asynchronous on purpose: the API server runs in this process and must keep serving while the child loads it.
    const fire = async (seconds: number) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, 'load-child.ts'),
          stack.apiUrl,
          String(load.connections),
          String(seconds),
          ...paths,
        ],
        { encoding: 'utf8', maxBuffer: 16 << 20 },
      );
      return JSON.parse(stdout) as LoadResult;
    };
    // A warm-up pass first, as a warm Lambda instance would have: its row cache holds the hot rows.
    await fire(5);
    return { uploads, many, load: await fire(load.seconds) };
  } finally {
    await stop();
  }
}

/** The largest file's rows cut into `parts` files (each with the header) under one dataset, uploaded at once. */
async function uploadAsManyFiles(
  stack: LocalStack,
  s3: S3Client,
  { size, file }: { size: DatasetSize; file: string },
  parts: number,
): Promise<ManyFilesResult> {
  const dataset = `bench-${size.ratings}-${parts}-files`;
  const [header, ...rows] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const per = Math.ceil(rows.length / parts);
  const bodies = Array.from(
    { length: parts },
    (_, k) => `${header}\n${rows.slice(k * per, (k + 1) * per).join('\n')}\n`,
  );
  const started = performance.now();
  let next = 0;
  const sender = async () => {
    for (let k = next++; k < parts; k = next++) {
      const key = uploadKey(dataset, `interactions/part-${String(k).padStart(4, '0')}.csv`);
      await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: bodies[k] }));
    }
  };
  await Promise.all(Array.from({ length: 8 }, sender));
  await stack.bridge.idle();
  const status = (await (await fetch(`${stack.apiUrl}/v1/datasets/${dataset}`)).json()) as {
    activeVersion?: string;
    versions: { version: string; sources?: { files: number }; stats: { ratings: number } }[];
  };
  const secondsToLive = (performance.now() - started) / 1000;
  const active = status.versions.find((v) => v.version === status.activeVersion);
  if (active?.sources?.files !== parts || active.stats.ratings !== rows.length) {
    throw new Error(`dataset ${dataset} is not live with all ${parts} files: ${JSON.stringify(active)}`);
  }
  const jobs = (await (await fetch(`${stack.apiUrl}/v1/datasets/${dataset}/jobs?limit=100`)).json()) as {
    jobs: { version?: string; status: string; timings?: Record<string, number> }[];
  };
  const built = jobs.jobs.filter((job) => job.timings?.parse !== undefined);
  const last = jobs.jobs.find((job) => job.version === status.activeVersion && job.timings?.parse !== undefined);
  return { ratings: rows.length, files: parts, secondsToLive, builds: built.length, jobTimings: last?.timings ?? {} };
}
