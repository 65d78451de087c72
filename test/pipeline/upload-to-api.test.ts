// S3 upload -> build handler -> DynamoDB model -> HTTP API, on the real local servers. Every expected number
// comes from the brute-force oracle in test/support/brute-force.ts, run on the same tiny file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Event } from 'aws-lambda';
import {
  approx,
  itemBased,
  itemBasedForHistory,
  neighbours,
  popular,
  toCsv,
  userBased,
  type Ratings,
} from '../support/brute-force.js';
import { seg, startPipelineStack, type JobView as Job, type PipelineStack } from '../support/pipeline-stack.js';

// A dataset name with a space, and a file name with '+', a space and non-ASCII: S3 events URL-encode all three.
const DATASET = 'tv shows';
const KEY = `uploads/${DATASET}/ratings +v1 ü.csv`;
const BASE = `/v1/datasets/${seg(DATASET)}`;

const RATINGS: Ratings = [
  ['alice', 'm1', 5],
  ['alice', 'm2', 3],
  ['alice', 'm3', 4],
  ['bob', 'm1', 4],
  ['bob', 'm2', 5],
  ['bob', 'm4', 2],
  ['carol', 'm2', 2],
  ['carol', 'm3', 5],
  ['carol', 'm4', 4],
  ['carol', 'ü-film', 1],
  ['dave', 'm1', 1],
  ['dave', 'ü-film', 5],
  ['erin', 'm4', 3],
  ['erin', 'm6', 2],
];
const USERS = [...new Set(RATINGS.map(([user]) => user))];
const ITEMS = [...new Set(RATINGS.map(([, item]) => item))];

let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack();
});
afterAll(async () => {
  await env?.stop();
});

function s3Event(key: string): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:TEST' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'R', 'x-amz-id-2': 'I' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'test',
          bucket: {
            name: env.stack.bucket,
            ownerIdentity: { principalId: 'O' },
            arn: `arn:aws:s3:::${env.stack.bucket}`,
          },
          object: { key, size: 10, eTag: 'e', sequencer: '01' },
        },
      },
    ],
  };
}

describe('objects that must not build', () => {
  it('ignores keys outside uploads/<dataset>/<file>, folder markers, and the config.json upload itself', async () => {
    await env.upload(`uploads/${DATASET}/config.json`, JSON.stringify({ models: ['item', 'user'] }));
    await env.upload('reports/tv shows/ratings.csv', toCsv(RATINGS));
    await env.upload('other/tv shows/ratings.csv', toCsv(RATINGS));
    await env.upload('uploads/loose.csv', toCsv(RATINGS));
    await env.upload(`uploads/${DATASET}/`, '');

    // Only keys under uploads/ reach the handler (the notification filter); it ignores the rest itself.
    expect(env.events.map((event) => event.Records[0].s3.object.key)).toEqual([
      'uploads/tv+shows/config.json',
      'uploads/loose.csv',
      'uploads/tv+shows/',
    ]);
    expect(env.stack.bridge.failed).toEqual([]);
    for (const dataset of [DATASET, 'tv shows/ratings.csv', 'loose.csv', 'reports', 'other']) {
      expect((await env.api(`/v1/datasets/${seg(dataset)}`)).status).toBe(404);
      expect((await env.api(`/v1/datasets/${seg(dataset)}/jobs`)).body).toMatchObject({ jobs: [] });
    }

    // Delivered anyway (a misconfigured notification), the handler still ignores them.
    const outcomes = await env.build({
      Records: ['reports/x/r.csv', 'uploads/x', 'other/uploads/x/r.csv'].flatMap((key) => s3Event(key).Records),
    });
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['ignored', 'ignored', 'ignored']);
    expect((await env.api('/v1/datasets/x')).status).toBe(404);
  });
});

