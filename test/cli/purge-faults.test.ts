// `affinity purge-user` on a versioned bucket and under concurrent writers, which the local s3rver cannot show (it
// keeps no versions and ignores If-Match on writes): an in-memory versioned bucket behind an SDK client mock
// (test/support/fake-versioned-bucket.ts). Old versions that hold the user are deleted, the others kept; an object
// changed between the purge's read and its write is read again; one that keeps changing stops the purge, naming
// it and what was done; files written in the same second still list in upload order.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listSources } from '../../functions/cli/purge-sources.js';
import { MAX_ATTEMPTS, PurgeStoppedError, purgeUsers } from '../../functions/cli/purge-run.js';
import { purgeUserCommand } from '../../functions/cli/purge-user.js';
import { loadRatings } from '../../functions/engine/ingest/index.js';
import { UserInputError } from '../../functions/engine/types.js';
import { FakeVersionedBucket } from '../support/fake-versioned-bucket.js';

const alice = new Set(['alice']);
const noWait = async () => undefined;
let bucket: FakeVersionedBucket;
afterEach(() => bucket?.mock.restore());

/** Whether a stored body holds a row of alice, read on its own by the build's reader. */
async function holdsAlice(key: string, body: Buffer): Promise<boolean> {
  const { matrix } = await loadRatings(Readable.from([body]), { fileName: key, maxRejectedShare: 1 });
  return matrix.users.indexOf('alice') !== undefined;
}

