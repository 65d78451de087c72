import { describe, expect, it } from 'vitest';
import { InteractionLog, buildRatingMatrix, ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import {
  evaluate,
  formatEvaluationTable,
  holdoutSplit,
  leaveLastOutSplit,
  scoreRecommender,
  type Split,
} from '../../functions/engine/evaluate/index.js';
import { syntheticLog } from '../../functions/engine/synthetic/index.js';
import { UserInputError, type RatingMatrix } from '../../functions/engine/types.js';
import { popularity } from '../support/brute-force.js';

/** Every (user, item) -> value, and -> timestamp when present, of a matrix. */
function entries(matrix: RatingMatrix): Map<string, { value: number; timestamp?: number }> {
  const out = new Map<string, { value: number; timestamp?: number }>();
  const { indptr, indices, values } = matrix.byUser;
  for (let u = 0; u < matrix.byUser.rows; u++) {
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      out.set(`${u}/${indices[p]}`, { value: values[p], timestamp: matrix.timestamps?.[p] });
    }
  }
  return out;
}

/** byItem recomputed from byUser by brute force, as sorted "item/user=value" strings. */
function itemView(matrix: RatingMatrix): string[] {
  const fromUsers: string[] = [];
  for (const [key, { value }] of entries(matrix)) {
    const [u, i] = key.split('/');
    fromUsers.push(`${i}/${u}=${value}`);
  }
  return fromUsers.sort();
}

function itemViewFromByItem(matrix: RatingMatrix): string[] {
  const out: string[] = [];
  const { indptr, indices, values } = matrix.byItem;
  for (let i = 0; i < matrix.byItem.rows; i++)
    for (let p = indptr[i]; p < indptr[i + 1]; p++) out.push(`${i}/${indices[p]}=${values[p]}`);
  return out.sort();
}

function checkPartition(matrix: RatingMatrix, split: Split): void {
  const original = entries(matrix);
  const train = entries(split.train);
  const problems: string[] = [];
  let testCount = 0;
  for (const [u, items] of split.test) {
    for (const i of items) {
      const key = `${u}/${i}`;
      if (!original.has(key)) problems.push(`test ${key} is not an original rating`);
      if (train.has(key)) problems.push(`${key} is in train and test`); // disjoint
      testCount++;
    }
  }
  for (const [key, entry] of train) {
    const source = original.get(key);
    if (source?.value !== entry.value || !Object.is(source?.timestamp, entry.timestamp))
      problems.push(`train ${key} differs`);
  }
  expect(problems).toEqual([]);
  expect(train.size + testCount).toBe(original.size); // union = original
  expect(split.train.users).toBe(matrix.users);
  expect(split.train.items).toBe(matrix.items);
  expect(itemViewFromByItem(split.train)).toEqual(itemView(split.train));
}

const synthetic = buildRatingMatrix(syntheticLog({ users: 120, items: 90, ratings: 2400, seed: 21 })).matrix;

