// A pseudonymised dataset end to end on the real local servers (dynalite + s3rver + the deployed handlers): no raw
// user id in any DynamoDB item, any report object or any log line; the API answers raw ids exactly as the same data
// built without the option (the oracle, a second dataset built by the same handlers); similar users are
// pseudonyms; a build without the key fails, and never builds raw. Raw ids hold '@' and '.', which a pseudonym
// (p_ + base64url) cannot, so substring searches cannot match one by chance.
import { createHmac } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadIdHashKey } from '../../functions/adapters/id-hash-key.js';
import { runBuild } from '../../functions/model-build/run-build.js';
import { seg, startPipelineStack, type JobView, type PipelineStack } from '../support/pipeline-stack.js';

const PRIVATE = 'private';
const BROKEN = 'private-broken';
const PLAIN = 'plain';
const PLAIN_BROKEN = 'plain-broken';
const USERS = Array.from({ length: 14 }, (_, u) => `viewer.${u}@mail.test`);
const MARKERS = ['viewer.', 'mail.test', 'mail%2Etest', '%40mail'];

/** A deterministic small taste structure: two groups of users, each preferring its half of 10 items. */
function ratingsCsv(): string {
  const lines = ['user,item,rating,timestamp'];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  USERS.forEach((user, u) => {
    for (let i = 0; i < 10; i++) {
      const liked = i < 5 === (u % 2 === 0);
      if (next() < (liked ? 0.7 : 0.25))
        lines.push(`${user},m${i},${liked ? 4 + Math.round(next()) : 1 + Math.round(next() * 2)},${u * 100 + i}`);
    }
  });
  // Rejected lines that quote raw ids: a bad rating, an id over the byte limit, a missing field; and a line with
  // an extra field (a warning quoting it).
  lines.push(`${USERS[3]},m1,liked-by-${USERS[3]},1`, `${USERS[5]}${'x'.repeat(300)},m2,4,1`, USERS[6]);
  lines.push(`${USERS[7]},m9,3,999,extra-${USERS[7]}`);
  return `${lines.join('\n')}\n`;
}
const CONFIG = { model: 'user-knn', models: ['item', 'user'], k: 5, maxRejectedShare: 0.5 };
/** Every row rejected: the failure's message and report would quote the lines. */
const BROKEN_FILE = `user,item,rating\n${USERS.map((user) => `${user},m1,bad-${user}`).join('\n')}\n`;

let env: PipelineStack;
let key: Buffer;
const hmac = (id: string) => `p_${createHmac('sha256', key).update(id, 'utf8').digest('base64url')}`;

/** What was written to stdout and stderr (the Powertools logs of both handlers) while `run` ran. */
async function logsOf(run: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  // The handlers' shared logger (the pipeline stack silences it): every level, while captured only.
  const { logger } = await import('../../functions/observability.js');
  logger.setLogLevel('DEBUG');
  try {
    await run();
  } finally {
    logger.setLogLevel('SILENT');
    out.mockRestore();
    err.mockRestore();
  }
  return chunks.join('');
}

/** The raw ids (or their markers), escaped or not, found in `text`. */
function rawIdsIn(text: string): string[] {
  const forms = [
    ...MARKERS,
    ...USERS.flatMap((user) => [user, encodeURIComponent(user), JSON.stringify(user).slice(1, -1)]),
  ];
  return [...new Set(forms.filter((form) => text.includes(form)))];
}

