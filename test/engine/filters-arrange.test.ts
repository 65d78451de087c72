import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../functions/engine/catalogue/index.js';
import { arrange, type BackfillRanking } from '../../functions/engine/filters/index.js';
import type { Recommendation } from '../../functions/engine/types.js';
import { bruteForceMmr } from '../support/brute-force.js';

const rec = (item: string, score: number): Recommendation => ({ item, score, because: [] });

/** Greedy over scored-then-ranked items (first occurrence), under the rule and the caps: the reference list. */
function reference(
  sequence: string[],
  map: Map<string, CatalogueEntry>,
  accepts: (item: string) => boolean,
  maxPerCategory: number | undefined,
  maxPerSeries: number | undefined,
): string[] {
  const kept: string[] = [];
  for (const item of new Set(sequence)) {
    if (!accepts(item)) continue;
    const e = map.get(item);
    const same = (test: (o: CatalogueEntry | undefined) => boolean) => kept.filter((k) => test(map.get(k))).length;
    if (
      maxPerCategory !== undefined &&
      (e?.categories ?? []).some((c) => same((o) => !!o?.categories?.includes(c)) >= maxPerCategory)
    )
      continue;
    if (maxPerSeries !== undefined && e?.series !== undefined && same((o) => o?.series === e.series) >= maxPerSeries)
      continue;
    kept.push(item);
  }
  return kept;
}

describe('arrange', () => {
  it('filters, caps, re-ranks and backfills in one pass (hand example)', () => {
    const catalogue = new Map<string, CatalogueEntry>(
      [
        { item: 'a', categories: ['jazz'] },
        { item: 'b', categories: ['jazz'] },
        { item: 'c', categories: ['jazz'] },
        { item: 'd', categories: ['rock'] },
        { item: 'p', categories: ['jazz'] },
        { item: 'q', categories: ['rock'] },
      ].map((e) => [e.item, e]),
    );
    const rankings: BackfillRanking[] = [
      {
        reason: 'popular',
        items: [
          { item: 'p', value: 9 },
          { item: 'q', value: 8 },
        ],
      },
    ];
    const result = arrange([rec('a', 4), rec('b', 3), rec('c', 2), rec('d', 1)], {
      limit: 4,
      accepts: (item) => item !== 'd',
      catalogue: (item) => catalogue.get(item),
      caps: { maxPerCategory: 2 },
      rankings,
    });
    // a, b (jazz full: c and p refused), d excluded, q filled in.
    expect(result.map((r) => r.item)).toEqual(['a', 'b', 'q']);
    expect(result[2].because).toEqual([{ kind: 'backfill', reason: 'popular', value: 8 }]);
  });

  it('MMR runs before the caps: the category keeps the item MMR ranks first (hand example)', () => {
    const catalogue = new Map<string, CatalogueEntry>(
      [
        { item: 't', categories: ['pop'] },
        { item: 'j1', categories: ['jazz'] },
        { item: 'j2', categories: ['jazz'] },
      ].map((e) => [e.item, e]),
    );
    const similarity = (a: string, b: string) => ((a === 'j1' && b === 't') || (a === 't' && b === 'j1') ? 1 : 0);
    const options = {
      limit: 2,
      accepts: () => true,
      catalogue: (item: string) => catalogue.get(item),
      caps: { maxPerCategory: 1 },
      similarity,
    };
    const scored = [rec('t', 1), rec('j1', 0.9), rec('j2', 0.8)];
    // Without MMR the caps keep j1 (the better-scored jazz item).
    expect(arrange(scored, { ...options, diversity: 0 }).map((r) => r.item)).toEqual(['t', 'j1']);
    // d = 0.5: t first (0.5); then j1 = 0.5·0.9 − 0.5·1 = −0.05 < j2 = 0.5·0.8 − 0 = 0.4, so j2; j1 is then capped.
    expect(arrange(scored, { ...options, diversity: 0.5 }).map((r) => r.item)).toEqual(['t', 'j2']);
  });

  it('property: the rule and the caps hold, and the list is the greedy reference over the (MMR) order', () => {
    const id = fc.integer({ min: 0, max: 11 }).map((n) => `i${n}`);
    const entry = fc.record({
      categories: fc.uniqueArray(fc.constantFrom('c1', 'c2', 'c3'), { maxLength: 2 }),
      series: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.option(entry, { nil: undefined }), { minLength: 12, maxLength: 12 }),
        fc.uniqueArray(id, { maxLength: 10 }),
        fc.array(id, { maxLength: 12 }),
        fc.uniqueArray(id, { maxLength: 6 }),
        fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
        fc.constantFrom(0, 0.5, 1),
        fc.integer({ min: 0, max: 14 }),
        (entries, scoredIds, rankedIds, blockedIds, maxPerCategory, maxPerSeries, diversity, limit) => {
          const map = new Map<string, CatalogueEntry>();
          entries.forEach((e, i) => e && map.set(`i${i}`, { item: `i${i}`, ...e }));
          const blocked = new Set(blockedIds);
          const accepts = (item: string) => !blocked.has(item);
          const options = {
            limit,
            accepts,
            catalogue: (item: string) => map.get(item),
            caps: { maxPerCategory, maxPerSeries },
            diversity,
            similarity: (a: string, b: string) => (map.get(a)?.series === map.get(b)?.series ? 1 : 0),
            rankings: [{ reason: 'popular' as const, items: rankedIds.map((item) => ({ item, value: 1 })) }],
          };
          const scored = scoredIds.map((item, i) => rec(item, 10 - i));
          const result = arrange(scored, options);
          expect(arrange(scored, options)).toEqual(result);
          // The reference order: the accepted scored items in brute-force MMR order (all of them), then the ranking.
          const filtered = scored.filter((r) => accepts(r.item));
          const order = bruteForceMmr(filtered, filtered.length, diversity, options.similarity).map((r) => r.item);
          const want = reference([...order, ...rankedIds], map, accepts, maxPerCategory, maxPerSeries);
          expect(result.map((r) => r.item)).toEqual(want.slice(0, limit));
          if (diversity === 0) {
            const plain = reference([...scoredIds, ...rankedIds], map, accepts, maxPerCategory, maxPerSeries);
            expect(result.map((r) => r.item)).toEqual(plain.slice(0, limit));
          }
          // Whatever the order, the listed set obeys the rule and every cap.
          const items = result.map((r) => r.item);
          expect(new Set(items).size).toBe(items.length);
          for (const item of items) expect(blocked.has(item)).toBe(false);
          for (const c of ['c1', 'c2', 'c3'])
            if (maxPerCategory !== undefined)
              expect(items.filter((i) => map.get(i)?.categories?.includes(c)).length).toBeLessThanOrEqual(
                maxPerCategory,
              );
          for (const s of ['s1', 's2'])
            if (maxPerSeries !== undefined)
              expect(items.filter((i) => map.get(i)?.series === s).length).toBeLessThanOrEqual(maxPerSeries);
        },
      ),
      { numRuns: 400 },
    );
  });
});
