// `affinity start` as the README's Quick start runs it (a child process on ephemeral ports): the demo dataset is
// built with both model kinds, so the originating method (user-based CF) and similar users answer out of the box;
// it carries its catalogue (titles and genres, checked against the generated file read with csv-parse) and its
// typed events, and a restart removes files an earlier demo left in the dataset.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../functions/local/defaults.js';
import { startAffinity, type RunningStack } from '../support/affinity-start.js';

const dataDir = mkdtempSync(join(tmpdir(), 'affinity-start-'));
let stack: RunningStack | undefined;

beforeAll(async () => {
  stack = await startAffinity(dataDir);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const get = async (path: string) => {
  const response = await fetch(`${stack!.apiUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('affinity start: the demo dataset', () => {
  it('is built with the item and the user model', async () => {
    const { status, body } = await get('/v1/datasets/demo');
    expect(status).toBe(200);
    const versions = body.versions as { version: string; options: { models: string[] } }[];
    const active = versions.find((info) => info.version === body.activeVersion);
    expect(active?.options.models).toEqual(['item', 'user']);
  });

  it('answers user-based recommendations for a known user, explained by similar users', async () => {
    const { status, body } = await get('/v1/datasets/demo/users/u1/recommendations?limit=5&algorithm=user');
    expect(status).toBe(200);
    expect(body.algorithm).toBe('user');
    expect(body.fallback).toBeUndefined();
    const items = body.items as { because: { kind: string }[] }[];
    expect(items).toHaveLength(5);
    for (const item of items) expect(item.because.every((entry) => entry.kind === 'user')).toBe(true);
  });

  it('lists similar users', async () => {
    const { status, body } = await get('/v1/datasets/demo/users/u1/similar?limit=5');
    expect(status).toBe(200);
    expect((body.similar as unknown[]).length).toBe(5);
  });
});

describe('affinity start: the demo catalogue and files', () => {
  const catalogue = () =>
    new Map(
      (
        parse(readFileSync(join(dataDir, 'demo', 'demo-items.csv')), { columns: true }) as {
          item: string;
          title: string;
          genres: string;
        }[]
      ).map((row) => [row.item, row]),
    );

  it("serves an item's catalogue entry: its title and genres as categories", async () => {
    const expected = catalogue().get('i1')!;
    const { status, body } = await get('/v1/datasets/demo/items/i1');
    expect(status).toBe(200);
    expect(JSON.stringify(body)).toContain(JSON.stringify(expected.title));
    for (const genre of expected.genres.split('|')) expect(JSON.stringify(body)).toContain(JSON.stringify(genre));
  });

  it('returns titles with recommendations when asked (fields=title)', async () => {
    const titles = catalogue();
    const { status, body } = await get('/v1/datasets/demo/users/u1/recommendations?limit=5&fields=title');
    expect(status).toBe(200);
    const items = body.items as { item: string; title?: string }[];
    expect(items).toHaveLength(5);
    for (const item of items) expect(item.title).toBe(titles.get(item.item)!.title);
  });

  it('is built from its typed events alone; a restart deletes a file an earlier demo left', async () => {
    const s3 = new S3Client({
      endpoint: stack!.s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
    });
    await s3.send(
      new PutObjectCommand({ Bucket: stack!.bucket, Key: 'uploads/demo/demo-ratings.csv', Body: 'user,item\nu1,i2\n' }),
    );
    s3.destroy();
    await stack!.stop();
    stack = await startAffinity(dataDir);
    expect(stack.output()).toMatch(/loading the demo dataset .*uploads\/demo\/demo-ratings\.csv/);
    const { body } = await get('/v1/datasets/demo');
    const versions = body.versions as { version: string; sources?: { listed: { key: string }[] } }[];
    const active = versions.find((info) => info.version === body.activeVersion);
    expect(active?.sources?.listed.map((file) => file.key)).toEqual(['uploads/demo/demo-events.csv']);
  }, 60_000);
});
