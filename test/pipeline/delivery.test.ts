// At-least-once, unordered S3 event delivery: duplicates build once, and an older upload never replaces a newer
// model. Events are captured from the real bridge (real keys, ETags, sequencers) and replayed to the deployed
// build handler in the order each test needs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Event } from 'aws-lambda';
import { runBuild } from '../../functions/model-build/run-build.js';
import { approx, itemBased, toCsv, type Ratings } from '../support/brute-force.js';
import { jobsOf, seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack({ mode: 'capture' });
});
afterAll(async () => {
  await env?.stop();
});

/** Two versions of one catalogue whose recommendations for `alice` differ. */
const OLD: Ratings = [
  ['alice', 'a', 5],
  ['alice', 'b', 1],
  ['bob', 'a', 4],
  ['bob', 'c', 5],
  ['carol', 'b', 5],
  ['carol', 'd', 4],
];
const NEW: Ratings = [
  ['alice', 'a', 5],
  ['alice', 'b', 1],
  ['bob', 'a', 1],
  ['bob', 'c', 2],
  ['carol', 'b', 5],
  ['carol', 'd', 4],
  ['dave', 'a', 3],
  ['dave', 'e', 5],
];

/** Uploads without building; returns the event S3 sent for it. */
async function captureUpload(key: string, body: string): Promise<S3Event> {
  const before = env.events.length;
  await env.upload(key, body);
  expect(env.events).toHaveLength(before + 1);
  return env.events[before];
}

async function recommendationsFor(dataset: string, user: string) {
  return (
    await env.api<{ version: string; items: unknown[] }>(
      `/v1/datasets/${seg(dataset)}/users/${seg(user)}/recommendations`,
    )
  ).body;
}

describe('a duplicate S3 event', () => {
  it('builds one model version and one job when delivered twice in a row', async () => {
    const event = await captureUpload('uploads/dup-serial/ratings.csv', toCsv(OLD));
    const first = await env.build(structuredClone(event));
    const second = await env.build(structuredClone(event));
    expect(first.map((outcome) => outcome.status)).toEqual(['succeeded']);
    expect(second).toEqual([
      { status: 'duplicate', dataset: 'dup-serial', jobId: (first[0] as { jobId: string }).jobId },
    ]);

    const jobs = await jobsOf(env, 'dup-serial');
    expect(jobs).toHaveLength(1);
    expect(jobs[0].status).toBe('succeeded');
    const manifest = await env.store.getManifest('dup-serial');
    expect(manifest?.versions.map((v) => v.version)).toEqual([jobs[0].version]);
    expect(await env.registeredVersions('dup-serial')).toEqual([jobs[0].version]);
  });

  it('builds once when both deliveries run at the same time', async () => {
    const event = await captureUpload('uploads/dup-parallel/ratings.csv', toCsv(OLD));
    const outcomes = (await Promise.all([env.build(structuredClone(event)), env.build(structuredClone(event))])).flat();
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['duplicate', 'succeeded']);

    const jobs = await jobsOf(env, 'dup-parallel');
    expect(jobs).toHaveLength(1);
    const manifest = await env.store.getManifest('dup-parallel');
    expect(manifest?.versions).toHaveLength(1);
    expect(await env.registeredVersions('dup-parallel')).toEqual([jobs[0].version]);
    expect((await recommendationsFor('dup-parallel', 'alice')).items).toEqual(approx(itemBased(OLD, 'alice')));
  });
});

describe('out-of-order S3 events', () => {
  it('builds nothing more for an older event handled last: the active model already has both files', async () => {
    const older = await captureUpload('uploads/news/monday.csv', toCsv(OLD));
    const newer = await captureUpload('uploads/news/tuesday.csv', toCsv(NEW));

    const [newOutcome] = await env.build(newer);
    expect(newOutcome.status).toBe('succeeded');
    const manifestBefore = await env.store.getManifest('news');
    expect(manifestBefore?.versions[0].sources).toMatchObject({ files: 2 });

    // Its state (both files, the same config) is the active version's: succeeded, nothing built.
    const [oldOutcome] = await env.build(older);
    expect(oldOutcome).toMatchObject({ status: 'succeeded', unchanged: true, version: manifestBefore!.activeVersion });
    expect(await env.store.getManifest('news')).toEqual(manifestBefore);
    expect(await env.registeredVersions('news')).toEqual([manifestBefore!.activeVersion]);

    // The union, tuesday.csv (the later upload) winning every (user, item) both files have.
    const union: Ratings = [...OLD.filter(([u, i]) => !NEW.some(([v, j]) => v === u && j === i)), ...NEW];
    const served = await recommendationsFor('news', 'alice');
    expect(served.version).toBe(manifestBefore!.activeVersion);
    expect(served.items).toEqual(approx(itemBased(union, 'alice')));
    expect(itemBased(union, 'alice')).not.toEqual(itemBased(OLD, 'alice'));
  });

  it('keeps the newer upload when the same key is overwritten and the events arrive reversed', async () => {
    const older = await captureUpload('uploads/overwrite/ratings.csv', toCsv(OLD));
    const newer = await captureUpload('uploads/overwrite/ratings.csv', toCsv(NEW));
    expect(await env.build(newer)).toMatchObject([{ status: 'succeeded' }]);
    const manifest = await env.store.getManifest('overwrite');
    expect(await env.build(older)).toMatchObject([{ status: 'superseded' }]);
    expect(await env.store.getManifest('overwrite')).toEqual(manifest);
  });

  it('an older state never replaces a newer model: the listing orders versions, not the event', async () => {
    const first = await captureUpload('uploads/late-state/a.csv', toCsv(OLD));
    expect(await env.build(first)).toMatchObject([{ status: 'succeeded' }]);
    const manifest = await env.store.getManifest('late-state');
    // A second file, built by a build whose listing is dated before the active version's (a build that listed
    // first and activated last): superseded, its rows removed.
    const second = await captureUpload('uploads/late-state/b.csv', toCsv(NEW));
    const listedEarlier = new Date(Date.parse(manifest!.versions[0].source.sourceOrder.split('#')[0]) - 60_000);
    const outcome = await runBuild(second.Records[0], {
      s3: env.s3,
      store: env.store,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      now: () => listedEarlier,
    });
    expect(outcome).toMatchObject({ status: 'superseded' });
    expect(await env.store.getManifest('late-state')).toEqual(manifest);
    expect(await env.registeredVersions('late-state')).toEqual([manifest!.activeVersion]);
  });
});
