// The combine rules of a (user, item) pair's rows (data/combine-events.ts) on a hand-made log: each rule's value by
// hand, decay from the newest timestamp, the same log giving the same bits, and the failures naming their field.
import { describe, expect, it } from 'vitest';
import { buildRatingMatrix, combineEvents, InteractionLog } from '../../functions/engine/data/index.js';
import { MAX_ABS_VALUE, UserInputError } from '../../functions/engine/types.js';

/** a-x: 1 @10, 4 @30, -2 @20 (latest is the 4); a-y: 2 @40; b-x: 1 @40, -1 @40 (sums to 0). */
function log(): InteractionLog {
  const l = new InteractionLog();
  l.add('a', 'x', 1, 10);
  l.add('a', 'x', 4, 30);
  l.add('b', 'x', 1, 40);
  l.add('a', 'x', -2, 20);
  l.add('a', 'y', 2, 40);
  l.add('b', 'x', -1, 40);
  return l;
}

const valuesOf = (l: InteractionLog, rule: 'latest' | 'sum' | 'sign-log1p' | 'clamp', halfLifeDays?: number) =>
  Array.from(buildRatingMatrix(l, { rule, halfLifeDays }).matrix.byUser.values);

describe('combineEvents', () => {
  it('applies each rule to a pair’s rows (a-x, a-y, then b-x when it is not 0)', () => {
    expect(valuesOf(log(), 'sum')).toEqual([3, 2]);
    expect(valuesOf(log(), 'sign-log1p')).toEqual([Math.fround(Math.log1p(3)), Math.fround(Math.log1p(2))]);
    expect(valuesOf(log(), 'clamp')).toEqual([3, 2]);
    // latest: a-x's 4 (@30), a-y's 2, b-x's -1 (the later of two rows @40).
    expect(valuesOf(log(), 'latest')).toEqual([4, 2, -1]);
    const big = new InteractionLog();
    big.add('a', 'x', 3, 1);
    big.add('a', 'x', 3, 2);
    expect(valuesOf(big, 'clamp')).toEqual([4]);
    const result = buildRatingMatrix(log(), { rule: 'sum' });
    expect(result.weighting?.cancelledPairs).toBe(1);
    expect(result.duplicatesDropped).toBe(3); // 6 rows, 3 pairs
    expect(result.matrix.users.size).toBe(2); // b stays a known user, without entries
    expect(Array.from(result.matrix.timestamps ?? [])).toEqual([30, 40]);
  });

  it('decays each row by 0.5^(age / half-life), age from the newest timestamp (here 40 s; half-life 10 s)', () => {
    const halfLife = 10 / 86_400;
    // a-x: 1·0.5^3 + 4·0.5^1 - 2·0.5^2 = 0.125 + 2 - 0.5; a-y: 2; b-x: 1 - 1 = 0.
    expect(valuesOf(log(), 'sum', halfLife)).toEqual([1.625, 2]);
    // latest: the winner decays: 4 · 0.5 = 2.
    expect(valuesOf(log(), 'latest', halfLife)).toEqual([2, 2, -1]);
  });

  it('gives the same bits for the same log', () => {
    const bits = () =>
      Buffer.from(buildRatingMatrix(log(), { rule: 'sign-log1p', halfLifeDays: 0.3 }).matrix.byUser.values.buffer);
    expect(bits().equals(bits())).toBe(true);
  });

  it('fails a row without a timestamp under decay naming halfLifeDays, and a value past ±MAX_ABS_VALUE', () => {
    const undated = new InteractionLog();
    undated.add('a', 'x', 1, 5);
    undated.add('a', 'y', 1);
    expect(() => combineEvents(undated, { rule: 'sum', halfLifeDays: 1 })).toThrow(
      expect.objectContaining({ where: 'halfLifeDays', message: expect.stringContaining('row 2') }),
    );
    const huge = new InteractionLog();
    huge.add('a', 'x', MAX_ABS_VALUE, 1);
    huge.add('a', 'x', MAX_ABS_VALUE, 2);
    expect(() => combineEvents(huge, { rule: 'sum' })).toThrow(UserInputError);
    expect(Array.from(combineEvents(huge, { rule: 'sign-log1p' }).matrix.byUser.values)).toEqual([
      Math.fround(Math.log1p(2 * MAX_ABS_VALUE)),
    ]);
  });
});
