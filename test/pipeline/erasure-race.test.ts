// A build racing an erasure (functions/model-build/build-erasures.ts), on the local stack: builds are run
// directly (as Lambda would, with the stack's key) through a store that pauses them at a chosen point while a
// DELETE lands through the API. Whichever point it lands at, the version the build activates holds none of the
// user's rows and no answer names them. Then the tombstone pruning: kept only while a stored version needs it.
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { loadIdHashKey } from '../../functions/adapters/id-hash-key.js';
import { storedUserIdOf } from '../../functions/engine/privacy/index.js';
import type { VersionWriter } from '../../functions/adapters/store-contract.js';
import { runBuild, type BuildDeps, type BuildOutcome } from '../../functions/model-build/run-build.js';
import { toCsv, type Ratings } from '../support/brute-force.js';
import { recordingLogger } from '../support/build-recorders.js';
import { scanForErased } from '../support/erasure-scan.js';
import { jobsOf, seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const CONFIG = { models: ['item', 'user'], evaluate: false, versionsKept: 3 };
const GONE = 'gone';
/** GONE shares items with everyone, so they are in every user's neighbour list. */
const RATINGS: Ratings = [
  ['ana', 'a', 5],
  ['ana', 'b', 3],
  ['bo', 'a', 4],
  ['bo', 'c', 5],
  ['cy', 'b', 4],
  ['cy', 'c', 2],
  ['dee', 'a', 1],
  ['dee', 'd', 4],
  [GONE, 'a', 5],
  [GONE, 'b', 4],
  [GONE, 'c', 3],
  [GONE, 'd', 2],
];
const OTHERS = ['ana', 'bo', 'cy', 'dee'];
const ITEMS = ['a', 'b', 'c', 'd'];

let env: PipelineStack;
let idHashKey: Uint8Array;

beforeAll(async () => {
  env = await startPipelineStack({ mode: 'capture' });
  idHashKey = await loadIdHashKey(process.env); // the key the stack generated for its API
});
afterAll(async () => {
  await env?.stop();
});

/** Uploads without building; returns the event a build is then run for. */
async function capture(key: string, body: string): Promise<S3Event> {
  const before = env.events.length;
  await env.upload(key, body);
  return env.events[before];
}

function deps(store: DynamoModelStore, overrides: Partial<BuildDeps> = {}): BuildDeps {
  return { s3: env.s3, store, logger: recordingLogger(), threads: 1, idHashKey: async () => idHashKey, ...overrides };
}

interface Pause {
  reached: Promise<void>;
  resume(): void;
}

/** A pause a build reaches at some point and waits in until resumed. */
function pause(): Pause & { arrive(): Promise<void> } {
  let reached!: () => void;
  let resume!: () => void;
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  const resumed = new Promise<void>((resolve) => (resume = resolve));
  return {
    reached: arrived,
    resume,
    arrive: async () => {
      reached();
      await resumed;
    },
  };
}

/** The stack's store, with the version writer paused before its first row or after its last (its flush). */
function pausingStore(at: 'first-row' | 'rows-written', gate: ReturnType<typeof pause>): DynamoModelStore {
  return new Proxy(env.store, {
    get(target, property, receiver) {
      if (property !== 'createVersionWriter') return Reflect.get(target, property, receiver) as unknown;
      return (dataset: string, version: string): VersionWriter => {
        const writer = target.createVersionWriter(dataset, version);
        let first = true;
        const before =
          <A extends unknown[]>(put: (...args: A) => Promise<void>) =>
          async (...args: A) => {
            if (at === 'first-row' && first) {
              first = false;
              await gate.arrive();
            }
            return put(...args);
          };
        return {
          dataset,
          version,
          putItemNeighbours: before(writer.putItemNeighbours.bind(writer)),
          putUserNeighbours: before(writer.putUserNeighbours.bind(writer)),
          putUserHistory: before(writer.putUserHistory.bind(writer)),
          putPopularity: before(writer.putPopularity.bind(writer)),
          putTrending: before(writer.putTrending.bind(writer)),
          putCatalogueEntry: before(writer.putCatalogueEntry.bind(writer)),
          flush: async () => {
            const flushed = await writer.flush();
            if (at === 'rows-written') await gate.arrive();
            return flushed;
          },
        };
      };
    },
  });
}

const scan = (dataset: string) =>
  scanForErased((path) => env.api(path), { dataset, users: OTHERS, items: ITEMS, erasedUser: GONE });

async function similarUsers(dataset: string, user: string): Promise<string[]> {
  const { body } = await env.api<{ similar?: { id: string }[] }>(`/v1/datasets/${dataset}/users/${user}/similar`);
  return (body.similar ?? []).map(({ id }) => id);
}

/** Serving v1, then a build of day2 paused at `at` while the DELETE of GONE lands; the build is then resumed. */
async function raceAt(
  dataset: string,
  at: 'first-row' | 'rows-written',
): Promise<{ outcome: BuildOutcome; erasure: Record<string, unknown> }> {
  await env.upload(`uploads/${dataset}/config.json`, JSON.stringify(CONFIG));
  const first = await capture(`uploads/${dataset}/day1.csv`, toCsv(RATINGS.slice(0, 8).concat(RATINGS.slice(8, 10))));
  expect(await runBuild(first.Records[0], deps(env.store))).toMatchObject({ status: 'succeeded' });
  expect(await similarUsers(dataset, 'ana')).toContain(GONE);

  const second = await capture(`uploads/${dataset}/day2.csv`, toCsv(RATINGS.slice(10)));
  const gate = pause();
  const building = runBuild(second.Records[0], deps(pausingStore(at, gate)));
  await gate.reached;
  const erasure = await env.api(`/v1/datasets/${dataset}/users/${seg(GONE)}`, { method: 'DELETE' });
  expect(erasure.status).toBe(200);
  gate.resume();
  return { outcome: await building, erasure: erasure.body };
}

describe('a build that was running when the DELETE arrived', () => {
  it('paused before its first row (its input read GONE): it deletes their rows itself before activating', async () => {
    const dataset = 'race-early';
    const { outcome, erasure } = await raceAt(dataset, 'first-row');
    expect(outcome).toMatchObject({ status: 'succeeded' });
    const { version } = outcome as { version: string };
    // The DELETE's sweep ran before this version had a row: it did not see it.
    expect((erasure.deleted as { version: string }[]).map((d) => d.version)).not.toContain(version);
    // The build found the erasure before activating, and removed GONE's two rows from its own version.
    const record = await env.api(`/v1/datasets/${dataset}/erasures/users/${seg(GONE)}`);
    expect(record.body.deleted).toContainEqual(expect.objectContaining({ version, rows: 2, by: 'build' }));
    const [job] = await jobsOf(env, dataset, 1);
    expect(job.report?.erasures).toMatchObject({ appliedDuringBuild: 1 });
    expect(job.report?.erased).toBeUndefined(); // its input was read before the erasure
    expect(await env.store.getUserRows(dataset, version, GONE)).toEqual({});
    expect((await env.api<{ activeVersion: string }>(`/v1/datasets/${dataset}`)).body.activeVersion).toBe(version);
    expect((await scan(dataset)).findings).toEqual([]);
  });

  it('paused after writing its rows: the DELETE sweeps the version being built, and it stays clean', async () => {
    const dataset = 'race-late';
    const { outcome, erasure } = await raceAt(dataset, 'rows-written');
    expect(outcome).toMatchObject({ status: 'succeeded' });
    const { version } = outcome as { version: string };
    expect(erasure.deleted).toContainEqual(expect.objectContaining({ version, rows: 2, by: 'request' }));
    expect(await env.store.getUserRows(dataset, version, GONE)).toEqual({});
    expect((await scan(dataset)).findings).toEqual([]);
    // The next build has no row of theirs in its input at all.
    const third = await capture(`uploads/${dataset}/day3.csv`, toCsv([['ana', 'd', 2]]));
    const next = await runBuild(third.Records[0], deps(env.store));
    expect(next).toMatchObject({ status: 'succeeded' });
    const [job] = await jobsOf(env, dataset, 1);
    expect(job.report?.erased).toEqual({ rows: 4, users: 1, items: 0 });
  });
});

describe('a build of an unchanged state', () => {
  it('builds again when erasures arrived since the active version was built, and not once it excluded them', async () => {
    const dataset = 'unchanged';
    await env.upload(`uploads/${dataset}/config.json`, JSON.stringify(CONFIG));
    const event = await capture(`uploads/${dataset}/day1.csv`, toCsv(RATINGS));
    expect(await runBuild(event.Records[0], deps(env.store))).toMatchObject({ status: 'succeeded' });
    // The same object delivered again as a new event (another job): the state is the active version's.
    const again = (n: number) => {
      const copy = structuredClone(event);
      copy.Records[0].s3.object.sequencer = `${copy.Records[0].s3.object.sequencer ?? ''}${n}`;
      return copy.Records[0];
    };
    const fast = deps(env.store, { erasureMarginMs: 0 });
    expect(await runBuild(again(1), fast)).toMatchObject({ status: 'succeeded', unchanged: true });
    expect((await env.api(`/v1/datasets/${dataset}/users/${seg(GONE)}`, { method: 'DELETE' })).status).toBe(200);
    const rebuilt = await runBuild(again(2), fast);
    expect(rebuilt).toMatchObject({ status: 'succeeded' });
    expect((rebuilt as { unchanged?: boolean }).unchanged).toBeUndefined();
    expect((await jobsOf(env, dataset, 1))[0].report?.erased).toEqual({ rows: 4, users: 1, items: 0 });
    expect(await runBuild(again(3), fast)).toMatchObject({ status: 'succeeded', unchanged: true });
  });
});

describe('a pseudonymised dataset (pseudonymizeUsers)', () => {
  it('the raw id or the pseudonym the answers show erases the same user, from stored rows, answers and builds', async () => {
    const dataset = 'erase-private';
    await env.upload(`uploads/${dataset}/config.json`, JSON.stringify({ ...CONFIG, pseudonymizeUsers: true }));
    const event = await capture(`uploads/${dataset}/day1.csv`, toCsv(RATINGS));
    const built = await runBuild(event.Records[0], deps(env.store));
    expect(built).toMatchObject({ status: 'succeeded' });
    const { version } = built as { version: string };
    // The stored ids are pseudonyms: ana's similar users are, GONE's among them.
    const pseudonym = storedUserIdOf(idHashKey, GONE);
    expect(await similarUsers(dataset, 'ana')).toContain(pseudonym);
    expect((await env.store.getUserRows(dataset, version, pseudonym)).history).toBeDefined();

    const erased = await env.api(`/v1/datasets/${dataset}/users/${seg(GONE)}`, { method: 'DELETE' });
    expect(erased.body).toMatchObject({ pseudonym, status: 'completed' });
    expect(erased.body.deleted).toEqual([expect.objectContaining({ version, rows: 2 })]);
    expect(await env.store.getUserRows(dataset, version, pseudonym)).toEqual({});
    // The pseudonym, as the answers showed it, names the same erasure.
    const again = await env.api(`/v1/datasets/${dataset}/users/${pseudonym}`, { method: 'DELETE' });
    expect(again.body).toMatchObject({ pseudonym, requestedAt: erased.body.requestedAt });
    const { findings } = await scanForErased((path) => env.api(path), {
      dataset,
      users: OTHERS,
      items: ITEMS,
      erasedUser: pseudonym,
    });
    expect(findings).toEqual([]);
    expect((await env.api(`/v1/datasets/${dataset}/users/${seg(GONE)}/recommendations`)).body.fallback).toEqual({
      reason: 'unknown-user',
      algorithm: 'popularity',
    });
    // The next build drops their rows (pseudonymised at the parse, then matched).
    const next = await capture(`uploads/${dataset}/day2.csv`, toCsv([[GONE, 'a', 1]]));
    expect(await runBuild(next.Records[0], deps(env.store))).toMatchObject({ status: 'succeeded' });
    expect((await jobsOf(env, dataset, 1))[0].report?.erased).toEqual({ rows: 5, users: 1, items: 0 });
  });
});

describe('tombstones', () => {
  it('stay while any stored version may name the user, and are pruned once every one excluded them', async () => {
    const dataset = 'prune';
    // One version kept; retired versions are deleted by the build after next (no grace), so three builds after
    // the erasure leave only versions whose input excluded it.
    const store = new DynamoModelStore(env.doc, env.stack.table, { retiredVersionGraceMs: 0 });
    const build = async (day: number, rows: Ratings) => {
      const event = await capture(`uploads/${dataset}/day${day}.csv`, toCsv(rows));
      expect(await runBuild(event.Records[0], deps(store, { erasureMarginMs: 0 }))).toMatchObject({
        status: 'succeeded',
      });
      return (await jobsOf(env, dataset, 1))[0];
    };
    await env.upload(`uploads/${dataset}/config.json`, JSON.stringify({ ...CONFIG, versionsKept: 1 }));
    await build(1, RATINGS);
    expect((await env.api(`/v1/datasets/${dataset}/users/${seg(GONE)}`, { method: 'DELETE' })).status).toBe(200);
    const pseudonym = (await env.api(`/v1/datasets/${dataset}/erasures/users/${seg(GONE)}`)).body.pseudonym as string;
    const tombstoned = async () => (await env.store.getTombstones(dataset)).users.has(pseudonym);
    expect(await tombstoned()).toBe(true);

    // v2 excludes GONE, but v1 (retired by it, spared until the next build) still holds them in others' rows.
    expect((await build(2, [['ana', 'd', 3]])).report?.erasures).toMatchObject({ tombstonesPruned: 0 });
    expect(await tombstoned()).toBe(true);
    // v3: v1 is deleted; v2 and v3 both excluded GONE from their input: the tombstone goes.
    expect((await build(3, [['bo', 'd', 3]])).report?.erasures).toMatchObject({ tombstonesPruned: 1 });
    expect(await tombstoned()).toBe(false);
    expect((await scan(dataset)).findings).toEqual([]);
    // The record stays: the next build, with GONE in a file again, still drops their rows.
    const again = await build(4, [[GONE, 'a', 5]]);
    expect(again.report?.erased).toEqual({ rows: 5, users: 1, items: 0 });
    expect((await env.api(`/v1/datasets/${dataset}/erasures/users/${seg(GONE)}`)).body.status).toBe('completed');
  });
});