describe('holdout split', () => {
  it('partitions the ratings: disjoint, union = original, values and timestamps kept, byItem consistent', () => {
    checkPartition(synthetic, holdoutSplit(synthetic, { ratio: 0.25, seed: 3 }));
  });

  it('holds out clamp(round(ratio * n), 1, n - 1) ratings per user with n >= 2, none for n = 1', () => {
    // user 0: 1 rating; user 1: 2; user 2: 5; user 3: 10
    const dense = [
      [4, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [1, 2, 0, 0, 0, 0, 0, 0, 0, 0],
      [1, 2, 3, 4, 5, 0, 0, 0, 0, 0],
      [1, 2, 3, 4, 5, 1, 2, 3, 4, 5],
    ];
    const matrix = ratingMatrixFromDense(dense);
    const split = holdoutSplit(matrix, { ratio: 0.3, seed: 9 });
    expect(split.test.has(0)).toBe(false); // one rating: train only
    expect(split.test.get(1)?.size).toBe(1); // round(0.6) = 1, and 1 <= n - 1
    expect(split.test.get(2)?.size).toBe(2); // round(1.5) = 2
    expect(split.test.get(3)?.size).toBe(3); // round(3.0) = 3
    const high = holdoutSplit(matrix, { ratio: 0.95, seed: 9 });
    expect(high.test.get(1)?.size).toBe(1); // round(1.9) = 2, capped at n - 1 = 1
    expect(high.test.get(3)?.size).toBe(9); // round(9.5) = 10, capped at 9: one item stays in train
    checkPartition(matrix, high);
  });

  it('follows the ratio on every user of a larger data set', () => {
    const split = holdoutSplit(synthetic, { ratio: 0.2, seed: 5 });
    const { indptr } = synthetic.byUser;
    for (let u = 0; u < synthetic.users.size; u++) {
      const n = indptr[u + 1] - indptr[u];
      const expected = n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(0.2 * n)));
      expect(split.test.get(u)?.size ?? 0).toBe(expected);
    }
  });

  it('is deterministic by seed and differs between seeds', () => {
    const asKeys = (split: Split): string[] =>
      [...split.test].map(([u, items]) => `${u}:${[...items].sort((a, b) => a - b)}`);
    expect(asKeys(holdoutSplit(synthetic, { seed: 7 }))).toEqual(asKeys(holdoutSplit(synthetic, { seed: 7 })));
    expect(asKeys(holdoutSplit(synthetic, { seed: 7 }))).not.toEqual(asKeys(holdoutSplit(synthetic, { seed: 8 })));
  });

  it.each([0, 1, 1.5, -0.2, Number.NaN])('ratio %s is refused', (ratio) => {
    expect(() => holdoutSplit(synthetic, { ratio })).toThrow(UserInputError);
    expect(() => holdoutSplit(synthetic, { ratio })).toThrow(/between 0 and 1/);
  });
});

describe('leave-last-out split', () => {
  it("holds out each user's latest rating (by timestamp, not by position)", () => {
    const log = new InteractionLog();
    log.add('ann', 'm1', 5, 300);
    log.add('ann', 'm2', 4, 100);
    log.add('ann', 'm3', 3, 200); // ann's latest: m1 (300), first in the file
    log.add('bob', 'm2', 2, 50);
    log.add('bob', 'm3', 1, 70); // bob's latest: m3
    log.add('cat', 'm1', 4, 10); // one rating: train only
    log.add('dan', 'm1', 3); // no timestamps at all: train only
    log.add('dan', 'm2', 3);
    log.add('eve', 'm3', 2); // the untimed rating never counts as latest
    log.add('eve', 'm2', 2, 5);
    const { matrix } = buildRatingMatrix(log);
    const split = leaveLastOutSplit(matrix);
    const test = new Map(
      [...split.test].map(([u, items]) => [matrix.users.idAt(u), [...items].map((i) => matrix.items.idAt(i))]),
    );
    expect(test).toEqual(
      new Map([
        ['ann', ['m1']],
        ['bob', ['m3']],
        ['eve', ['m2']],
      ]),
    );
    checkPartition(matrix, split);
  });

  it('matches a brute-force arg-max on synthetic data', () => {
    const split = leaveLastOutSplit(synthetic);
    const latest = new Map<number, { item: number; time: number }>();
    const counts = new Map<number, number>();
    for (const [key, { timestamp }] of entries(synthetic)) {
      const [u, i] = key.split('/').map(Number);
      counts.set(u, (counts.get(u) ?? 0) + 1);
      const best = latest.get(u);
      if (!best || (timestamp as number) > best.time) latest.set(u, { item: i, time: timestamp as number });
    }
    for (const [u, n] of counts) {
      if (n < 2) expect(split.test.has(u)).toBe(false);
      else expect([...(split.test.get(u) ?? [])]).toEqual([latest.get(u)?.item]);
    }
    checkPartition(synthetic, split);
  });

  it('refuses a matrix without timestamps and points to the holdout split', () => {
    const matrix = ratingMatrixFromDense([
      [1, 2],
      [3, 4],
    ]);
    expect(() => leaveLastOutSplit(matrix)).toThrow(UserInputError);
    expect(() => leaveLastOutSplit(matrix)).toThrow(/timestamps/);
    try {
      leaveLastOutSplit(matrix);
    } catch (error) {
      expect((error as UserInputError).hint).toMatch(/holdout/);
    }
  });
});

