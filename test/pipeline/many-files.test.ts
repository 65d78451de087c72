// A dataset that is many files (issue 9, section 1), end to end on the local stack: a burst of 30 files copied at
// once gives at most two builds and a model with every file; deleting a file removes its rows; replacing a file
// under its key replaces its rows; duplicates across files follow the rule; snapshot/ replaces everything else.
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsOf, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

let env: PipelineStack;

beforeAll(async () => {
  // Builds run concurrently, as Lambda runs them: what the dataset build lease must coalesce.
  env = await startPipelineStack({ bridgeConcurrency: 4 });
});
afterAll(async () => {
  await env?.stop();
});

const DAYS = 30;
const dayKey = (day: number) => `uploads/burst/interactions/2026-12-${String(day).padStart(2, '0')}.csv`;
/** Day d: two users of its own, each on two of five shared items. */
const dayFile = (day: number) =>
  `user,item,rating\nd${day}-a,i${day % 5},4\nd${day}-a,i${(day + 1) % 5},3\nd${day}-b,i${(day + 2) % 5},5\nd${day}-b,i${day % 5},2\n`;

async function activeState(dataset: string) {
  const manifest = await env.store.getManifest(dataset);
  const active = manifest!.versions.find((v) => v.version === manifest!.activeVersion)!;
  return { manifest: manifest!, active };
}

async function usersIn(dataset: string, version: string, users: string[]): Promise<string[]> {
  const histories = await env.store.getUserHistories(dataset, version, users);
  return users.filter((user) => (histories.get(user) ?? []).length > 0);
}

async function reportsOf(dataset: string): Promise<number> {
  const page = await env.s3.send(new ListObjectsV2Command({ Bucket: env.stack.bucket, Prefix: `reports/${dataset}/` }));
  return page.KeyCount ?? 0;
}

const allUsers = (days: number[]) => days.flatMap((day) => [`d${day}-a`, `d${day}-b`]);
const days = Array.from({ length: DAYS }, (_, k) => k + 1);

describe('a dataset of many files', () => {
  it('30 files put at once: at most two builds, and the active model has every user of every file', async () => {
    await Promise.all(
      days.map((day) =>
        env.s3.send(new PutObjectCommand({ Bucket: env.stack.bucket, Key: dayKey(day), Body: dayFile(day) })),
      ),
    );
    await env.stack.bridge.idle();
    expect(env.stack.bridge.failed).toEqual([]);

    // Each build that read files wrote one report; the others found the state already built (or queued).
    expect(await reportsOf('burst')).toBeLessThanOrEqual(2);
    const { active } = await activeState('burst');
    expect(active.sources).toMatchObject({ files: DAYS, rows: DAYS * 4 });
    expect(active.sources!.listed.map((s) => s.key).sort()).toEqual(days.map(dayKey).sort());
    expect(await usersIn('burst', active.version, allUsers(days))).toEqual(allUsers(days));
    const jobs = await jobsOf(env, 'burst', 100);
    expect(jobs).toHaveLength(DAYS);
    expect(jobs.map((job) => job.status)).toEqual(Array(DAYS).fill('succeeded'));
    // How each job ended: its own build, included in the build after a running one, or already built.
    const how = (job: { message?: string }) =>
      /Built together/.test(job.message ?? '') ? 'queued' : /unchanged/.test(job.message ?? '') ? 'unchanged' : 'built';
    const ways = jobs.map((job) => how(job as { message?: string }));
    expect(ways.filter((way) => way === 'built').length).toBeLessThanOrEqual(2);
  });

  it('deleting one file: the next model has none of its rows', async () => {
    await env.s3.send(new DeleteObjectCommand({ Bucket: env.stack.bucket, Key: dayKey(7) }));
    await env.stack.bridge.idle();
    const { active } = await activeState('burst');
    expect(active.sources).toMatchObject({ files: DAYS - 1 });
    expect(await usersIn('burst', active.version, allUsers([7]))).toEqual([]);
    const rest = days.filter((day) => day !== 7);
    expect(await usersIn('burst', active.version, allUsers(rest))).toEqual(allUsers(rest));
  });

  it('re-uploading a changed file under its key: its new rows replace the old', async () => {
    await env.upload(dayKey(8), 'user,item,rating\nreplaced,i1,5\nreplaced,i2,4\n');
    const { active } = await activeState('burst');
    expect(active.sources).toMatchObject({ files: DAYS - 1 });
    expect(await usersIn('burst', active.version, ['replaced', ...allUsers([8])])).toEqual(['replaced']);
  });

  it('duplicates across files: the latest timestamp wins, then the later file; the report counts them per file', async () => {
    // x.csv is uploaded first. (shared, i1): 5 at t=200 in x beats 1 at t=100 in y -> y loses one row.
    // (shared, i2): both at t=100, y is the later file -> 4, x loses one row.
    await env.upload(
      'uploads/dups/x.csv',
      'user,item,rating,timestamp\nshared,i1,5,200\nshared,i2,2,100\nother,i1,3,100\n',
    );
    await env.upload('uploads/dups/y.csv', 'user,item,rating,timestamp\nshared,i1,1,100\nshared,i2,4,100\n');
    const { active } = await activeState('dups');
    const history = (await env.store.getUserHistories('dups', active.version, ['shared'])).get('shared')!;
    expect(Object.fromEntries(history.map((h) => [h.item, h.value]))).toEqual({ i1: 5, i2: 4 });
    const report = (await env.getJson(active.reportKey!)) as {
      report: { duplicatesDropped: number; sources: { file: string; duplicatesDropped: number }[] };
    };
    expect(report.report.duplicatesDropped).toBe(2);
    expect(report.report.sources.map(({ file, duplicatesDropped }) => ({ file, duplicatesDropped }))).toEqual([
      { file: 'uploads/dups/x.csv', duplicatesDropped: 1 },
      { file: 'uploads/dups/y.csv', duplicatesDropped: 1 },
    ]);
  });

  it('a snapshot replaces every other interaction file, and the report lists what it left out', async () => {
    await env.upload('uploads/snap/daily.csv', 'user,item,rating\nold-user,i1,5\nold-user,i2,3\n');
    await env.upload('uploads/snap/snapshot/full.csv', 'user,item,rating\nnew-user,i1,5\nnew-user,i3,4\n');
    const { active } = await activeState('snap');
    expect(active.sources).toMatchObject({
      files: 1,
      excluded: 1,
      listed: [{ key: 'uploads/snap/snapshot/full.csv' }],
    });
    expect(await usersIn('snap', active.version, ['old-user', 'new-user'])).toEqual(['new-user']);
    const report = (await env.getJson(active.reportKey!)) as { excluded: { key: string; reason: string }[] };
    expect(report.excluded).toEqual([
      { key: 'uploads/snap/daily.csv', reason: 'replaced by the newest snapshot uploads/snap/snapshot/full.csv' },
    ]);
  });
});
