// `affinity purge-user` against the real local stack (s3rver, the S3 event bridge and the build): after the purge no
// source object holds a row of the user (each object parsed on its own, by the build's reader), every other row is
// byte for byte as uploaded, the upload order (and so the newest snapshot) is what it was, the catalogue and config
// are untouched, and the build the rewrite starts publishes a version without the user. A file the purge cannot
// read, or would break, stops it before anything is written. Also the command itself, as a child process.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listObjects } from '../../functions/adapters/s3-objects.js';
import { listSources } from '../../functions/cli/purge-sources.js';
import { purgeUsers } from '../../functions/cli/purge-run.js';
import { loadRatings } from '../../functions/engine/ingest/index.js';
import { UserInputError } from '../../functions/engine/types.js';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

let env: PipelineStack;
beforeAll(async () => {
  env = await startPipelineStack();
});
afterAll(async () => {
  await env?.stop();
});

async function bytesOf(key: string): Promise<Buffer> {
  const response = await env.s3.send(new GetObjectCommand({ Bucket: env.stack.bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}
const textOf = async (key: string) => {
  const bytes = await bytesOf(key);
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
};
const eTags = async (prefix: string) =>
  new Map((await listObjects(env.s3, env.stack.bucket, prefix)).map((o) => [o.key, o.eTag]));

// Each file as uploaded, and as it must read after alice is purged (written out by hand). S3 (and s3rver) list
// times in whole seconds, and files of one second go by key: group 2 is uploaded a second after group 1, and holds
// keys that sort before group 1's, among them the newest snapshot (s0, newer than s1 though its key is smaller).
interface SourceFile {
  key: string;
  body: string;
  group: 1 | 2;
  gzip?: boolean;
  /** null: deleted (no record left). */
  after: string | null;
}
const FILES: SourceFile[] = [
  {
    key: 'uploads/pg/2026-01-01.csv',
    group: 1,
    body: '\uFEFFuser,item,rating\r\nalice,a,5\r\nbob,"b\r\nwith a break",4\r\n"alice",c,3\r\ncarol,a,2\r\n',
    after: '\uFEFFuser,item,rating\r\nbob,"b\r\nwith a break",4\r\ncarol,a,2\r\n',
  },
  {
    key: 'uploads/pg/interactions/2026-01-02.tsv.gz',
    group: 1,
    body: 'bob\tc\t5\t100\nalice\tb\t4\t101\ncarol\tc\t1\t102',
    gzip: true,
    after: 'bob\tc\t5\t100\ncarol\tc\t1\t102',
  },
  { key: 'uploads/pg/only-alice.csv', group: 1, body: 'user,item\nalice,z\n', after: null },
  {
    key: 'events/pg/20260101T000000.000Z_20260102T000000.000Z.jsonl',
    group: 1,
    body: '{"user":"alice","item":"e","value":1,"timestamp":"2026-01-01T00:00:01.000Z","type":null,"receivedAt":"2026-01-01T00:00:01.000Z","eventId":"e1","n":1}\n{"user":"dave","item":"e","value":1,"timestamp":"2026-01-01T00:00:02.000Z","type":null,"receivedAt":"2026-01-01T00:00:02.000Z","eventId":"e2","n":1}\n',
    after:
      '{"user":"dave","item":"e","value":1,"timestamp":"2026-01-01T00:00:02.000Z","type":null,"receivedAt":"2026-01-01T00:00:02.000Z","eventId":"e2","n":1}\n',
  },
  {
    key: 'uploads/pg/snapshot/s1.csv',
    group: 1,
    body: 'user,item,rating\nalice,a,1\nbob,a,1\n',
    after: 'user,item,rating\nbob,a,1\n',
  },
  {
    key: 'uploads/pg/a-later.jsonl',
    group: 2,
    body: '{"user":"bob","item":"d"}\n',
    after: '{"user":"bob","item":"d"}\n',
  },
  {
    key: 'uploads/pg/snapshot/s0.csv',
    group: 2,
    body: 'user,item,rating\nbob,a,4\nalice,b,5\ncarol,b,3\nbob,b,2\n',
    after: 'user,item,rating\nbob,a,4\ncarol,b,3\nbob,b,2\n',
  },
];
/** Upload order as the build sees it: by second, then key. */
const ORDER = [...FILES].sort((a, b) => a.group - b.group || (a.key < b.key ? -1 : 1)).map((f) => f.key);

async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 50));
}