async function allTableItems(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await env.doc.send(
      new ScanCommand({ TableName: env.stack.table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every object of the bucket outside uploads/ (the customer's own files), with its text. */
async function allWrittenObjects(): Promise<{ key: string; text: string }[]> {
  const page = await env.s3.send(new ListObjectsV2Command({ Bucket: env.stack.bucket }));
  const keys = (page.Contents ?? []).map((o) => o.Key!).filter((k) => !k.startsWith('uploads/'));
  return Promise.all(
    keys.map(async (objectKey) => {
      const object = await env.s3.send(new GetObjectCommand({ Bucket: env.stack.bucket, Key: objectKey }));
      return { key: objectKey, text: await object.Body!.transformToString('utf-8') };
    }),
  );
}

const jobsOf = async (dataset: string) =>
  (await env.api<{ jobs: JobView[] }>(`/v1/datasets/${seg(dataset)}/jobs`)).body.jobs;

async function uploadDataset(dataset: string, config: object, file: string): Promise<void> {
  await env.upload(`uploads/${dataset}/config.json`, JSON.stringify(config));
  await env.upload(`uploads/${dataset}/ratings.csv`, file);
}

let privateLogs = '';
let plainLogs = '';

beforeAll(async () => {
  env = await startPipelineStack();
  // The local stack's key (generated into its data directory): the test computes pseudonyms with it.
  key = Buffer.from(process.env.ID_HASH_KEY!, 'base64');
  privateLogs = await logsOf(async () => {
    await uploadDataset(PRIVATE, { ...CONFIG, pseudonymizeUsers: true }, ratingsCsv());
    await uploadDataset(BROKEN, { ...CONFIG, pseudonymizeUsers: true }, BROKEN_FILE);
    for (const user of USERS.slice(0, 4)) {
      await env.api(`/v1/datasets/${PRIVATE}/users/${seg(user)}/recommendations?explain=true`);
      await env.api(`/v1/datasets/${PRIVATE}/users/${seg(user)}/similar`);
      await env.api(`/v1/datasets/${PRIVATE}/users/${seg(user)}/no-such-route`);
    }
  });
});
afterAll(async () => {
  await env?.stop();
});

describe('a pseudonymised dataset', () => {
  it('builds, and its version says so', async () => {
    const [job] = await jobsOf(PRIVATE);
    expect(job).toMatchObject({ status: 'succeeded', report: { users: USERS.length } });
    const { body } = await env.api<{ versions: { options: Record<string, unknown> }[] }>(`/v1/datasets/${PRIVATE}`);
    expect(body.versions[0].options.pseudonymizeUsers).toBe(true);
    const [broken] = await jobsOf(BROKEN);
    expect(broken).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/<withheld>/) } });
  });

  it('leaves no raw user id in any DynamoDB item', async () => {
    const items = await allTableItems();
    expect(items.length).toBeGreaterThan(USERS.length);
    const found = items.flatMap((item) =>
      rawIdsIn(JSON.stringify(item)).map((form) => `${String(item.pk)} ${String(item.sk)}: ${form}`),
    );
    expect(found).toEqual([]);
    // The users are there, as their pseudonyms.
    const text = JSON.stringify(items);
    for (const user of USERS.slice(0, 5)) expect(text).toContain(hmac(user));
  });

  it('leaves no raw user id in any report object, and the reports say how ids are kept', async () => {
    const objects = await allWrittenObjects();
    expect(objects.map((o) => o.key.split('/')[1]).sort()).toEqual([BROKEN, PRIVATE].sort());
    for (const { key: objectKey, text } of objects) expect(rawIdsIn(text), objectKey).toEqual([]);
    const success = JSON.parse(objects.find((o) => o.key.startsWith(`reports/${PRIVATE}/`))!.text) as {
      report: { privacy: object; rejected: Record<string, { example: string }> };
    };
    expect(success.report.privacy).toMatchObject({ userIds: 'pseudonymized', inputText: 'withheld' });
    expect(Object.keys(success.report.rejected).sort()).toEqual(['bad-rating', 'id-too-long', 'missing-field']);
    const failure = JSON.parse(objects.find((o) => o.key.startsWith(`reports/${BROKEN}/`))!.text) as object;
    expect(failure).toMatchObject({ status: 'failed', privacy: { userIds: 'pseudonymized' } });
  });

  it('writes no raw user id to the logs of its builds and requests', () => {
    expect(privateLogs).toContain('"message":"request"');
    expect(privateLogs).toContain('"message":"build failed"');
    expect(rawIdsIn(privateLogs)).toEqual([]);
  });
});

describe('against the same data built without the option', () => {
  beforeAll(async () => {
    plainLogs = await logsOf(async () => {
      await uploadDataset(PLAIN, CONFIG, ratingsCsv());
      await uploadDataset(PLAIN_BROKEN, CONFIG, BROKEN_FILE);
    });
  });

  it('the plain dataset’s failure would have logged raw ids (so the log capture can see them)', () => {
    expect(rawIdsIn(plainLogs).length).toBeGreaterThan(0);
  });

  it('answers every raw id with the same items and scores; explanations name pseudonyms', async () => {
    let personalised = 0;
    let userContributors = 0;
    for (const user of USERS) {
      for (const algorithm of ['item', 'user']) {
        const path = (dataset: string) =>
          `/v1/datasets/${dataset}/users/${seg(user)}/recommendations?algorithm=${algorithm}&explain=true&limit=10`;
        type Body = {
          userId: string;
          fallback?: unknown;
          items: { item: string; score: number; because: { id: string; kind: string }[] }[];
        };
        const plain = (await env.api<Body>(path(PLAIN))).body;
        const pseudonymized = (await env.api<Body>(path(PRIVATE))).body;
        expect(pseudonymized.userId).toBe(user);
        expect(pseudonymized.fallback).toEqual(plain.fallback);
        expect(pseudonymized.items.map(({ item, score }) => ({ item, score }))).toEqual(
          plain.items.map(({ item, score }) => ({ item, score })),
        );
        const contributors = (body: Body, map: (id: string) => string) =>
          body.items.map((entry) => entry.because.map((b) => (b.kind === 'user' ? map(b.id) : b.id)).sort());
        expect(contributors(pseudonymized, (id) => id)).toEqual(contributors(plain, hmac));
        if (!plain.fallback && plain.items.length > 0) personalised++;
        for (const entry of pseudonymized.items)
          for (const b of entry.because)
            if (b.kind === 'user') {
              userContributors++;
              expect(b.id).toMatch(/^p_[A-Za-z0-9_-]{43}$/);
            }
      }
    }
    // The comparison is of real answers: personalised lists, user-based ones explained by users.
    expect(personalised).toBeGreaterThan(USERS.length);
    expect(userContributors).toBeGreaterThan(0);
  });

  it('shows similar users as pseudonyms, with the similarities of the raw build', async () => {
    let compared = 0;
    for (const user of USERS) {
      type Body = { similar: { id: string; similarity: number; support: number }[] };
      const plain = await env.api<Body>(`/v1/datasets/${PLAIN}/users/${seg(user)}/similar?limit=20`);
      const pseudonymized = await env.api<Body>(`/v1/datasets/${PRIVATE}/users/${seg(user)}/similar?limit=20`);
      expect(pseudonymized.status).toBe(plain.status);
      if (plain.status !== 200) continue;
      compared++;
      const sorted = (rows: Body['similar']) =>
        [...rows].sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : 1));
      expect(sorted(pseudonymized.body.similar)).toEqual(
        sorted(plain.body.similar.map((n) => ({ ...n, id: hmac(n.id) }))),
      );
      for (const { id } of pseudonymized.body.similar) expect(id).toMatch(/^p_[A-Za-z0-9_-]{43}$/);
    }
    expect(compared).toBeGreaterThan(USERS.length / 2);
  });
});

