import { describe, expect, it } from 'vitest';
import {
  averagePrecisionAtK,
  catalogueCoverage,
  hitRateAtK,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  reciprocalRank,
} from '../../functions/engine/evaluate/index.js';
import { UserInputError } from '../../functions/engine/types.js';

const ranked = ['a', 'b', 'c', 'd', 'e'];
const relevant = new Set(['b', 'd', 'x']); // hits at ranks 2 and 4; 'x' is never recommended

describe('ranking metrics on hand-computed cases', () => {
  it('precision@k divides the hits in the top k by k', () => {
    expect(precisionAtK(ranked, relevant, 4)).toBe(2 / 4); // b, d in the top 4
    expect(precisionAtK(ranked, relevant, 3)).toBe(1 / 3); // only b
    expect(precisionAtK(ranked, relevant, 1)).toBe(0);
    expect(precisionAtK(ranked, relevant, 10)).toBe(2 / 10); // k beyond the list: still / k
  });

  it('recall@k divides the hits in the top k by |relevant|', () => {
    expect(recallAtK(ranked, relevant, 4)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(ranked, relevant, 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(ranked, relevant, 10)).toBeCloseTo(2 / 3, 12);
  });

  it('nDCG@k uses binary gain and an ideal DCG over min(|relevant|, k) ranks', () => {
    // DCG@4 = 1/log2(3) + 1/log2(5) = 0.6309298 + 0.4306766 = 1.0616064
    // IDCG@4 over min(3, 4) = 3 ranks = 1 + 0.6309298 + 0.5 = 2.1309298
    expect(ndcgAtK(ranked, relevant, 4)).toBeCloseTo(1.0616064 / 2.1309298, 6);
    // k = 2: DCG = 1/log2(3) = 0.6309298; IDCG over 2 ranks = 1.6309298
    expect(ndcgAtK(ranked, relevant, 2)).toBeCloseTo(0.6309298 / 1.6309298, 6);
    // k = 10 > list: DCG as for k = 4, IDCG over min(3, 10) = 3 ranks
    expect(ndcgAtK(ranked, relevant, 10)).toBeCloseTo(1.0616064 / 2.1309298, 6);
    expect(ndcgAtK(['b', 'd', 'x'], relevant, 3)).toBeCloseTo(1, 12); // ideal order
  });

  it('AP@k sums precision at each relevant rank and divides by min(|relevant|, k)', () => {
    // k = 4: P@2 = 1/2 (b), P@4 = 2/4 (d); (0.5 + 0.5) / min(3, 4) = 1/3
    expect(averagePrecisionAtK(ranked, relevant, 4)).toBeCloseTo(1 / 3, 12);
    // k = 2: P@2 = 1/2; 0.5 / min(3, 2) = 0.25
    expect(averagePrecisionAtK(ranked, relevant, 2)).toBeCloseTo(0.25, 12);
    // relevant at ranks 1 and 3 of ['p', 'q', 'r'] with relevant {p, r}: (1/1 + 2/3) / 2 = 0.8333...
    expect(averagePrecisionAtK(['p', 'q', 'r'], new Set(['p', 'r']), 3)).toBeCloseTo(5 / 6, 12);
  });

  it('hit rate@k is 1 when any relevant item is in the top k', () => {
    expect(hitRateAtK(ranked, relevant, 1)).toBe(0);
    expect(hitRateAtK(ranked, relevant, 2)).toBe(1);
    expect(hitRateAtK(ranked, relevant, 10)).toBe(1);
  });

  it('reciprocal rank looks at the whole list', () => {
    expect(reciprocalRank(ranked, relevant)).toBe(1 / 2);
    const long = Array.from({ length: 20 }, (_, i) => `n${i}`);
    expect(reciprocalRank(long, new Set(['n14']))).toBe(1 / 15);
    expect(reciprocalRank(long, new Set(['zz']))).toBe(0);
  });

  it('catalogue coverage counts distinct items over all lists', () => {
    expect(catalogueCoverage([['a', 'b'], ['b', 'c'], []], 10)).toBe(3 / 10);
    expect(catalogueCoverage([], 10)).toBe(0);
    expect(catalogueCoverage([['a']], 0)).toBe(0);
  });

  it('works on numeric ids as well', () => {
    expect(precisionAtK([3, 1, 2], new Set([1]), 2)).toBe(1 / 2);
  });
});

describe('ranking metric edge cases', () => {
  const all = [precisionAtK, recallAtK, ndcgAtK, averagePrecisionAtK, hitRateAtK] as const;

  it('an empty relevant set scores 0 everywhere', () => {
    for (const metric of all) expect(metric(ranked, new Set<string>(), 5)).toBe(0);
    expect(reciprocalRank(ranked, new Set<string>())).toBe(0);
  });

  it('an empty list scores 0 everywhere', () => {
    for (const metric of all) expect(metric([], relevant, 5)).toBe(0);
    expect(reciprocalRank([], relevant)).toBe(0);
  });

  it('a repeated id counts once, at its first rank', () => {
    // ['b', 'b', 'd'] with {b, d}: hits at 1 and 3 -> precision 2/3, AP (1/1 + 2/3) / 2
    expect(precisionAtK(['b', 'b', 'd'], new Set(['b', 'd']), 3)).toBeCloseTo(2 / 3, 12);
    expect(averagePrecisionAtK(['b', 'b', 'd'], new Set(['b', 'd']), 3)).toBeCloseTo(5 / 6, 12);
    expect(recallAtK(['b', 'b'], new Set(['b', 'd']), 2)).toBe(1 / 2);
  });

  it('a perfect list scores 1 on every metric except precision beyond |relevant|', () => {
    const perfect = ['x', 'y'];
    const truth = new Set(perfect);
    expect(recallAtK(perfect, truth, 5)).toBe(1);
    expect(ndcgAtK(perfect, truth, 5)).toBeCloseTo(1, 12);
    expect(averagePrecisionAtK(perfect, truth, 5)).toBe(1);
    expect(hitRateAtK(perfect, truth, 5)).toBe(1);
    expect(reciprocalRank(perfect, truth)).toBe(1);
    expect(precisionAtK(perfect, truth, 5)).toBe(2 / 5);
  });

  it.each([0, -1, 1.5, Number.NaN])('k = %s is refused with a UserInputError', (k) => {
    for (const metric of all) expect(() => metric(ranked, relevant, k)).toThrow(UserInputError);
  });
});
