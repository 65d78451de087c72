// The report's chart data (engine/ingest/report-curves.ts): popularity long tail and user activity, by hand.
import { describe, expect, it } from 'vitest';
import { curveRanks, MAX_CURVE_POINTS } from '../../functions/engine/ingest/index.js';
import { load } from './ingest-helpers.js';

/** A CSV of (user, item) pairs, every rating 1. */
const csv = (pairs: [string, string][]) => `user,item,rating\n${pairs.map(([u, i]) => `${u},${i},1`).join('\n')}\n`;

describe('popularity curve and user activity', () => {
  it('samples 10 items at ranks 1, 2, 3, 5, 8, 10 and bins users by items, by hand', async () => {
    // User uj interacted with items i1..ij (j = 1..10): item ik has 11 - k users, user uj has j items.
    const pairs: [string, string][] = [];
    for (let j = 1; j <= 10; j++) for (let k = 1; k <= j; k++) pairs.push([`u${j}`, `i${k}`]);
    const { report } = await load(csv(pairs));
    // Sorted counts 10, 9, …, 1; ranks 1 2 3 5 8 and the last, 10.
    expect(report.popularityCurve).toEqual([
      { rank: 1, users: 10 },
      { rank: 2, users: 9 },
      { rank: 3, users: 8 },
      { rank: 5, users: 6 },
      { rank: 8, users: 3 },
      { rank: 10, users: 1 },
    ]);
    // 1 item: u1; 2: u2; 3-4: u3 u4; 5-8: u5..u8; 9-16: u9 u10.
    expect(report.userActivity).toEqual([
      { min: 1, max: 1, users: 1 },
      { min: 2, max: 2, users: 1 },
      { min: 3, max: 4, users: 2 },
      { min: 5, max: 8, users: 4 },
      { min: 9, max: 16, users: 2 },
    ]);
  });

  it('has one point and one bin for one user and one item', async () => {
    const { report } = await load(csv([['only', 'one']]));
    expect(report.popularityCurve).toEqual([{ rank: 1, users: 1 }]);
    expect(report.userActivity).toEqual([{ min: 1, max: 1, users: 1 }]);
  });

  it('keeps the empty bins between the first and the last non-empty one', async () => {
    // a, b: 1 item each; c: 9 items (bin 9-16); nobody in 2, 3-4, 5-8.
    const items = Array.from({ length: 9 }, (_, k) => `i${k}`);
    const { report } = await load(csv([['a', 'i0'], ['b', 'i1'], ...items.map((i): [string, string] => ['c', i])]));
    expect(report.userActivity).toEqual([
      { min: 1, max: 1, users: 2 },
      { min: 2, max: 2, users: 0 },
      { min: 3, max: 4, users: 0 },
      { min: 5, max: 8, users: 0 },
      { min: 9, max: 16, users: 1 },
    ]);
    // i0 and i1: 2 users each, the other seven 1; 9 items: ranks 1 2 3 5 8 9.
    expect(report.popularityCurve).toEqual([
      { rank: 1, users: 2 },
      { rank: 2, users: 2 },
      { rank: 3, users: 1 },
      { rank: 5, users: 1 },
      { rank: 8, users: 1 },
      { rank: 9, users: 1 },
    ]);
  });

  it('counts distinct users: a duplicate (user, item) row is one user', async () => {
    const { report } = await load(
      csv([
        ['a', 'x'],
        ['a', 'x'],
        ['b', 'x'],
      ]),
    );
    expect(report.popularityCurve).toEqual([{ rank: 1, users: 2 }]);
    expect(report.userActivity).toEqual([{ min: 1, max: 1, users: 2 }]);
  });

  it('names no user or item', async () => {
    const { report } = await load(csv([['secret-user', 'secret-item']]));
    const charts = JSON.stringify([report.popularityCurve, report.userActivity]);
    expect(charts).not.toMatch(/secret/);
  });
});

describe('curveRanks', () => {
  it('is Fibonacci below the count, then the count, never repeated', () => {
    expect(curveRanks(0)).toEqual([]);
    expect(curveRanks(1)).toEqual([1]);
    expect(curveRanks(2)).toEqual([1, 2]);
    expect(curveRanks(4)).toEqual([1, 2, 3, 4]);
    expect(curveRanks(89)).toEqual([1, 2, 3, 5, 8, 13, 21, 34, 55, 89]);
    expect(curveRanks(100)).toEqual([1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 100]);
  });

  it('stays within 64 strictly increasing points, first and last included, for any count', () => {
    for (const items of [7, 1_000, 123_457, 10_000_000, 2 ** 53 - 1]) {
      const ranks = curveRanks(items);
      expect(ranks.length).toBeLessThanOrEqual(MAX_CURVE_POINTS);
      expect(ranks[0]).toBe(1);
      expect(ranks.at(-1)).toBe(items);
      for (let k = 1; k < ranks.length; k++) expect(ranks[k]).toBeGreaterThan(ranks[k - 1]);
    }
  });
});
