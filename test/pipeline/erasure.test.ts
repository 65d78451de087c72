// Erasure and takedown end to end on the local stack (dynalite + s3rver, the deployed handlers): after DELETE, no
// route of the dataset names the user or the item, in the active version and in each kept version after
// rollbacks; their rows are gone from every version; the next build's input has none of their rows; the record
// holds no raw id and says which version rebuilt without them.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetPk, versionPartitions } from '../../functions/adapters/dynamo/keys.js';
import { syntheticInteractions } from '../../functions/engine/synthetic/index.js';
import { toCsv, type Ratings } from '../support/brute-force.js';
import { mentions, scanForErased } from '../support/erasure-scan.js';
import { jobsOf, seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const DATASET = 'forget';
const CONFIG = { models: ['item', 'user'], evaluate: false, versionsKept: 3 };
const ALL: Ratings = [
  ...syntheticInteractions({
    users: 45,
    items: 30,
    ratings: 900,
    seed: 11,
    timestamps: false,
    userPrefix: 'viewer-',
    itemPrefix: 'title-',
  }),
].map(({ user, item, value }): [string, string, number] => [user, item, value]);
/** Three uploads: each build is the union so far, so every version holds every user. */
const DAYS = [0, 1, 2].map((day) => ALL.filter((_, index) => index % 3 === day));
const USERS = [...new Set(ALL.map(([user]) => user))].sort();
const ITEMS = [...new Set(ALL.map(([, item]) => item))].sort();

let env: PipelineStack;
let versions: string[] = [];
let erased: string;
let pulled: string;

interface Similar {
  similar: { id: string }[];
}

beforeAll(async () => {
  env = await startPipelineStack();
  await env.upload(`uploads/${DATASET}/config.json`, JSON.stringify(CONFIG));
  for (const [day, rows] of DAYS.entries()) await env.upload(`uploads/${DATASET}/day${day + 1}.csv`, toCsv(rows));
  const state = await env.api<{ activeVersion: string; versions: { version: string }[] }>(`/v1/datasets/${DATASET}`);
  versions = state.body.versions.map(({ version }) => version);
  expect(versions).toHaveLength(3);
  // The user most often among others' similar users, and the most popular item.
  const counts = new Map<string, number>();
  for (const user of USERS) {
    const { body } = await env.api<Similar>(`/v1/datasets/${DATASET}/users/${user}/similar?limit=100`);
    for (const { id } of body.similar ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  erased = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
  const popular = await env.api<{ items: { item: string }[] }>(`/v1/datasets/${DATASET}/popular`);
  pulled = popular.body.items[0].item;
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const api = (path: string) => env.api(path);
const rollback = (version: string) =>
  env.api(`/v1/datasets/${DATASET}/rollback`, { method: 'POST', body: { version } });
const others = () => USERS.filter((user) => user !== erased);
const scan = () =>
  scanForErased(api, {
    dataset: DATASET,
    users: others(),
    items: ITEMS.filter((item) => item !== pulled),
    erasedUser: erased,
    takenDownItem: pulled,
  });

describe('before the DELETE', () => {
  it('the user is a similar user of many others and the item is everywhere, in every kept version', async () => {
    for (const version of versions) {
      expect((await rollback(version)).status).toBe(200);
      let similarUsers = 0;
      let similarItems = 0;
      for (const user of others()) {
        const { body } = await env.api<Similar>(`/v1/datasets/${DATASET}/users/${user}/similar?limit=100`);
        if ((body.similar ?? []).some(({ id }) => id === erased)) similarUsers++;
      }
      for (const item of ITEMS.filter((id) => id !== pulled)) {
        const { body } = await env.api<Similar>(`/v1/datasets/${DATASET}/items/${item}/similar?limit=100`);
        if ((body.similar ?? []).some(({ id }) => id === pulled)) similarItems++;
      }
      expect(similarUsers).toBeGreaterThanOrEqual(5);
      expect(similarItems).toBeGreaterThanOrEqual(5);
      const popular = await env.api<{ items: { item: string }[] }>(`/v1/datasets/${DATASET}/popular?limit=100`);
      expect(popular.body.items.map(({ item }) => item)).toContain(pulled);
    }
  }, 60_000);
});

describe('DELETE of the user and of the item', () => {
  let userRecord: Record<string, unknown>;
  beforeAll(async () => {
    const user = await env.api(`/v1/datasets/${DATASET}/users/${seg(erased)}`, { method: 'DELETE' });
    const item = await env.api(`/v1/datasets/${DATASET}/items/${seg(pulled)}`, { method: 'DELETE' });
    expect([user.status, item.status]).toEqual([200, 200]);
    userRecord = user.body;
    expect(item.body).toMatchObject({ kind: 'item', item: pulled, status: 'completed' });
  });

  it('answers after its rows are gone from every version: h and u of the user, i of the item', async () => {
    expect(userRecord).toMatchObject({ kind: 'user', status: 'completed' });
    const deleted = userRecord.deleted as { version: string; rows: number; by: string }[];
    expect(deleted.map(({ version }) => version).sort()).toEqual([...versions].sort());
    expect(deleted.every(({ rows, by }) => rows === 2 && by === 'request')).toBe(true);
    for (const version of versions) {
      expect(await env.store.getUserRows(DATASET, version, erased)).toEqual({});
      expect((await env.store.getItemNeighbours(DATASET, version, [pulled])).size).toBe(0);
    }
  });

  it('keeps no raw user id: the record is under the pseudonym, and nothing in the dataset partition names them', async () => {
    expect(userRecord.pseudonym).toMatch(/^p_[A-Za-z0-9_-]{43}$/);
    expect(mentions(JSON.stringify(userRecord), erased)).toBe(false);
    const page = await env.doc.send(
      new QueryCommand({
        TableName: env.stack.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': datasetPk(DATASET) },
      }),
    );
    expect(page.Items!.some((row) => row.sk === `erasure#u#${userRecord.pseudonym as string}`)).toBe(true);
    expect(mentions(JSON.stringify(page.Items), erased)).toBe(false);
  });

  it('no route names them, in each kept version after rollbacks', async () => {
    for (const version of [...versions].reverse()) {
      expect((await rollback(version)).status).toBe(200);
      const result = await scan();
      expect(result.findings).toEqual([]);
      expect(result.requests).toBeGreaterThan(3 * USERS.length);
    }
  }, 60_000);

  it('is idempotent: a repeat answers the same record', async () => {
    const again = await env.api(`/v1/datasets/${DATASET}/users/${seg(erased)}`, { method: 'DELETE' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(userRecord);
    const shown = await env.api(`/v1/datasets/${DATASET}/erasures/users/${seg(erased)}`);
    expect(shown.body).toEqual(userRecord);
    expect(shown.body.note).toMatch(/recomputed by the next build; no build has done so yet/);
  });

  it('the next build reads none of their rows, and its version names neither of them anywhere', async () => {
    // A new upload holding the user's and the item's rows again (as a source file would until it is purged).
    const again = ALL.filter(([user, item]) => user === erased || item === pulled).map(
      ([user, item, value]): [string, string, number] => [user, item, value],
    );
    await env.upload(`uploads/${DATASET}/day4.csv`, toCsv([...again, ['viewer-new', ITEMS[1], 4]]));
    const [job] = await jobsOf(env, DATASET, 1);
    expect(job.status).toBe('succeeded');
    const files = [...DAYS, again];
    const dropped = files.flat().filter(([user, item]) => user === erased || item === pulled).length;
    expect(job.report).toMatchObject({ erased: { rows: dropped, users: 1, items: 1 } });
    expect(job.report?.erasures).toMatchObject({ excludedUsers: 1, excludedItems: 1, appliedDuringBuild: 0 });

    // Every id any row of the new version names: its key, and the first field of each entry of its data.
    const named = new Set<string>();
    let rows = 0;
    for (const pk of versionPartitions(DATASET, job.version)) {
      const page = await env.doc.send(
        new QueryCommand({
          TableName: env.stack.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      );
      for (const row of page.Items ?? []) {
        rows++;
        if (String(row.sk).startsWith('r#')) named.add(decodeURIComponent(String(row.sk).slice(2)));
        for (const entry of JSON.parse(row.d as string) as unknown[][]) named.add(String(entry[0]));
      }
    }
    expect(rows).toBeGreaterThan(USERS.length);
    expect(named.has(USERS[0]) || named.has(USERS[1])).toBe(true); // the scan sees ids at all
    expect(named.has(erased)).toBe(false);
    expect(named.has(pulled)).toBe(false);
    const state = await env.api<{ versions: { version: string; stats: { users: number }; erasures: unknown }[] }>(
      `/v1/datasets/${DATASET}`,
    );
    const built = state.body.versions.find(({ version }) => version === job.version)!;
    expect(built.stats.users).toBe(USERS.length); // one erased, one new
    expect(built.erasures).toMatchObject({ users: 1, items: 1 });
    expect((await scan()).findings).toEqual([]);

    const record = await env.api(`/v1/datasets/${DATASET}/erasures/users/${seg(erased)}`);
    expect(record.body.rebuiltIn).toMatchObject({ version: job.version });
    expect(record.body.note).toContain(`version ${job.version} did so`);
    const item = await env.api(`/v1/datasets/${DATASET}/erasures/items/${seg(pulled)}`);
    expect(item.body.rebuiltIn).toMatchObject({ version: job.version });
  }, 60_000);
});

describe('bad requests', () => {
  it('unknown dataset -> 404, and nothing is recorded', async () => {
    const missing = await env.api(`/v1/datasets/no-such-dataset/users/someone`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect((await env.api(`/v1/datasets/no-such-dataset/erasures/users/someone`)).status).toBe(404);
    expect((await env.api(`/v1/datasets/no-such-dataset/items/thing`, { method: 'DELETE' })).status).toBe(404);
  });

  it('ids over 256 UTF-8 bytes -> 400 naming the field', async () => {
    const long = 'é'.repeat(129); // 258 bytes
    for (const [path, field] of [
      [`/v1/datasets/${DATASET}/users/${seg(long)}`, 'userId'],
      [`/v1/datasets/${DATASET}/items/${seg(long)}`, 'itemId'],
    ] as const) {
      const { status, body } = await env.api<{ errors: { in: string; field: string }[] }>(path, { method: 'DELETE' });
      expect(status).toBe(400);
      expect(body.errors).toEqual([expect.objectContaining({ in: 'path', field })]);
    }
  });

  it('an erasure never requested -> 404', async () => {
    expect((await env.api(`/v1/datasets/${DATASET}/erasures/users/${others()[0]}`)).status).toBe(404);
    expect(
      (await env.api(`/v1/datasets/${DATASET}/erasures/items/${ITEMS.find((item) => item !== pulled)}`)).status,
    ).toBe(404);
  });
});
