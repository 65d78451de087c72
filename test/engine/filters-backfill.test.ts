import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../functions/engine/catalogue/index.js';
import {
  backfill,
  filterCandidates,
  GroupCaps,
  parseFilterQuery,
  popularBackfill,
  requestAccepts,
  trendingBackfill,
  type BackfillRanking,
} from '../../functions/engine/filters/index.js';
import { explanationRecord, isContribution } from '../../functions/engine/recommend/index.js';
import type { PopularItem, Recommendation } from '../../functions/engine/types.js';

const NOW = Date.UTC(2026, 0, 1);
const rec = (item: string, score: number): Recommendation => ({
  item,
  score,
  because: [{ id: 'h', kind: 'item', similarity: 1, value: score, contribution: score, share: 1 }],
});
const popular = (item: string, count: number, meanValue = 1): PopularItem => ({ item, count, meanValue });

const catalogue = new Map<string, CatalogueEntry>(
  [
    { item: 'a', categories: ['jazz'] },
    { item: 'b', categories: ['rock'] },
    { item: 'p1', categories: ['jazz'] },
    { item: 'p2', categories: ['rock'] },
    { item: 'p3', categories: ['jazz'] },
    { item: 'p4', categories: ['jazz'] },
    { item: 'p5', categories: ['jazz'] },
  ].map((e) => [e.item, e]),
);
const lookup = (item: string) => catalogue.get(item);
// Deliberately out of order: popularBackfill ranks by count desc, mean desc, id asc.
const popularity = [popular('p5', 1), popular('p2', 9), popular('a', 10), popular('p1', 9, 2), popular('p3', 5)];
const popularLabel = (value: number) => [{ kind: 'backfill', reason: 'popular', value }];

describe('backfill', () => {
  it('fills a filtered list from popularity within the same filter, each item labelled, scored 0', () => {
    const filter = parseFilterQuery('category:jazz', { attributes: [] });
    const scored = filterCandidates([rec('b', 4), rec('a', 3)], lookup, filter, NOW);
    const accepts = requestAccepts({ excludeSeen: true }, ['p3'], filter, lookup, NOW);
    const result = backfill(scored, 3, [popularBackfill(popularity)], accepts);
    // a scored; then popularity order a(10, listed), p1 (9, mean 2), p2 (9: rock), p3 (seen), p5.
    expect(result).toEqual([
      scored[0],
      { item: 'p1', score: 0, because: popularLabel(9) },
      { item: 'p5', score: 0, because: popularLabel(1) },
    ]);
  });

  it('publishes the label as it is (explanationRecord), and isContribution tells it apart', () => {
    const [label] = backfill([], 1, [popularBackfill([popular('p1', 3)])], () => true)[0].because;
    expect(explanationRecord(label)).toEqual({ kind: 'backfill', reason: 'popular', value: 3 });
    expect(isContribution(label)).toBe(false);
  });

  it('gives fewer than limit only when fewer exist', () => {
    const filter = parseFilterQuery('category:jazz', { attributes: [] });
    const accepts = requestAccepts({ excludeSeen: true, exclude: ['p5'] }, [], filter, lookup, NOW);
    // Jazz items that exist: a (scored), p1, p3, p4 — but p4 is in no ranking, and p5 is excluded.
    const result = backfill([rec('a', 3)], 10, [popularBackfill(popularity)], accepts);
    expect(result.map((r) => r.item)).toEqual(['a', 'p1', 'p3']);
    // Enough scored: cut to limit, nothing filled in.
    expect(backfill([rec('a', 3), rec('b', 2)], 1, [popularBackfill(popularity)], () => true)).toEqual([rec('a', 3)]);
  });

  it('applies the allow list to the backfill as well', () => {
    const accepts = requestAccepts({ excludeSeen: false, allow: ['p3', 'p5', 'zz'] }, [], {}, lookup, NOW);
    const result = backfill([], 5, [popularBackfill(popularity)], accepts);
    expect(result.map((r) => r.item)).toEqual(['p3', 'p5']);
  });

  it('moves on to the next ranking, labelled by its own reason', () => {
    const trending = trendingBackfill([
      { item: 'p4', score: 0.5, count: 1 },
      { item: 'p1', score: 2, count: 2 },
    ]);
    expect(trending.items.map((t) => t.item)).toEqual(['p1', 'p4']);
    const result = backfill([rec('a', 1)], 4, [popularBackfill([popular('p1', 3)]), trending], () => true);
    expect(result.slice(1)).toEqual([
      { item: 'p1', score: 0, because: popularLabel(3) },
      { item: 'p4', score: 0, because: [{ kind: 'backfill', reason: 'trending', value: 0.5 }] },
    ]);
  });

  it('keeps diversity caps when GroupCaps.admit is part of accepts', () => {
    const caps = new GroupCaps({ maxPerCategory: 2 }, lookup);
    const scored = [rec('a', 2), rec('b', 1)].filter((r) => caps.admit(r.item));
    const result = backfill(scored, 5, [popularBackfill(popularity)], (item) => caps.admit(item));
    expect(result.map((r) => r.item)).toEqual(['a', 'b', 'p1', 'p2']);
  });

  it('property: count = min(limit, distinct acceptable items); scored first; no repeats; labels; scores non-increasing', () => {
    const id = fc.integer({ min: 0, max: 15 }).map((n) => `i${n}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(id, { maxLength: 8 }),
        fc.array(fc.array(id, { maxLength: 10 }), { maxLength: 3 }),
        fc.uniqueArray(id, { maxLength: 16 }),
        fc.integer({ min: 0, max: 20 }),
        (scoredIds, rankingIds, rejected, limit) => {
          const scored = scoredIds.map((item, i) => rec(item, 100 - i));
          const rankings: BackfillRanking[] = rankingIds.map((items, r) => ({
            reason: r % 2 ? 'trending' : 'popular',
            items: items.map((item, i) => ({ item, value: 50 - i })),
          }));
          const blocked = new Set(rejected);
          const result = backfill(scored, limit, rankings, (item) => !blocked.has(item));
          const available = new Set(scoredIds);
          for (const items of rankingIds) for (const item of items) if (!blocked.has(item)) available.add(item);
          expect(result).toHaveLength(Math.min(limit, available.size));
          expect(result.slice(0, scored.length)).toEqual(scored.slice(0, limit));
          expect(new Set(result.map((r) => r.item)).size).toBe(result.length);
          for (const r of result.slice(scored.length)) {
            expect(blocked.has(r.item)).toBe(false);
            expect(r.score).toBe(0);
            expect(r.because).toHaveLength(1);
            expect(r.because[0].kind).toBe('backfill');
          }
          for (let i = 1; i < result.length; i++) expect(result[i].score).toBeLessThanOrEqual(result[i - 1].score);
        },
      ),
      { numRuns: 300 },
    );
  });
});
