// A reader polling the API while a second upload builds must see either the whole old model or the whole new
// one, never rows of one under the other's version, and never go back to the old one once it saw the new one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticInteractions } from '../../functions/engine/synthetic/index.js';
import { approx, itemBased, neighbours, toCsv, type Ratings } from '../support/brute-force.js';
import { seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const DATASET = 'live';
const BASE = `/v1/datasets/${seg(DATASET)}`;

/** The reader's corner of the catalogue; the same ids score differently in each version. */
const V1: Ratings = [
  ['viewer', 'a', 5],
  ['viewer', 'b', 1],
  ['p', 'a', 4],
  ['p', 'c', 5],
  ['q', 'b', 5],
  ['q', 'd', 3],
];
// The new upload changes the corner and adds a larger, unrelated catalogue (its users rate only its items, so it
// cannot change the corner's scores) that keeps the build busy while the reader polls.
const V2: Ratings = [
  ['viewer', 'a', 5],
  ['viewer', 'b', 1],
  ['p', 'a', 2],
  ['p', 'c', 5],
  ['p', 'd', 1],
  ['q', 'b', 5],
  ['q', 'd', 4],
  ['r', 'a', 3],
  ['r', 'e', 5],
  ...[
    ...syntheticInteractions({
      users: 1500,
      items: 300,
      ratings: 9000,
      seed: 3,
      timestamps: false,
      userPrefix: 'f',
      itemPrefix: 'g',
    }),
  ].map(({ user, item, value }): [string, string, number] => [user, item, value]),
];

let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack();
});
afterAll(async () => {
  await env?.stop();
});

interface Observation {
  recommendations: { status: number; version: string; items: unknown[] };
  similar: { status: number; version: string; similar: unknown[] };
}

async function observe(): Promise<Observation> {
  const [recommendations, similar] = await Promise.all([
    env.api<{ version: string; items: unknown[] }>(`${BASE}/users/viewer/recommendations`),
    env.api<{ version: string; similar: unknown[] }>(`${BASE}/items/a/similar?limit=100`),
  ]);
  return {
    recommendations: { status: recommendations.status, ...recommendations.body },
    similar: { status: similar.status, ...similar.body },
  };
}

describe('a reader during a rebuild', () => {
  it('sees whole versions only, in upload order', async () => {
    const expected = (ratings: Ratings) => ({
      items: approx(itemBased(ratings, 'viewer')),
      similar: approx(neighbours(ratings, 'item', 'a')),
    });
    const oracle = [expected(V1), expected(V2)];
    expect(JSON.stringify(oracle[0].items)).not.toBe(JSON.stringify(oracle[1].items)); // the versions are distinguishable

    await env.upload(`uploads/${DATASET}/day1.csv`, toCsv(V1));
    const v1 = (await env.store.getManifest(DATASET))!.activeVersion;

    const observations: Array<Observation & { during: boolean }> = [];
    let building = true;
    const reader = (async () => {
      // Bounded: stops by itself even if the build never finishes.
      for (let polls = 0; polls < 2000 && (building || observations.filter((o) => !o.during).length < 3); polls++) {
        const during = building;
        observations.push({ ...(await observe()), during });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await env.upload(`uploads/${DATASET}/day2.csv`, toCsv(V2));
    building = false;
    await reader;

    expect(env.stack.bridge.failed).toEqual([]);
    const v2 = (await env.store.getManifest(DATASET))!.activeVersion;
    expect(v2).not.toBe(v1);
    expect(observations.filter((o) => o.during).length).toBeGreaterThan(0);

    let newest = 0;
    for (const { recommendations, similar } of observations) {
      for (const response of [recommendations, similar]) {
        expect(response.status).toBe(200);
        expect([v1, v2]).toContain(response.version);
      }
      const index = recommendations.version === v1 ? 0 : 1;
      expect(recommendations.items).toEqual(oracle[index].items);
      expect(similar.similar).toEqual(oracle[similar.version === v1 ? 0 : 1].similar);
      // Responses are requested one after another, so each one's version is at least the previous one's.
      for (const version of [recommendations.version, similar.version]) {
        const order = version === v1 ? 0 : 1;
        expect(order).toBeGreaterThanOrEqual(newest);
      }
      newest = Math.max(newest, index, similar.version === v1 ? 0 : 1);
    }
    expect(observations[0].recommendations.version).toBe(v1);
    expect(observations.at(-1)!.recommendations.version).toBe(v2);
  });
});
