// Typed events through the deployed build on the local stack (dynalite + s3rver): a config with eventWeights makes
// the served scores those of the weighted, combined matrix (by hand, then brute force); a bad eventWeights or
// halfLifeDays fails the build naming the field, and the previous model keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approx, itemBased, type Ratings } from '../support/brute-force.js';
import { jobsOf, seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const DATASET = 'typed';
const CONFIG = `uploads/${DATASET}/config.json`;
const signLog1p = (sum: number) => Math.fround(Math.sign(sum) * Math.log1p(Math.abs(sum)));

const EVENTS = [
  'user,item,type,timestamp',
  'carol,a,view,1',
  'carol,c,play,2',
  'dave,b,view,3',
  'dave,d,view,4',
  'alice,a,play,5',
  'alice,b,view,6',
  'alice,b,dislike,7',
  'erin,d,view,8',
  'erin,d,skip,9', // 1 - 1 = 0: left out
].join('\n');
// By hand: view 1, play 2, dislike -4, skip -1; each pair sign·log1p(sum).
const COMBINED: Ratings = [
  ['carol', 'a', signLog1p(1)],
  ['carol', 'c', signLog1p(2)],
  ['dave', 'b', signLog1p(1)],
  ['dave', 'd', signLog1p(1)],
  ['alice', 'a', signLog1p(2)],
  ['alice', 'b', signLog1p(-3)],
];

let env: PipelineStack;
beforeAll(async () => {
  env = await startPipelineStack();
});
afterAll(async () => {
  await env?.stop();
});

const recommendations = async () =>
  (await env.api<{ version: string; items: unknown[] }>(`/v1/datasets/${seg(DATASET)}/users/alice/recommendations`))
    .body;
const latestJob = async () => (await jobsOf(env, DATASET, 1))[0];

describe('typed events in a build', () => {
  let served: { version: string; items: unknown[] };

  it('serves the scores of the weighted matrix, with the types in the report', async () => {
    await env.upload(CONFIG, JSON.stringify({ eventWeights: { view: 1, play: 2, dislike: -4, skip: -1 } }));
    await env.upload(`uploads/${DATASET}/events.csv`, EVENTS);
    const job = await latestJob();
    expect(job.status).toBe('succeeded');
    served = await recommendations();
    const expected = approx(itemBased(COMBINED, 'alice'));
    expect(served.items).toEqual(expected);
    // d is like b, which alice disliked: its score is negative and it is not recommended at all.
    expect(expected.map((r) => r.item)).toEqual(['c']);
    const report = (await env.getJson(job.reportKey!)) as { report: Record<string, unknown> };
    expect(report.report).toMatchObject({
      eventTypes: { distinct: 4, ignoredRows: 0 },
      weighting: { rule: 'sign-log1p', cancelledPairs: 1 },
    });
  });

  it.each([
    [{ eventWeights: { view: 'high' } }, 'eventWeights.view'],
    [{ eventWeights: { view: 1 }, halfLifeDays: -1 }, 'halfLifeDays'],
  ])('fails the build on %j naming the field; the previous model serves', async (config, field) => {
    await env.upload(CONFIG, JSON.stringify(config));
    await env.upload(`uploads/${DATASET}/events again.csv`, EVENTS);
    const job = await latestJob();
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ where: CONFIG });
    expect(job.error!.message).toContain(`${field}: must be`);
    expect(await recommendations()).toEqual(served);
  });
});
