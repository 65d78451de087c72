/**
 * Keeps the local stack's demo dataset equal to the demo this version of the CLI ships: its config, its catalogue
 * (titles and genres) and its typed events, and nothing else. A dataset is the union of its files, so a file left by
 * an earlier demo (e.g. the untyped `demo-ratings.csv`) would otherwise be merged in; it is deleted instead. Only
 * what differs is written (files compared by the MD5 that single-part uploads carry as their ETag), so a restart
 * with an up-to-date demo builds nothing.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CATALOGUE_FILES, configKey, uploadKey, UPLOADS_PREFIX } from '../adapters/bucket-layout.js';
import { DEMO_CONFIG, DEMO_DATASET } from './demo.js';

export interface DemoFiles {
  events: string;
  catalogue: string;
}

/** Returns the keys written or deleted ([] when the stack already had this demo). */
export async function syncDemoDataset(s3: S3Client, bucket: string, files: DemoFiles): Promise<string[]> {
  const wanted = new Map<string, Buffer>([
    [configKey(DEMO_DATASET), Buffer.from(JSON.stringify(DEMO_CONFIG))],
    [uploadKey(DEMO_DATASET, CATALOGUE_FILES[0]), readFileSync(files.catalogue)],
    [uploadKey(DEMO_DATASET, 'demo-events.csv'), readFileSync(files.events)],
  ]);
  const present = await listETags(s3, bucket, `${UPLOADS_PREFIX}${DEMO_DATASET}/`);
  const changed: string[] = [];
  const put = async (key: string, body: Buffer) => {
    if (present.get(key) === createHash('md5').update(body).digest('hex')) return;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    changed.push(key);
  };
  const [[config, configBody], ...data] = wanted;
  // The config first: it builds nothing and applies to the builds the deletions and uploads start.
  await put(config, configBody);
  for (const key of present.keys()) {
    if (wanted.has(key)) continue;
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    changed.push(key);
  }
  for (const [key, body] of data) await put(key, body);
  return changed;
}

async function listETags(s3: S3Client, bucket: string, prefix: string): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (object.Key) etags.set(object.Key, (object.ETag ?? '').replace(/"/g, ''));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return etags;
}
