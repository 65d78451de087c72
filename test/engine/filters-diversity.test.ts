import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../functions/engine/catalogue/index.js';
import { applyCaps, mmrRerank } from '../../functions/engine/filters/index.js';
import { UserInputError } from '../../functions/engine/types.js';
import { bruteForceMmr } from '../support/brute-force.js';

interface Scored {
  item: string;
  score: number;
}

describe('caps', () => {
  const catalogue = new Map<string, CatalogueEntry>(
    [
      { item: 'a', categories: ['jazz', 'live'], series: 's1' },
      { item: 'b', categories: ['jazz'], series: 's1' },
      { item: 'c', categories: ['live'], series: 's2' },
      { item: 'd', categories: ['jazz'] },
      { item: 'e', series: 's1' },
      { item: 'f' },
    ].map((e) => [e.item, e]),
  );
  const lookup = (item: string) => catalogue.get(item);
  const items = ['a', 'b', 'c', 'd', 'e', 'f', 'ghost'].map((item, i) => ({ item, score: 10 - i }));
  const kept = (caps: Parameters<typeof applyCaps>[1], limit?: number) =>
    applyCaps(items, caps, lookup, limit).map((r) => r.item);

  it('keeps greedily in score order under maxPerCategory and maxPerSeries', () => {
    // jazz: a, b; live: a, then c is the second live item.
    expect(kept({ maxPerCategory: 1 })).toEqual(['a', 'e', 'f', 'ghost']);
    expect(kept({ maxPerCategory: 2 })).toEqual(['a', 'b', 'c', 'e', 'f', 'ghost']);
    expect(kept({ maxPerSeries: 1 })).toEqual(['a', 'c', 'd', 'f', 'ghost']);
    // b is refused for s1, so it does not count toward jazz: d is the second jazz item.
    expect(kept({ maxPerCategory: 2, maxPerSeries: 1 })).toEqual(['a', 'c', 'd', 'f', 'ghost']);
    expect(kept({ maxPerCategory: 1 }, 2)).toEqual(['a', 'e']);
    expect(kept({})).toEqual(items.map((r) => r.item));
  });

  it('refuses caps that are not whole numbers ≥ 1', () => {
    for (const bad of [0, -1, 1.5, NaN]) {
      expect(() => applyCaps(items, { maxPerCategory: bad }, lookup)).toThrow(UserInputError);
      expect(() => applyCaps(items, { maxPerSeries: bad }, lookup)).toThrow(UserInputError);
    }
  });

  it('property: caps hold, and every skipped item would have broken one (brute force over the kept prefix)', () => {
    const entry = fc.record({
      categories: fc.uniqueArray(fc.constantFrom('c1', 'c2', 'c3', 'c4'), { maxLength: 3 }),
      series: fc.option(fc.constantFrom('s1', 's2', 's3'), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 25 }),
        fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
        fc.integer({ min: 0, max: 30 }),
        (entries, maxPerCategory, maxPerSeries, limit) => {
          const map = new Map(entries.map((e, i) => [`i${i}`, { item: `i${i}`, ...e } as CatalogueEntry]));
          const list = [...map.keys()].map((item, i) => ({ item, score: 100 - i }));
          const caps = { maxPerCategory, maxPerSeries };
          const result = applyCaps(list, caps, (id) => map.get(id), limit);
          expect(applyCaps(list, caps, (id) => map.get(id), limit)).toEqual(result);
          const keptIds = new Set(result.map((r) => r.item));
          const count = (before: number, test: (e: CatalogueEntry) => boolean) =>
            list.slice(0, before).filter((r) => keptIds.has(r.item) && test(map.get(r.item)!)).length;
          let keptSoFar = 0;
          list.forEach((r, index) => {
            const e = map.get(r.item)!;
            const breaks =
              (maxPerCategory !== undefined &&
                (e.categories ?? []).some((c) => count(index, (o) => o.categories!.includes(c)) >= maxPerCategory)) ||
              (maxPerSeries !== undefined &&
                e.series !== undefined &&
                count(index, (o) => o.series === e.series) >= maxPerSeries);
            if (keptSoFar < limit) expect(keptIds.has(r.item)).toBe(!breaks);
            else expect(keptIds.has(r.item)).toBe(false);
            if (keptIds.has(r.item)) keptSoFar++;
          });
          for (const c of ['c1', 'c2', 'c3', 'c4'])
            if (maxPerCategory !== undefined)
              expect(result.filter((r) => map.get(r.item)!.categories!.includes(c)).length).toBeLessThanOrEqual(
                maxPerCategory,
              );
          for (const s of ['s1', 's2', 's3'])
            if (maxPerSeries !== undefined)
              expect(result.filter((r) => map.get(r.item)!.series === s).length).toBeLessThanOrEqual(maxPerSeries);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('MMR', () => {
  const candidates: Scored[] = [
    { item: 'a', score: 1 },
    { item: 'b', score: 0.9 },
    { item: 'c', score: 0.5 },
  ];
  const sim = (x: string, y: string) => ((x === 'a' && y === 'b') || (x === 'b' && y === 'a') ? 1 : 0);

  it('matches a hand calculation', () => {
    // d = 0.5: a (0.5); then b: 0.45 − 0.5 = −0.05 < c: 0.25 − 0 → c; then b.
    expect(mmrRerank(candidates, 3, 0.5, sim).map((c) => c.item)).toEqual(['a', 'c', 'b']);
    // d = 0.05: b 0.95·0.9 − 0.05·1 = 0.805 > c 0.475 → score order.
    expect(mmrRerank(candidates, 3, 0.05, sim).map((c) => c.item)).toEqual(['a', 'b', 'c']);
    expect(mmrRerank(candidates, 3, 0, () => 1).map((c) => c.item)).toEqual(['a', 'b', 'c']);
    expect(mmrRerank(candidates, 2, 0.5, sim).map((c) => c.item)).toEqual(['a', 'c']);
    expect(mmrRerank(candidates, 10, 0.5, sim)).toHaveLength(3);
  });

  it('refuses a diversity outside 0..1', () => {
    for (const bad of [-0.1, 1.1, NaN]) expect(() => mmrRerank(candidates, 3, bad, sim)).toThrow(UserInputError);
  });

  it('property: equals brute-force MMR, deterministic, ties to the earlier candidate', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -4, max: 8 }), { minLength: 0, maxLength: 14 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 14 * 14, maxLength: 14 * 14 }),
        fc.constantFrom(0, 0.25, 0.5, 0.75, 1),
        fc.integer({ min: 0, max: 16 }),
        (scores, grid, diversity, limit) => {
          // Quantised scores and similarities make ties common; the similarity is symmetric.
          // Best first, as the scorers give them (score desc, id asc).
          const list = scores
            .map((s, i) => ({ item: `i${String(i).padStart(2, '0')}`, score: s / 4 }))
            .sort((x, y) => y.score - x.score || (x.item < y.item ? -1 : 1));
          const index = new Map(list.map((c, i) => [c.item, i]));
          const similarity = (x: string, y: string) => {
            const [p, q] = [index.get(x)!, index.get(y)!].sort((m, n) => m - n);
            return grid[p * 14 + q] / 4;
          };
          const result = mmrRerank(list, limit, diversity, similarity);
          expect(result).toEqual(bruteForceMmr(list, limit, diversity, similarity));
          expect(mmrRerank(list, limit, diversity, similarity)).toEqual(result);
        },
      ),
      { numRuns: 400 },
    );
  });
});
