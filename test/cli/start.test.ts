// `affinity start` as the README's Quick start runs it (a child process on ephemeral ports): the demo dataset is
// built with both model kinds, so the originating method (user-based CF) and similar users answer out of the box.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
