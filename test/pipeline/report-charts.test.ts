// The chart data of a build's report (issue 13's console), end to end on the local stack: the job that
// GET /v1/datasets/{dataset}/jobs/{jobId} returns carries the rating histogram, the popularity curve, user activity
// and each source file's counts, all computed by hand below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsOf, seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const DATASET = 'charts';
// a.csv: 11 rows, the last with a bad rating; b.csv: 3 rows (u6 is in both files).
const A =
  'user,item,rating\nu1,i1,5\nu1,i2,4\nu1,i3,3\nu2,i1,4\nu2,i2,2\nu3,i1,5\nu4,i1,1\nu4,i2,3\nu5,i1,2\nu5,i4,5\nu6,i1,zz\n';
const B = 'user,item,rating\nu6,i2,4\nu6,i3,3\nu7,i5,1\n';

let env: PipelineStack;
beforeAll(async () => {
  env = await startPipelineStack();
});
afterAll(async () => {
  await env?.stop();
});

describe("a build's report in its job", () => {
  it('carries the histogram, popularity curve, user activity and per-file counts', async () => {
    await env.upload(`uploads/${DATASET}/a.csv`, A);
    await env.stack.bridge.idle();
    await env.upload(`uploads/${DATASET}/b.csv`, B);
    await env.stack.bridge.idle();
    const [latest] = await jobsOf(env, DATASET, 1);
    expect(latest.status).toBe('succeeded');
    const { status, body } = await env.api<{ report: Record<string, unknown> }>(
      `/v1/datasets/${seg(DATASET)}/jobs/${seg(latest.jobId)}`,
    );
    expect(status).toBe(200);
    const report = body.report;
    // Ratings 1: (u4,i1) (u7,i5); 2: (u2,i2) (u5,i1); 3: three; 4: three; 5: three.
    expect(report.ratingHistogram).toEqual([
      { value: '1', count: 2 },
      { value: '2', count: 2 },
      { value: '3', count: 3 },
      { value: '4', count: 3 },
      { value: '5', count: 3 },
    ]);
    // Distinct users: i1 5, i2 4, i3 2, i4 1, i5 1; 5 items: ranks 1 2 3 5.
    expect(report.popularityCurve).toEqual([
      { rank: 1, users: 5 },
      { rank: 2, users: 4 },
      { rank: 3, users: 2 },
      { rank: 5, users: 1 },
    ]);
    // Items per user: u1 3; u2 u4 u5 u6 2; u3 u7 1.
    expect(report.userActivity).toEqual([
      { min: 1, max: 1, users: 2 },
      { min: 2, max: 2, users: 4 },
      { min: 3, max: 4, users: 1 },
    ]);
    expect(report.files).toEqual([
      { file: `uploads/${DATASET}/a.csv`, rowsRead: 11, accepted: 10, rejected: 1 },
      { file: `uploads/${DATASET}/b.csv`, rowsRead: 3, accepted: 3, rejected: 0 },
    ]);
    expect(report.filesOmitted).toBeUndefined();
    expect(report.rejected).toEqual({ 'bad-rating': { count: 1, example: expect.stringContaining('a.csv') } });

    // The build recorded the dataset in the directory: GET /v1/datasets lists it with the job's version.
    const listed = await env.api<{ datasets: { dataset: string }[] }>('/v1/datasets');
    expect(listed.body.datasets.find((d) => d.dataset === DATASET)).toMatchObject({
      activeVersion: latest.version,
      versions: 2,
      stats: { users: 7, items: 5, ratings: 13 },
      lastJob: { jobId: latest.jobId, status: 'succeeded' },
    });
  });
});
