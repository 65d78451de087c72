// The offline commands on a file with a pseudonymizeUsers config (functions/cli/id-hash-key-flag.ts): the key from
// --id-hash-key-file or ID_HASH_KEY, raw --user ids answered as the raw build answers them, pseudonyms only in what
// is printed, and no key -> a clear refusal. Expected pseudonyms come from node:crypto's HMAC directly.
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'affinity.mjs');
const dir = mkdtempSync(join(tmpdir(), 'affinity-cli-pseudonym-'));
const KEY = Buffer.alloc(32, 0x33);
const hmac = (id: string) => `p_${createHmac('sha256', KEY).update(id, 'utf8').digest('base64url')}`;

const RAW = ['ada@lovelace.org', 'alan.turing@bletchley', 'grace+hopper@navy.mil'];
const ratings = join(dir, 'ratings.csv');
writeFileSync(
  ratings,
  `user,item,rating\n${RAW[0]},a,5\n${RAW[0]},b,3\n${RAW[1]},a,4\n${RAW[1]},b,5\n${RAW[2]},b,4\n${RAW[2]},c,2\n`,
);
const plainConfig = join(dir, 'plain.json');
const privateConfig = join(dir, 'private.json');
writeFileSync(plainConfig, JSON.stringify({ model: 'user-knn', models: ['item', 'user'] }));
writeFileSync(privateConfig, JSON.stringify({ model: 'user-knn', models: ['item', 'user'], pseudonymizeUsers: true }));
const keyFile = join(dir, 'id-hash-key');
writeFileSync(keyFile, `${KEY.toString('base64')}\n`);

async function affinity(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, AFFINITY_DATA_DIR: dir, ID_HASH_KEY: '', ...env },
      cwd: dir,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('offline commands with pseudonymizeUsers', () => {
  it('recommend --user answers the raw id as the raw build does, with pseudonyms for users', async () => {
    const args = ['recommend', '--file', ratings, '--user', RAW[2], '--algorithm', 'user', '--json'];
    const plain = await affinity([...args, '--config', plainConfig]);
    const withFile = await affinity([...args, '--config', privateConfig, '--id-hash-key-file', keyFile]);
    const withEnv = await affinity([...args, '--config', privateConfig], { ID_HASH_KEY: KEY.toString('base64') });
    for (const run of [plain, withFile, withEnv]) expect(run.code, run.stderr).toBe(0);
    type Result = { items: { item: string; score: number; because: { id: string }[] }[] };
    const [p, f, e] = [plain, withFile, withEnv].map((run) => JSON.parse(run.stdout) as Result);
    expect(p.items.length).toBeGreaterThan(0);
    const scores = (r: Result) => r.items.map(({ item, score }) => ({ item, score }));
    expect(scores(f)).toEqual(scores(p));
    expect(e).toEqual(f);
    expect(f.items.map((i) => i.because.map((b) => b.id))).toEqual(
      p.items.map((i) => i.because.map((b) => hmac(b.id))),
    );
  });

  it('similar --user and export print pseudonyms, never the raw ids', async () => {
    const keyed = ['--config', privateConfig, '--id-hash-key-file', keyFile];
    const similar = await affinity(['similar', '--file', ratings, '--user', RAW[0], '--json', ...keyed]);
    expect(similar.code, similar.stderr).toBe(0);
    expect((JSON.parse(similar.stdout) as { id: string }[]).map((n) => n.id)).toEqual([hmac(RAW[1]), hmac(RAW[2])]);
    const out = join(dir, 'top.csv');
    const exported = await affinity(['export', ratings, '--out', out, '--algorithm', 'user', ...keyed]);
    expect(exported.code, exported.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    for (const user of RAW) {
      expect(text).toContain(hmac(user));
      expect(text).not.toContain(user);
    }
    const built = await affinity(['build', ratings, '--json', ...keyed]);
    expect(built.code, built.stderr).toBe(0);
    for (const user of RAW) expect(built.stdout).not.toContain(user);
  });

  it('refuses without a key, naming the option and where the key goes', async () => {
    const run = await affinity([
      'recommend',
      '--file',
      ratings,
      '--user',
      RAW[0],
      '--algorithm',
      'user',
      '--config',
      privateConfig,
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/pseudonymizeUsers, but no id hashing key was given/);
    expect(run.stderr).toMatch(/--id-hash-key-file/);
  });
});
