// `affinity start` as the README's Quick start runs it (a child process on ephemeral ports): the demo dataset is
// built with both model kinds, so the originating method (user-based CF) and similar users answer out of the box.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'affinity.mjs');
const dataDir = mkdtempSync(join(tmpdir(), 'affinity-start-'));
let child: ChildProcess;
let apiUrl: string;

beforeAll(async () => {
  child = spawn(process.execPath, [BIN, 'start', '--api-port', '0', '--s3-port', '0', '--dynamo-port', '0'], {
    env: { ...process.env, AFFINITY_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`affinity start printed no welcome in 50 s:\n${output}`)), 50_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      // The welcome is printed once the demo upload has been built.
      if (output.includes('Affinity is running locally')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('exit', (code) => reject(new Error(`affinity start exited with ${code}:\n${output}`)));
  });
  apiUrl = (JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as { apiUrl: string }).apiUrl;
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const get = async (path: string) => {
  const response = await fetch(`${apiUrl}${path}`);
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