describe('an upload through the S3 API', () => {
  let job: Job;
  let version: string;

  beforeAll(async () => {
    await env.upload(KEY, toCsv(RATINGS));
    expect(env.stack.bridge.failed).toEqual([]);
    const { body } = await env.api<{ jobs: Job[] }>(`${BASE}/jobs`);
    expect(body.jobs).toHaveLength(1);
    job = body.jobs[0];
    version = job.version!;
  });

  it('records a succeeded job with the data-quality summary, for the decoded object key', async () => {
    expect(job).toMatchObject({
      status: 'succeeded',
      source: { bucket: env.stack.bucket, key: KEY },
      reportKey: `reports/${DATASET}/${version}.json`,
      report: {
        rowsRead: RATINGS.length,
        accepted: RATINGS.length,
        ratings: RATINGS.length,
        users: USERS.length,
        items: ITEMS.length,
        duplicatesDropped: 0,
      },
    });
    expect(job.error).toBeUndefined();
    const { status, body } = await env.api<Job>(`${BASE}/jobs/${seg(job.jobId)}`);
    expect(status).toBe(200);
    expect(body).toEqual(job);
  });

  it('writes the full report to S3 next to the upload', async () => {
    const report = await env.getJson(`reports/${DATASET}/${version}.json`);
    expect(report).toMatchObject({
      dataset: DATASET,
      version,
      jobId: job.jobId,
      source: { key: KEY },
      config: { models: ['item', 'user'], measure: 'cosine' },
      report: { ratings: RATINGS.length, users: USERS.length, items: ITEMS.length },
    });
  });

  it('serves the dataset status: the active version, its stats, source and options', async () => {
    const { status, body } = await env.api<Record<string, unknown>>(BASE);
    expect(status).toBe(200);
    // Every item and every user here shares a co-rater with another, so each has a neighbour row.
    const itemRows = ITEMS.filter((item) => neighbours(RATINGS, 'item', item).length > 0).length;
    const userRows = USERS.filter((user) => neighbours(RATINGS, 'user', user).length > 0).length;
    expect(body).toMatchObject({
      dataset: DATASET,
      activeVersion: version,
      versions: [
        {
          version,
          active: true,
          jobId: job.jobId,
          source: { key: KEY },
          stats: { users: USERS.length, items: ITEMS.length, ratings: RATINGS.length, itemRows, userRows },
          options: { models: ['item', 'user'], versionsKept: 3 },
        },
      ],
      latestJob: { jobId: job.jobId, status: 'succeeded' },
    });
  });

  it('recommends by item-based CF with the brute-force scores and explanations, for every user', async () => {
    for (const user of USERS) {
      const { status, body } = await env.api<{ version: string; algorithm: string; items: unknown[] }>(
        `${BASE}/users/${seg(user)}/recommendations?limit=10`,
      );
      expect(status).toBe(200);
      expect(body.version).toBe(version);
      expect(body.algorithm).toBe('item');
      const expected = itemBased(RATINGS, user);
      expect(expected.length).toBeGreaterThan(0); // the data gives every user something
      expect(body.items).toEqual(approx(expected));
    }
  });

  it('recommends by user-based CF with the brute-force scores', async () => {
    for (const user of USERS) {
      const { body } = await env.api<{ algorithm: string; items: unknown[] }>(
        `${BASE}/users/${seg(user)}/recommendations?algorithm=user`,
      );
      expect(body.algorithm).toBe('user');
      expect(body.items).toEqual(approx(userBased(RATINGS, user)));
    }
  });

  it('recommends for a posted anonymous history', async () => {
    const history = new Map([
      ['m4', 5],
      ['ü-film', 2],
    ]);
    const { status, body } = await env.api<{ items: unknown[] }>(`${BASE}/recommendations`, {
      method: 'POST',
      body: { history: [...history].map(([item, rating]) => ({ item, rating })) },
    });
    expect(status).toBe(200);
    expect(body.items).toEqual(approx(itemBasedForHistory(RATINGS, history)));
  });

  it('serves similar items, similar users and popular items', async () => {
    for (const item of ITEMS) {
      const { status, body } = await env.api<{ similar: unknown[] }>(`${BASE}/items/${seg(item)}/similar?limit=100`);
      expect(status).toBe(200);
      expect(body.similar).toEqual(approx(neighbours(RATINGS, 'item', item)));
    }
    for (const user of USERS) {
      const { body } = await env.api<{ similar: unknown[] }>(`${BASE}/users/${seg(user)}/similar?limit=100`);
      expect(body.similar).toEqual(approx(neighbours(RATINGS, 'user', user)));
    }
    const { body } = await env.api<{ items: unknown[] }>(`${BASE}/popular?limit=100`);
    expect(body.items).toEqual(approx(popular(RATINGS, 100)));
  });

  it('answers an unknown user with popular items flagged as a fallback, each explained by its interactions', async () => {
    const { body } = await env.api<{ fallback: unknown; items: Array<{ item: string; because: unknown[] }> }>(
      `${BASE}/users/nobody/recommendations?limit=3`,
    );
    expect(body.fallback).toEqual({ reason: 'unknown-user', algorithm: 'popularity' });
    expect(body.items.map((entry) => entry.item)).toEqual(popular(RATINGS, 3).map((entry) => entry.item));
    for (const { item, because } of body.items) {
      const interactions = RATINGS.filter(([, rated]) => rated === item).length;
      expect(because).toEqual([{ kind: 'popular', interactions, fallback: 'unknown-user' }]);
    }
  });
});

describe('a dataset whose config.json lists only the user model', () => {
  const USER_ONLY = 'users only';

  it('writes user-user rows and no item-item rows, and records models ["user"]', async () => {
    await env.upload(`uploads/${USER_ONLY}/config.json`, JSON.stringify({ models: ['user'] }));
    await env.upload(`uploads/${USER_ONLY}/ratings.csv`, toCsv(RATINGS));
    const { body } = await env.api<{
      activeVersion: string;
      versions: { stats: { itemRows: number; userRows: number }; options: { models: string[] } }[];
    }>(`/v1/datasets/${seg(USER_ONLY)}`);
    const userRows = USERS.filter((user) => neighbours(RATINGS, 'user', user).length > 0).length;
    expect(userRows).toBeGreaterThan(0);
    expect(body.versions[0]).toMatchObject({ stats: { itemRows: 0, userRows }, options: { models: ['user'] } });
    const version = body.activeVersion;
    expect((await env.store.getItemNeighbours(USER_ONLY, version, ITEMS)).size).toBe(0);
    expect((await env.store.getUserNeighbourRows(USER_ONLY, version, USERS)).size).toBe(userRows);
    const { body: similar } = await env.api<{ similar: unknown[] }>(
      `/v1/datasets/${seg(USER_ONLY)}/users/alice/similar?limit=100`,
    );
    expect(similar.similar).toEqual(approx(neighbours(RATINGS, 'user', 'alice')));
  });
});
