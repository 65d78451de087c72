// The same key uploaded twice, back to back, with different bytes: the first upload's event must not build the
// second upload's data. Its build reads the object conditionally on the event's ETag (the local bucket, like an
// unversioned S3 bucket, has no version ids); the newer bytes there mean a newer upload exists, so the job is
// superseded with a message saying so, and the second upload's build wins. Events are captured from the real
// bridge and replayed in upload order, as Lambda would deliver them with the second PUT landing first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Event } from 'aws-lambda';
import { approx, itemBased, toCsv, type Ratings } from '../support/brute-force.js';
import { jobsOf, seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack({ mode: 'capture' });
});
afterAll(async () => {
  await env?.stop();
});

const FIRST: Ratings = [
  ['alice', 'a', 5],
  ['alice', 'b', 1],
  ['bob', 'a', 4],
  ['bob', 'c', 5],
  ['carol', 'b', 5],
  ['carol', 'd', 4],
];
const SECOND: Ratings = [
  ['alice', 'a', 5],
  ['alice', 'b', 1],
  ['bob', 'a', 1],
  ['bob', 'c', 2],
  ['carol', 'b', 5],
  ['carol', 'd', 4],
  ['dave', 'a', 3],
  ['dave', 'e', 5],
];

async function captureUpload(key: string, body: string): Promise<S3Event> {
  const before = env.events.length;
  await env.upload(key, body);
  expect(env.events).toHaveLength(before + 1);
  return env.events[before];
}

describe('the same key overwritten back to back', () => {
  it("builds each upload's own bytes or nothing: the first event is superseded, the second builds", async () => {
    const key = 'uploads/back-to-back/ratings.csv';
    const first = await captureUpload(key, toCsv(FIRST));
    const second = await captureUpload(key, toCsv(SECOND));
    expect(first.Records[0].s3.object.eTag).not.toBe(second.Records[0].s3.object.eTag);

    const [firstOutcome] = await env.build(first);
    expect(firstOutcome).toMatchObject({ status: 'superseded' });
    // Nothing of the first build is left: no manifest, no rows, no registry entry.
    expect(await env.store.getManifest('back-to-back')).toBeUndefined();
    expect(await env.registeredVersions('back-to-back')).toEqual([]);
    const [firstJob] = await jobsOf(env, 'back-to-back');
    expect(firstJob).toMatchObject({ status: 'superseded', source: { key } });
    expect((firstJob as unknown as { message: string }).message).toMatch(/replaced by a newer upload/);
    expect((firstJob as unknown as { message: string }).message).toContain(first.Records[0].s3.object.eTag);

    const [secondOutcome] = await env.build(second);
    expect(secondOutcome).toMatchObject({ status: 'succeeded' });
    const manifest = await env.store.getManifest('back-to-back');
    expect(manifest?.versions.map((v) => v.source.eTag)).toEqual([second.Records[0].s3.object.eTag]);
    const served = await env.api<{ items: unknown[] }>(
      `/v1/datasets/${seg('back-to-back')}/users/alice/recommendations`,
    );
    expect(served.body.items).toEqual(approx(itemBased(SECOND, 'alice')));
    expect(itemBased(SECOND, 'alice')).not.toEqual(itemBased(FIRST, 'alice'));
  });
});