describe('old versions in a versioned bucket', () => {
  function setUp() {
    bucket = new FakeVersionedBucket();
    const v = {
      aOld: bucket.put('uploads/d/a.csv', 'user,item\nalice,a\nbob,b\n'),
      aCurrent: bucket.put('uploads/d/a.csv', 'user,item\nalice,a\nbob,b\ncarol,c\n'),
      gone: bucket.put('uploads/d/gone.csv', 'user,item\nalice,z\n'),
      keptOld: bucket.put('uploads/d/other.csv', 'user,item\ndan,q\n'),
      keptNew: bucket.put('uploads/d/other.csv', 'user,item\ndan,q\nerin,r\n'),
      events: bucket.put(
        'events/d/20260101T000000.000Z_20260102T000000.000Z.jsonl',
        '{"user":"alice","item":"x","value":1,"timestamp":"2026-01-01T00:00:01.000Z","type":null,"receivedAt":"2026-01-01T00:00:01.000Z","eventId":"e1","n":1}\n{"user":"bob","item":"y","value":1,"timestamp":"2026-01-01T00:00:02.000Z","type":null,"receivedAt":"2026-01-01T00:00:02.000Z","eventId":"e2","n":1}\n',
      ),
      config: bucket.put('uploads/d/config.json', '{"k":5}'),
    };
    bucket.put('uploads/d/config.json', '{"k":6}');
    // gone.csv deleted (a delete marker): not listed, but its old version still holds alice.
    bucket.remove('uploads/d/gone.csv');
    return v;
  }

  it('deletes every old version that holds the user, keeps the others, and no copy of alice is left', async () => {
    const v = setUp();
    const report = await purgeUsers(bucket.client, 'bucket', { dataset: 'd', users: alice, sleep: noWait });
    expect(report.versions?.versioning).toBe('enabled');
    const deleted = report.versions!.deleted.map((d) => `${d.key}@${d.versionId}`).sort();
    expect(deleted).toEqual(
      [
        `uploads/d/a.csv@${v.aOld.versionId}`,
        `uploads/d/a.csv@${v.aCurrent.versionId}`, // became old when the purge rewrote a.csv
        `uploads/d/gone.csv@${v.gone.versionId}`,
        `events/d/20260101T000000.000Z_20260102T000000.000Z.jsonl@${v.events.versionId}`,
      ].sort(),
    );
    expect(report.versions!.unread).toEqual([]);
    // Every version left of every source, each read on its own: none holds alice.
    for (const [key, versions] of bucket.versions) {
      if (key.endsWith('config.json')) continue;
      for (const version of versions) {
        if (version.body) expect(await holdsAlice(key, version.body), `${key}@${version.versionId}`).toBe(false);
      }
    }
    expect(bucket.versions.get('uploads/d/other.csv')!.map((x) => x.versionId)).toContain(v.keptOld.versionId);
    expect(bucket.versions.get('uploads/d/config.json')!.map((x) => x.versionId)).toContain(v.config.versionId);
    expect(bucket.text('uploads/d/a.csv')).toBe('user,item\nbob,b\ncarol,c\n');
  });

  it('a dry run deletes nothing and names the old versions it would delete', async () => {
    const v = setUp();
    const report = await purgeUsers(bucket.client, 'bucket', { dataset: 'd', users: alice, dryRun: true });
    expect(bucket.mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(bucket.mock.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    expect(report.versions!.deleted.map((d) => d.versionId).sort()).toEqual(
      [v.aOld.versionId, v.gone.versionId].sort(),
    );
  });

  it('--keep-old-versions leaves them, and an old version the purge cannot read fails the command', async () => {
    setUp();
    const kept = await purgeUsers(bucket.client, 'bucket', { dataset: 'd', users: alice, keepOldVersions: true });
    expect(kept.versions).toBeUndefined();
    expect(bucket.mock.commandCalls(DeleteObjectCommand).filter((c) => c.args[0].input.VersionId)).toHaveLength(0);
    bucket.mock.restore();

    // Through the command, as an operator runs it against a deployed stack (every S3 client is the fake).
    bucket = new FakeVersionedBucket({ everyClient: true });
    bucket.put('uploads/e/a.csv', '{"who":"alice"}\n'); // an old upload no config reads
    bucket.put('uploads/e/a.csv', 'user,item\nalice,a\nbob,b\n');
    const dir = mkdtempSync(join(tmpdir(), 'affinity-purge-'));
    const outputs = join(dir, 'outputs.json');
    const apiUrl = 'https://abc.execute-api.eu-west-1.amazonaws.com/';
    writeFileSync(outputs, JSON.stringify({ Affinity: { ApiUrl: apiUrl, BucketName: 'bucket' } }));
    const print = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const flags = { dataset: 'e', user: ['alice'], stackOutputs: outputs };
    const error = await purgeUserCommand(flags, dir).catch((e: unknown) => e);
    print.mockRestore();
    stderr.mockRestore();
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toMatch(/1 old version\(s\) could not be read.*uploads\/e\/a\.csv/);
    expect(bucket.text('uploads/e/a.csv')).toBe('user,item\nbob,b\n');
  });
});

describe('concurrent writers', () => {
  it('an object changed after it was read is read again, and the rewrite is of what it holds now', async () => {
    bucket = new FakeVersionedBucket();
    bucket.put('uploads/d/a.csv', 'user,item\nalice,a\nbob,b\n');
    let changed = false;
    bucket.beforeWrite = (command, key) => {
      if (changed || command !== 'put' || key !== 'uploads/d/a.csv') return;
      changed = true;
      bucket.put(key, 'user,item\nalice,a\nbob,b\nalice,late\nfrank,f\n');
    };
    const report = await purgeUsers(bucket.client, 'bucket', { dataset: 'd', users: alice, sleep: noWait });
    expect(bucket.text('uploads/d/a.csv')).toBe('user,item\nbob,b\nfrank,f\n');
    const puts = bucket.mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.IfMatch);
    expect(puts).toHaveLength(2);
    expect(puts[0]).not.toBe(puts[1]); // the second is conditional on the object as changed
    expect(report.files[0]).toMatchObject({ action: 'rewrite', removed: 2, done: true });
    // The object's headers and metadata are written back as read.
    expect(bucket.mock.commandCalls(PutObjectCommand)[1].args[0].input).toMatchObject({
      ContentType: 'text/csv',
      CacheControl: 'no-cache',
      Metadata: { source: 'crm-export' },
    });
  });

  it('a change between the plan and the write is seen, with If-Match and without (a store that ignores it)', async () => {
    for (const ignore of [false, true]) {
      bucket?.mock.restore();
      bucket = new FakeVersionedBucket();
      bucket.ignoreIfMatchOnGet = ignore;
      bucket.put('uploads/d/a.csv', 'user,item\nalice,a\nbob,b\n');
      let gets = 0;
      bucket.afterGet = (key) => {
        if (++gets === 1) bucket.put(key, 'user,item\nbob,b\nalice,c\ngina,g\n'); // right after the plan's read
      };
      await purgeUsers(bucket.client, 'bucket', { dataset: 'd', users: alice, sleep: noWait });
      expect(bucket.text('uploads/d/a.csv'), `ignoreIfMatch ${ignore}`).toBe('user,item\nbob,b\ngina,g\n');
    }
  });

  it('an object that keeps changing stops the purge, naming it and what was and was not done', async () => {
    bucket = new FakeVersionedBucket();
    bucket.put('uploads/d/0.csv', 'user,item\nalice,a\nbob,b\n');
    bucket.put('uploads/d/a.csv', 'user,item\nalice,a\nbob,b\n');
    bucket.put('uploads/d/z.csv', 'user,item\nalice,z\ncarl,z\n');
    let n = 0;
    bucket.beforeWrite = (command, key) => {
      if (key === 'uploads/d/a.csv') bucket.put(key, `user,item\nalice,a\nbob,b\nhal,${++n}\n`);
    };
    const error = (await purgeUsers(bucket.client, 'bucket', { dataset: 'd', users: alice, sleep: noWait }).catch(
      (e: unknown) => e,
    )) as PurgeStoppedError;
    expect(error).toBeInstanceOf(PurgeStoppedError);
    expect(error.message).toContain('the purge stopped at uploads/d/a.csv');
    expect(error.message).toContain('done (1): uploads/d/0.csv');
    expect(error.message).toContain('not done (2): uploads/d/a.csv, uploads/d/z.csv');
    expect(error.report.files.map((f) => [f.key, f.done])).toEqual([
      ['uploads/d/0.csv', true],
      ['uploads/d/a.csv', false],
      ['uploads/d/z.csv', false],
    ]);
    expect(n).toBe(MAX_ATTEMPTS);
    expect(bucket.text('uploads/d/0.csv')).toBe('user,item\nbob,b\n');
    expect(bucket.text('uploads/d/z.csv')).toBe('user,item\nalice,z\ncarl,z\n'); // never reached: untouched
  });
});

describe('upload order when writes land in the same second', () => {
  it('a file whose key sorts first waits for the next second, so the order is what it was', async () => {
    bucket = new FakeVersionedBucket();
    bucket.put('uploads/d/b.csv', 'user,item\nalice,a\nbob,b\n');
    bucket.put('uploads/d/a.csv', 'user,item\ncarl,c\n'); // later upload, smaller key
    const before = (await listSources(bucket.client, 'bucket', 'd')).map((o) => o.key);
    expect(before).toEqual(['uploads/d/b.csv', 'uploads/d/a.csv']);
    bucket.tickMs = 0; // every write of the purge in the same second, unless it waits
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      bucket.advance(1000);
    };
    const report = await purgeUsers(bucket.client, 'bucket', { dataset: 'd', users: alice, sleep });
    expect(report.files.map((f) => f.action)).toEqual(['rewrite', 'reorder']);
    expect(waits.length).toBeGreaterThan(0);
    expect((await listSources(bucket.client, 'bucket', 'd')).map((o) => o.key)).toEqual(before);
  });
});
