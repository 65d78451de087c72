// Live events end to end on the local stack (dynalite + s3rver, the deployed API handler; builds run by runBuild on
// the captured S3 events, as the build handler runs them): POSTed events count at once, the next build folds them
// into the model exactly once (also when later builds read their file while they are still in the table), a crash
// on either side of the file's write loses nothing and counts nothing twice, an old lease holder writes no file,
// and overlapping files (a stalled holder's leftover) are read once.
//
// Typed events, so that a second count would show: view 1, play 2; a pair's value is sign·log1p(Σ weights).
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveEventFileKey, liveEventFilesPrefix } from '../../functions/adapters/live-event-files.js';
import { listObjects } from '../../functions/adapters/s3-objects.js';
import { JobLeaseLostError, type ModelPublisher } from '../../functions/adapters/store-contract.js';
import { foldLiveEvents, DEFAULT_LIVE_FOLD } from '../../functions/model-build/live-fold.js';
import { runBuild, type BuildDeps, type BuildOutcome } from '../../functions/model-build/run-build.js';
import { recordingLogger } from '../support/build-recorders.js';
import { seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

let env: PipelineStack;
beforeAll(async () => {
  env = await startPipelineStack({ mode: 'capture' });
});
afterAll(async () => {
  await env?.stop();
});

const CONFIG = JSON.stringify({ model: 'item-knn', evaluate: false, eventWeights: { view: 1, play: 2 } });
const EVENTS_CSV = [
  'user,item,type,timestamp',
  'alice,a,view,1',
  'alice,b,play,2',
  'bob,a,view,3',
  'bob,c,view,4',
  'carol,b,view,5',
  'carol,c,play,6',
].join('\n');
const log1p = (sum: number) => Math.fround(Math.log1p(sum));
/** Settle 0: these tests wait until their events are in the past instead (the deployed margin is the API timeout + 5 s). */
const LIVE = { settleMs: 0, dedupeWindowMs: DEFAULT_LIVE_FOLD.dedupeWindowMs };

function deps(overrides: Partial<BuildDeps> = {}): BuildDeps {
  return { s3: env.s3, store: env.store, logger: recordingLogger(), threads: 1, live: LIVE, ...overrides };
}

let uploads = 0;
/** Uploads a file (capture mode: nothing builds) and returns its S3 event. */
async function capture(dataset: string, body: string, name = `file-${++uploads}.csv`): Promise<S3Event> {
  const before = env.events.length;
  await env.upload(`uploads/${dataset}/${name}`, body);
  return env.events[before];
}

async function build(event: S3Event, overrides: Partial<BuildDeps> = {}): Promise<BuildOutcome> {
  return runBuild(event.Records[0], deps(overrides));
}

async function newDataset(dataset: string): Promise<void> {
  await env.put(`uploads/${dataset}/config.json`, CONFIG);
  expect(await build(await capture(dataset, EVENTS_CSV, 'events.csv'))).toMatchObject({ status: 'succeeded' });
}

async function postEvents(dataset: string, events: unknown[]): Promise<{ receivedAt: string }> {
  const { status, body } = await env.api<{ receivedAt: string }>(`/v1/datasets/${seg(dataset)}/events`, {
    method: 'POST',
    body: { events },
  });
  expect(status).toBe(200);
  // With a settle margin of 0 the fold's cut is its clock: let that clock pass the events' arrival.
  while (Date.now() <= Date.parse(body.receivedAt)) await new Promise((resolve) => setTimeout(resolve, 2));
  return body;
}

async function recommendations(dataset: string, user: string) {
  const { status, body } = await env.api<{
    fallback?: unknown;
    algorithm: string;
    historyUsed: number;
    liveEvents: number;
    items: { item: string }[];
  }>(`/v1/datasets/${seg(dataset)}/users/${seg(user)}/recommendations?explain=false`);
  expect(status).toBe(200);
  return body;
}

/** The user's stored history in the active version: what the build put in the model. */
async function storedHistory(dataset: string, user: string): Promise<Record<string, number>> {
  const manifest = await env.store.getManifest(dataset);
  const rows = await env.store.getUserRows(dataset, manifest!.activeVersion, user);
  return Object.fromEntries((rows.history ?? []).map(({ item, value }) => [item, value]));
}

const eventFiles = async (dataset: string) =>
  (await listObjects(env.s3, env.stack.bucket, liveEventFilesPrefix(dataset))).map((object) => object.key);

describe('live events: at once, then folded into the next build exactly once', () => {
  const DATASET = 'live';
  beforeAll(() => newDataset(DATASET));

  it('counts at once, folds into the next build, and later builds read the file without counting it again', async () => {
    expect((await recommendations(DATASET, 'alice')).items.map((entry) => entry.item)).toContain('c');
    const { receivedAt } = await postEvents(DATASET, [
      { eventId: 'e1', user: 'alice', item: 'c', type: 'play' },
      { eventId: 'e2', user: 'zed', item: 'a', type: 'view' },
    ]);
    const alice = await recommendations(DATASET, 'alice');
    expect(alice.liveEvents).toBe(1);
    expect(alice.items.map((entry) => entry.item)).not.toContain('c');
    const zed = await recommendations(DATASET, 'zed'); // unknown to the version: item-based from the event
    expect(zed).toMatchObject({ algorithm: 'item', liveEvents: 1 });
    expect(zed.fallback).toBeUndefined();

    const folded = await build(await capture(DATASET, 'user,item,type,timestamp\ndave,a,view,7\n'));
    expect(folded).toMatchObject({ status: 'succeeded' });
    const files = await eventFiles(DATASET);
    expect(files).toHaveLength(1);
    const manifest = await env.store.getManifest(DATASET);
    const info = manifest!.versions.find((v) => v.version === manifest!.activeVersion)!;
    expect(info.liveCutoff! > receivedAt).toBe(true);
    expect(info.sources!.listed.map((source) => source.key)).toContain(files[0]);
    // In the model: alice's c is play (2) alone; zed now has a stored history, view (1).
    expect(await storedHistory(DATASET, 'alice')).toEqual({ a: log1p(1), b: log1p(2), c: log1p(2) });
    expect(await storedHistory(DATASET, 'zed')).toEqual({ a: log1p(1) });
    // The API no longer adds them (they are before the cutoff), though they stay in the table for 24 h.
    expect((await recommendations(DATASET, 'alice')).liveEvents).toBe(0);
    expect(await env.store.getUserLiveEvents(DATASET, 'alice')).toHaveLength(1);
    // A late retry of a folded event is still a duplicate.
    const { body } = await env.api(`/v1/datasets/${DATASET}/events`, {
      method: 'POST',
      body: { events: [{ eventId: 'e1', user: 'alice', item: 'c', type: 'play' }] },
    });
    expect(body).toMatchObject({ accepted: 0, duplicates: 1 });

    // Another build reads the file again (and folds nothing new): still counted once.
    expect(await build(await capture(DATASET, 'user,item,type,timestamp\nerin,b,view,8\n'))).toMatchObject({
      status: 'succeeded',
    });
    expect(await eventFiles(DATASET)).toEqual(files);
    expect((await storedHistory(DATASET, 'alice')).c).toBe(log1p(2));
  });

  it('a rollback to a version built before the fold serves the events again from the table', async () => {
    const manifest = await env.store.getManifest(DATASET);
    const first = manifest!.versions.at(-1)!; // the version of the first build: no events folded
    expect(
      (await env.api(`/v1/datasets/${DATASET}/rollback`, { method: 'POST', body: { version: first.version } })).status,
    ).toBe(200);
    expect((await recommendations(DATASET, 'alice')).liveEvents).toBe(1);
    expect(await storedHistory(DATASET, 'alice')).toEqual({ a: log1p(1), b: log1p(2) });
  });
});

describe('a crash on either side of the file loses nothing and counts nothing twice', () => {
  it('after the file, before activation: the next build reads the file and folds no event again', async () => {
    const dataset = 'crash-after';
    await newDataset(dataset);
    await postEvents(dataset, [{ eventId: 'x', user: 'alice', item: 'c', type: 'play' }]);
    const failing: ModelPublisher = new Proxy(env.store, {
      get(target, property, receiver) {
        if (property === 'activateVersion') return () => Promise.reject(new Error('crashed before activating'));
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const event = await capture(dataset, 'user,item,type,timestamp\ndave,a,view,7\n');
    await expect(build(event, { store: failing as BuildDeps['store'] })).rejects.toThrow('crashed before activating');
    expect(await eventFiles(dataset)).toHaveLength(1); // the file was written
    expect((await recommendations(dataset, 'alice')).liveEvents).toBe(1); // still served live on the old version

    expect(await build(event)).toMatchObject({ status: 'succeeded' }); // Lambda's retry of the event
    expect(await eventFiles(dataset)).toHaveLength(1); // W moved past the event: nothing folded again
    expect((await storedHistory(dataset, 'alice')).c).toBe(log1p(2)); // once: not log1p(4)
    expect((await recommendations(dataset, 'alice')).liveEvents).toBe(0);
  });

  it('before the file: the events stay in the table and the next build folds them', async () => {
    const dataset = 'crash-before';
    await newDataset(dataset);
    await postEvents(dataset, [{ eventId: 'y', user: 'bob', item: 'b', type: 'play' }]);
    const noEventFiles: S3Client = new Proxy(env.s3, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
        return (command: unknown) =>
          command instanceof PutObjectCommand && command.input.Key?.startsWith('events/')
            ? Promise.reject(Object.assign(new Error('S3 is down'), { name: 'ServiceUnavailable' }))
            : target.send(command as PutObjectCommand);
      },
    });
    const event = await capture(dataset, 'user,item,type,timestamp\ndave,a,view,7\n');
    await expect(build(event, { s3: noEventFiles })).rejects.toThrow('S3 is down');
    expect(await eventFiles(dataset)).toEqual([]);
    expect(await env.store.getUserLiveEvents(dataset, 'bob')).toHaveLength(1);

    expect(await build(event)).toMatchObject({ status: 'succeeded' });
    expect(await eventFiles(dataset)).toHaveLength(1);
    expect(await storedHistory(dataset, 'bob')).toEqual({ a: log1p(1), b: log1p(2), c: log1p(1) });
  });

  it('with a dedupe window of 0, the folded events are deleted once the version is active', async () => {
    const dataset = 'no-window';
    await newDataset(dataset);
    await postEvents(dataset, [{ eventId: 'z', user: 'carol', item: 'a', type: 'view' }]);
    const outcome = await build(await capture(dataset, 'user,item,type,timestamp\ndave,a,view,7\n'), {
      live: { settleMs: 0, dedupeWindowMs: 0 },
    });
    expect(outcome).toMatchObject({ status: 'succeeded' });
    expect(await env.store.getUserLiveEvents(dataset, 'carol')).toEqual([]);
    expect(await storedHistory(dataset, 'carol')).toEqual({ a: log1p(1), b: log1p(1), c: log1p(2) });
    const job = await env.store.getJob(dataset, (outcome as { jobId: string }).jobId);
    expect(job?.report).toMatchObject({ liveEvents: { folded: 1, files: 1, deleted: 1 } });
  });
});

describe('a lease holder that lost the lease', () => {
  it('writes no file: the fenced renewal before the write fails', async () => {
    const dataset = 'takeover';
    await newDataset(dataset);
    await postEvents(dataset, [{ eventId: 't', user: 'alice', item: 'c', type: 'view' }]);
    const past = new Date(Date.now() - 1000).toISOString();
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(await env.store.enterDatasetBuild(dataset, 'old', 'old#1', past)).toMatchObject({ status: 'holding' });
    expect(await env.store.enterDatasetBuild(dataset, 'new', 'new#1', future)).toMatchObject({ status: 'holding' });
    const fold = foldLiveEvents({
      s3: env.s3,
      store: env.store,
      bucket: env.stack.bucket,
      dataset,
      now: () => new Date(),
      settings: LIVE,
      fence: () => env.store.renewDatasetBuild(dataset, 'old#1', future),
      logger: recordingLogger(),
    });
    await expect(fold).rejects.toBeInstanceOf(JobLeaseLostError);
    expect(await eventFiles(dataset)).toEqual([]);
    expect(await env.store.exitDatasetBuild(dataset, 'new#1')).toEqual({ status: 'released' });
  });

  it('overlapping files (a holder stalled past its lease) are read with each event once', async () => {
    const dataset = 'overlap';
    await newDataset(dataset);
    const line = (user: string, item: string, type: string, eventId: string, receivedAt: string) =>
      `${JSON.stringify({ user, item, value: 1, timestamp: receivedAt, type, receivedAt, eventId, n: 0 })}\n`;
    const hourAgo = Date.now() - 3_600_000;
    const t = (minutes: number) => new Date(hourAgo + minutes * 60_000).toISOString();
    // The stalled holder's [0, t2) and its successor's [t1, t3) both hold event "both" (t1.5).
    const both = line('alice', 'c', 'play', 'both', t(1.5));
    const put = (key: string, body: string) =>
      env.s3.send(new PutObjectCommand({ Bucket: env.stack.bucket, Key: key, Body: Buffer.from(body) }));
    await put(
      liveEventFileKey(dataset, new Date(0).toISOString(), t(2)),
      line('bob', 'b', 'play', 'early', t(0)) + both,
    );
    await put(liveEventFileKey(dataset, t(1), t(3)), both + line('carol', 'a', 'view', 'late', t(2.5)));
    expect(await build(await capture(dataset, 'user,item,type,timestamp\ndave,a,view,7\n'))).toMatchObject({
      status: 'succeeded',
    });
    expect((await storedHistory(dataset, 'alice')).c).toBe(log1p(2)); // once, not log1p(4)
    expect((await storedHistory(dataset, 'bob')).b).toBe(log1p(2));
    expect((await storedHistory(dataset, 'carol')).a).toBe(log1p(1));
  });
});