describe('purging alice from a dataset of every kind of source', () => {
  beforeAll(async () => {
    await env.upload('uploads/pg/config.json', '{"k":10}');
    await env.upload('uploads/pg/items.csv', 'item,title\na,Alice in Wonderland\nb,B\n');
    for (const group of [1, 2]) {
      await nextSecond();
      const files = FILES.filter((f) => f.group === group);
      for (const file of files) await env.put(file.key, file.gzip ? gzipSync(file.body) : file.body);
    }
    await env.stack.bridge.idle();
    expect((await listSources(env.s3, env.stack.bucket, 'pg')).map((o) => o.key)).toEqual(ORDER);
  });

  it('a dry run reads everything, writes nothing and says what it would do', async () => {
    const before = [...(await eTags('uploads/pg/')), ...(await eTags('events/pg/'))];
    const report = await purgeUsers(env.s3, env.stack.bucket, {
      dataset: 'pg',
      users: new Set(['alice']),
      dryRun: true,
    });
    expect([...(await eTags('uploads/pg/')), ...(await eTags('events/pg/'))]).toEqual(before);
    expect(report.files.map((f) => [f.key, f.action, f.removed])).toEqual([
      ['events/pg/20260101T000000.000Z_20260102T000000.000Z.jsonl', 'rewrite', 1],
      ['uploads/pg/2026-01-01.csv', 'rewrite', 2],
      ['uploads/pg/interactions/2026-01-02.tsv.gz', 'rewrite', 1],
      ['uploads/pg/only-alice.csv', 'delete', 1],
      ['uploads/pg/snapshot/s1.csv', 'rewrite', 1],
      ['uploads/pg/a-later.jsonl', 'reorder', 0],
      ['uploads/pg/snapshot/s0.csv', 'rewrite', 1],
    ]);
    expect(report.files.every((f) => !f.done)).toBe(true);
  });

  it('leaves no row of alice in any source, every other byte as it was, the order and the other objects kept', async () => {
    const untouched = await eTags('uploads/pg/items.csv');
    const config = await eTags('uploads/pg/config.json');
    // a-later.jsonl sorts before s1.csv by key: it must land in a later second than s1's rewrite (the purge waits
    // when needed; whether it must depends on where the second boundaries fall, so see purge-faults.test.ts).
    const report = await purgeUsers(env.s3, env.stack.bucket, { dataset: 'pg', users: new Set(['alice', 'nobody']) });
    expect(report.files.every((f) => f.done)).toBe(true);
    expect(report.versions?.versioning).toBe('never enabled');
    expect(report.buildTriggers).toBe(6); // every write under uploads/ (events/ start no build)

    for (const file of FILES) {
      const listed = (await listObjects(env.s3, env.stack.bucket, file.key)).find((o) => o.key === file.key);
      if (file.after === null) {
        expect(listed, `${file.key} is deleted`).toBeUndefined();
        continue;
      }
      expect(await textOf(file.key), file.key).toBe(file.after);
      const stored = await bytesOf(file.key);
      expect(stored[0] === 0x1f && stored[1] === 0x8b, `${file.key} stays gzip`).toBe(!!file.gzip);
      // Each object on its own, through the build's reader: no row of alice.
      const { matrix } = await loadRatings(Readable.from([stored]), { fileName: file.key });
      expect(matrix.users.indexOf('alice'), file.key).toBeUndefined();
    }
    expect((await listSources(env.s3, env.stack.bucket, 'pg')).map((o) => o.key)).toEqual(
      ORDER.filter((key) => key !== 'uploads/pg/only-alice.csv'),
    );
    expect(await eTags('uploads/pg/items.csv')).toEqual(untouched);
    expect(await eTags('uploads/pg/config.json')).toEqual(config);
  });

  it('the build the rewrite started publishes a version without alice, from the newest snapshot still', async () => {
    await env.stack.bridge.idle();
    expect(env.stack.bridge.failed).toEqual([]);
    const manifest = (await env.store.getManifest('pg'))!;
    const active = manifest.versions.find((v) => v.version === manifest.activeVersion)!;
    // The newest snapshot replaces the uploads, not the folded live events (read as one more source).
    expect(active.sources?.listed.map((s) => s.key).sort()).toEqual(
      ['uploads/pg/snapshot/s0.csv', 'events/pg/20260101T000000.000Z_20260102T000000.000Z.jsonl'].sort(),
    );
    const histories = await env.store.getUserHistories('pg', active.version, ['alice', 'bob', 'carol', 'dave']);
    expect(histories.get('alice') ?? []).toEqual([]);
    expect((histories.get('dave') ?? []).map((h) => h.item)).toEqual(['e']);
    expect((histories.get('bob') ?? []).map((h) => h.item).sort()).toEqual(['a', 'b']);
  });

  it('a second run finds nothing to remove and rewrites nothing', async () => {
    const before = await eTags('uploads/pg/');
    const report = await purgeUsers(env.s3, env.stack.bucket, { dataset: 'pg', users: new Set(['alice']) });
    expect(report.files.map((f) => f.action)).toEqual(Array(FILES.length - 1).fill('unchanged'));
    expect(await eTags('uploads/pg/')).toEqual(before);
  });
});

