// Issue 8 points 5 and 7 through the deployed build handler on the local stack: the deployment's limits come from
// the build function's environment (MAX_INPUT_ROWS here), a dataset's config.json may lower them, and a file past a
// limit or above the rejection threshold fails its job once (a user mistake, not retried) with the message, the
// data-quality report in S3 and in the job record, while the previous model keeps serving.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approx, itemBased, toCsv, type Ratings } from '../support/brute-force.js';
import { jobsOf, seg, startPipelineStack, type JobView, type PipelineStack } from '../support/pipeline-stack.js';

const GOOD: Ratings = [
  ['alice', 'a', 5],
  ['alice', 'b', 2],
  ['bob', 'a', 4],
  ['bob', 'c', 5],
  ['carol', 'b', 4],
  ['carol', 'c', 1],
];
const DEPLOYMENT_MAX_ROWS = 1000;

let env: PipelineStack;

beforeAll(async () => {
  // Read by the build handler at its cold start (the stack imports it after this).
  process.env.MAX_INPUT_ROWS = String(DEPLOYMENT_MAX_ROWS);
  env = await startPipelineStack();
});
afterAll(async () => {
  delete process.env.MAX_INPUT_ROWS;
  await env?.stop();
});

async function latestJob(dataset: string): Promise<JobView> {
  return (await jobsOf(env, dataset, 1))[0];
}

async function recommendationsOf(dataset: string) {
  const response = await env.api<{ version: string; items: unknown[] }>(
    `/v1/datasets/${seg(dataset)}/users/alice/recommendations`,
  );
  return response.body;
}

/** Uploads `body` and checks its job failed once with a report in S3, and the served model did not change. */
async function expectFailed(dataset: string, key: string, body: string | Uint8Array): Promise<JobView> {
  const before = await recommendationsOf(dataset);
  const deliveries = env.events.length;
  await env.upload(key, body);
  expect(env.events.length - deliveries).toBe(1); // not retried
  const job = await latestJob(dataset);
  expect(job.status).toBe('failed');
  expect(job.reportKey).toBe(`reports/${dataset}/${job.version}.json`);
  expect(await recommendationsOf(dataset)).toEqual(before);
  return job;
}

describe('limits and the rejection threshold in the build', () => {
  beforeAll(async () => {
    for (const dataset of ['rows', 'quality', 'lowered']) await env.upload(`uploads/${dataset}/good.csv`, toCsv(GOOD));
  });

  it('the first model builds and serves (the limits leave a small file alone)', async () => {
    expect((await latestJob('rows')).status).toBe('succeeded');
    expect((await recommendationsOf('rows')).items).toEqual(approx(itemBased(GOOD, 'alice')));
  });

  it("a gzip past the deployment's row limit fails, naming MAX_INPUT_ROWS", async () => {
    const rows = Array.from({ length: 5000 }, (_, k) => `u${k % 50},i${k},3`).join('\n');
    // Sorted after good.csv even when both land in the same second (upload order: LastModified, then key).
    const key = 'uploads/rows/later-big.csv.gz';
    const job = await expectFailed('rows', key, gzipSync(rows));
    // good.csv (6 rows) is read first: the limit applies to the dataset's total.
    expect(job.error?.message).toBe(
      `${key} takes the dataset's interaction files past the maxRows limit: 1,001 rows counting the 6 rows of the ` +
        `1 file(s) before it (at ${key}:995), the limit is 1,000 rows`,
    );
    expect(job.error?.hint).toMatch(
      /^this is the deployment's limit: raise MAX_INPUT_ROWS .*CDK context buildMaxInputRows/,
    );
    expect(await env.getJson(job.reportKey!)).toMatchObject({ status: 'failed', error: job.error });
  });

  it('a dataset lowers a limit in its config.json (and cannot raise it)', async () => {
    await env.upload('uploads/lowered/config.json', JSON.stringify({ limits: { maxUsers: 2, maxRows: 1e6 } }));
    const job = await expectFailed('lowered', 'uploads/lowered/three users.csv', toCsv(GOOD));
    expect(job.error?.message).toMatch(/exceeds the maxUsers limit: 3 distinct users .*, the limit is 2$/);
    expect(job.error?.hint).toMatch(/^raise limits\.maxUsers in the dataset's config\.json/);
  });

  it('a file with 99.8% of its rows rejected fails with its data-quality report', async () => {
    const invalid = Buffer.concat(
      Array.from({ length: 499 }, (_, k) =>
        Buffer.concat([Buffer.from(`u${k}`), Buffer.from([0xff]), Buffer.from(',i,4\n')]),
      ),
    );
    const body = Buffer.concat([Buffer.from('alice,a,5\n'), invalid]);
    const job = await expectFailed('quality', 'uploads/quality/broken.csv', body);
    expect(job.error?.message).toMatch(/499 of 500 rows were rejected \(99\.8%\), more than maxRejectedShare 0\.1/);
    expect(job.report).toMatchObject({ rowsRead: 500, accepted: 1, rejected: { 'bad-id': { count: 499 } } });
    const saved = await env.getJson(job.reportKey!);
    expect(saved).toMatchObject({
      status: 'failed',
      error: job.error,
      report: {
        rowsRead: 500,
        accepted: 1,
        rejected: { 'bad-id': { count: 499, lines: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } },
      },
    });
  });
});