describe('without the key', () => {
  // The handlers keep the key once loaded, so the build is run here as the handler runs it, with the loader a
  // deployment without its key has (loadIdHashKey of an environment without either variable).
  async function buildWith(dataset: string, idHashKey: () => Promise<Uint8Array>) {
    env.mode = 'capture';
    try {
      await uploadDataset(dataset, { ...CONFIG, pseudonymizeUsers: true }, ratingsCsv());
    } finally {
      env.mode = 'build';
    }
    const record = env.events.at(-1)!.Records[0];
    const { logger } = await import('../../functions/observability.js');
    return runBuild(record, { s3: env.s3, store: env.store, logger, idHashKey });
  }

  it('fails the job clearly and builds nothing', async () => {
    const outcome = await buildWith('keyless', () => loadIdHashKey({}));
    expect(outcome).toMatchObject({ status: 'failed', error: { reason: 'user-input', where: 'pseudonymizeUsers' } });
    const [job] = await jobsOf('keyless');
    expect(job).toMatchObject({ status: 'failed' });
    expect(job.error?.message).toMatch(
      /"keyless" sets pseudonymizeUsers, but its id hashing key could not be loaded \(No id hashing key: neither ID_HASH_KEY nor ID_HASH_KEY_SECRET_ARN is set\): it is not built with raw user ids/,
    );
    expect((await env.api('/v1/datasets/keyless')).body).toMatchObject({ activeVersion: null });
    expect(await env.registeredVersions('keyless')).toEqual([]);
  });

  it('re-throws a failure to read the secret, so the build is retried', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    await expect(buildWith('secret-down', () => Promise.reject(throttled))).rejects.toThrow('Rate exceeded');
    expect(await env.registeredVersions('secret-down')).toEqual([]);
  });
});