describe('stopping before anything is written', () => {
  it('a file whose user column cannot be found is an error naming it', async () => {
    await env.put('uploads/bad/a.csv', 'user,item\nalice,a\nbob,b\n');
    await env.put('uploads/bad/b.jsonl', '{"who":"alice","item":"a"}\n');
    await env.stack.bridge.idle();
    const before = await eTags('uploads/bad/');
    const error = await purgeUsers(env.s3, env.stack.bucket, { dataset: 'bad', users: new Set(['alice']) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toContain('uploads/bad/b.jsonl');
    expect(await eTags('uploads/bad/')).toEqual(before);
  });

  it('a file the build would read differently once the user is gone (its first record decides its columns)', async () => {
    // alice's row is the first (4 fields: the file has timestamps); carol's next has 3 (rejected, 1 in 12).
    const rows = Array.from({ length: 10 }, (_, k) => `bob,i${k},4,${100 + k}`).join('\n');
    await env.put('uploads/shape/a.csv', `alice,a,5,100\ncarol,b,4\n${rows}\n`);
    await env.stack.bridge.idle();
    const before = await eTags('uploads/shape/');
    const error = await purgeUsers(env.s3, env.stack.bucket, { dataset: 'shape', users: new Set(['alice']) }).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toMatch(
      /nothing was written.*uploads\/shape\/a\.csv: its first record would change how the build reads the rest/s,
    );
    expect(await eTags('uploads/shape/')).toEqual(before);
  });
});

describe('the command', () => {
  const BIN = join(import.meta.dirname, '..', '..', 'bin', 'affinity.mjs');
  const run = async (args: string[], dir: string) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
        env: { ...process.env, AFFINITY_DATA_DIR: dir },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('purges through the local stack it finds, prints the report, and exits 2 on a mistake', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'affinity-purge-cli-'));
    const { apiUrl, bucket, region, s3Endpoint } = env.stack;
    writeFileSync(join(dir, 'stack.json'), JSON.stringify({ apiUrl, bucket, region, s3Endpoint, local: true }));
    await env.put('uploads/cmd/a.csv', 'user,item\nzoe,a\nyan,b\n');
    writeFileSync(join(dir, 'users.txt'), 'zoe\r\n\r\n');
    const text = await run(['purge-user', '--dataset', 'cmd', '--users-file', join(dir, 'users.txt')], dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('uploads/cmd/a.csv: 1 row(s) removed, 22 → 16 bytes, rewritten');
    expect(text.stdout).toContain('Old versions: none kept (bucket versioning: never enabled)');
    expect(await textOf('uploads/cmd/a.csv')).toBe('user,item\nyan,b\n');
    const json = await run(['purge-user', '--dataset', 'cmd', '--user', 'yan', '--dry-run', '--json'], dir);
    expect(JSON.parse(json.stdout)).toMatchObject({ dryRun: true, files: [{ action: 'delete', removed: 1 }] });
    const mistake = await run(['purge-user', '--dataset', 'cmd'], dir);
    expect(mistake.code).toBe(2);
    expect(mistake.stderr).toContain('no user to purge');
    await env.stack.bridge.idle();
  });
});