describe('scoreRecommender', () => {
  it('an oracle that returns the held-out items scores 1 on recall, nDCG, MAP, hit rate and MRR', () => {
    const split = holdoutSplit(synthetic, { ratio: 0.2, seed: 4 });
    const users = [...split.test.keys()];
    const k = Math.max(...[...split.test.values()].map((items) => items.size)); // every held-out set fits
    const oracle = scoreRecommender(split, users, k, (user) => ({ items: [...(split.test.get(user) ?? [])] }));
    expect(oracle.users).toBe(users.length);
    for (const metric of ['recall', 'ndcg', 'map', 'hitRate', 'mrr'] as const)
      expect(oracle[metric]).toBeCloseTo(1, 12);
    // Precision is |test| / k per user.
    const expectedPrecision = users.reduce((sum, u) => sum + (split.test.get(u)?.size ?? 0) / k, 0) / users.length;
    expect(oracle.precision).toBeCloseTo(expectedPrecision, 12);
    // Coverage: distinct held-out items / catalogue.
    const distinct = new Set(users.flatMap((u) => [...(split.test.get(u) ?? [])]));
    expect(oracle.coverage).toBeCloseTo(distinct.size / synthetic.items.size, 12);
  });

  it('a recommender that never hits scores 0 and counts fallbacks', () => {
    const split = holdoutSplit(synthetic, { ratio: 0.2, seed: 4 });
    const users = [...split.test.keys()];
    const miss = scoreRecommender(split, users, 5, () => ({ items: [], fallback: true }));
    expect([miss.precision, miss.recall, miss.ndcg, miss.map, miss.hitRate, miss.mrr, miss.coverage]).toEqual([
      0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(miss.fallbackUsers).toBe(users.length);
  });
});

describe('evaluate', () => {
  it('reports a popularity baseline plus one row per configuration, with consistent metrics', async () => {
    const report = await evaluate(synthetic, {
      split: 'holdout',
      ratio: 0.2,
      seed: 2,
      k: 5,
      configs: [
        { name: 'item-cosine', algorithm: 'item' },
        { name: 'user-jaccard', algorithm: 'user', similarity: { measure: 'jaccard', k: 20 } },
      ],
      threads: 1,
    });
    expect(report.rows.map((row) => [row.name, row.algorithm])).toEqual([
      ['popularity', 'popularity'],
      ['item-cosine', 'item'],
      ['user-jaccard', 'user'],
    ]);
    const split = holdoutSplit(synthetic, { ratio: 0.2, seed: 2 });
    const maxTest = Math.max(...[...split.test.values()].map((items) => items.size));
    expect(report.split.testUsers).toBe(split.test.size);
    expect(report.evaluatedUsers).toBe(split.test.size);
    expect(report.split.trainRatings + report.split.testRatings).toBe(2400);
    expect(report.dataset).toEqual({ users: 120, items: synthetic.items.size, ratings: 2400 });
    for (const row of report.rows) {
      expect(row.users).toBe(split.test.size);
      for (const metric of [row.precision, row.recall, row.ndcg, row.map, row.hitRate, row.mrr, row.coverage]) {
        expect(metric).toBeGreaterThanOrEqual(0);
        expect(metric).toBeLessThanOrEqual(1);
      }
      expect(row.precision).toBeLessThanOrEqual(row.hitRate); // at least one hit per precise user
      expect(row.recall).toBeGreaterThanOrEqual(row.hitRate / maxTest - 1e-12); // a hit is >= 1/|test| of recall
      expect(row.mrr).toBeLessThanOrEqual(row.hitRate + 1e-12);
      expect(row.buildSeconds).toBeGreaterThanOrEqual(0);
    }
    expect(report.rows[2].similarity).toEqual({
      measure: 'jaccard',
      k: 20,
      shrinkage: 0,
      minSupport: 1,
      implicit: false,
    });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('the popularity row matches a brute-force popularity recommender scored by hand', async () => {
    const report = await evaluate(synthetic, { split: 'holdout', seed: 6, k: 5, configs: [] });
    const { train, test } = holdoutSplit(synthetic, { seed: 6 });
    // Popularity by the shared brute force (distinct raters desc, mean value desc, item id asc), as item indices.
    const values = Array.from({ length: train.users.size }, () => new Array<number>(train.items.size).fill(0));
    for (const [key, { value }] of entries(train)) {
      const [u, i] = key.split('/').map(Number);
      values[u][i] = value;
    }
    const idsOf = (ids: RatingMatrix['items']) => Array.from({ length: ids.size }, (_, i) => ids.idAt(i));
    const order = popularity({ values, userIds: idsOf(train.users), itemIds: idsOf(train.items) }).map(
      (p) => train.items.indexOf(p.item) as number,
    );
    let precision = 0;
    let recall = 0;
    const seen = new Set(entries(train).keys());
    for (const [u, held] of test) {
      const top = order.filter((i) => !seen.has(`${u}/${i}`)).slice(0, 5);
      const hits = top.filter((i) => held.has(i)).length;
      precision += hits / 5;
      recall += hits / held.size;
    }
    const row = report.rows[0];
    expect(row.name).toBe('popularity');
    expect(row.precision).toBeCloseTo(precision / test.size, 10);
    expect(row.recall).toBeCloseTo(recall / test.size, 10);
  });

  it('maxUsers evaluates a deterministic sample', async () => {
    const options = {
      split: 'last' as const,
      maxUsers: 30,
      seed: 4,
      configs: [{ name: 'pop', algorithm: 'popularity' as const }],
    };
    const a = await evaluate(synthetic, options);
    const b = await evaluate(synthetic, options);
    expect(a.evaluatedUsers).toBe(30);
    expect(a.rows).toHaveLength(1); // a popularity config is the baseline
    expect(a.rows[0].users).toBe(30);
    const strip = (r: typeof a): unknown => r.rows.map(({ buildSeconds: _b, recommendSeconds: _r, ...rest }) => rest);
    expect(strip(a)).toEqual(strip(b));
    const c = await evaluate(synthetic, { ...options, seed: 5 });
    expect(strip(c)).not.toEqual(strip(a));
  });

  it('refuses bad options with the option named', async () => {
    const run = (options: object): Promise<unknown> =>
      evaluate(synthetic, { split: 'holdout', configs: [], ...options });
    await expect(run({ split: 'random' })).rejects.toThrow(/split must be "holdout" or "last"/);
    await expect(run({ k: 0 })).rejects.toThrow(/k must be an integer/);
    await expect(run({ maxUsers: -3 })).rejects.toThrow(/maxUsers/);
    await expect(
      run({
        configs: [
          { name: 'a', algorithm: 'item' },
          { name: 'a', algorithm: 'user' },
        ],
      }),
    ).rejects.toThrow(/two configurations are named "a"/);
    await expect(run({ configs: [{ name: 'svd', algorithm: 'svd' }] })).rejects.toThrow(
      /configs\[0\] \(svd\) has algorithm "svd"/,
    );
    await expect(run({ configs: [{ name: 'b', algorithm: 'item', similarity: { k: 0 } }] })).rejects.toThrow(
      UserInputError,
    );
    await expect(run({ configs: [{ name: 'b', algorithm: 'item', similarity: { k: 0 } }] })).rejects.toThrow(
      /configs\[0\] \(b\)/,
    );
    const untimed = ratingMatrixFromDense([
      [1, 2],
      [3, 4],
    ]);
    await expect(evaluate(untimed, { split: 'last', configs: [] })).rejects.toThrow(/leave-last-out needs timestamps/);
    await expect(
      evaluate(
        ratingMatrixFromDense([
          [1, 0],
          [0, 4],
        ]),
        { split: 'holdout', configs: [] },
      ),
    ).rejects.toThrow(/nothing to evaluate/);
  });
});

describe('formatEvaluationTable', () => {
  it('prints one aligned line per row with the metrics to 4 decimals', async () => {
    const report = await evaluate(synthetic, {
      split: 'holdout',
      k: 3,
      configs: [{ name: 'item-cosine', algorithm: 'item' }],
      threads: 1,
    });
    const lines = formatEvaluationTable(report).trimEnd().split('\n');
    expect(lines[0]).toContain(`${report.split.trainRatings} train / ${report.split.testRatings} test ratings`);
    expect(lines[1]).toMatch(
      /^config\s+algorithm\s+users\s+P@3\s+R@3\s+nDCG@3\s+MAP@3\s+HR@3\s+MRR\s+coverage\s+fallback\s+build s$/,
    );
    expect(lines).toHaveLength(5);
    report.rows.forEach((row, index) => {
      const line = lines[3 + index];
      expect(line.startsWith(row.name)).toBe(true);
      expect(line).toContain(row.ndcg.toFixed(4));
      expect(line).toContain(row.coverage.toFixed(4));
      expect(line.length).toBe(lines[1].length); // right-aligned numbers end in the same column
    });
  });
});
