/**
 * The content similarity of two catalogue entries, for MMR re-ranking at request time (engine/filters/diversity.ts):
 * the cosine of their binary term vectors,
 *   sim(a, b) = |T(a) ∩ T(b)| / √(|T(a)| · |T(b)|),
 * T(x) = the distinct terms of entryTerms(x) (tokenise.ts: title and text words, one vocabulary; whole terms
 * `tag:`, `cat:`, `series:`, `attr:`). An item without an entry, or with no term, is similar to nothing (0).
 *
 * Why binary, not TF-IDF with IDF over the pool: IDF over the scored pool would make a pair's similarity depend on
 * which other items the request happened to score (its filter, its limit, the user), so the same two items could
 * be "alike" in one answer and not in the next; binary cosine is a property of the two entries alone, cheap (no
 * pass over the pool), and in [0, 1] as MMR needs. The cost: a term most of the pool shares (a common category)
 * counts as much as a rare one; the build-time content rows (vectorise.ts) are where IDF belongs.
 *
 * Safety properties (test/engine/content-pair-similarity.test.ts): equals the hand-computed cosine; symmetric;
 * in [0, 1]; 0 for a missing or empty entry (never NaN); an entry's terms are computed once per lookup.
 */
import type { CatalogueEntry } from '../catalogue/types.js';
import { entryTerms } from './tokenise.js';

/** The distinct terms of an entry (words of title and text, and every whole term). */
export function entryTermSet(entry: CatalogueEntry): Set<string> {
  const terms = entryTerms(entry);
  return new Set([
    ...terms.title,
    ...terms.text,
    ...terms.tags,
    ...terms.categories,
    ...terms.series,
    ...terms.attributes.map(({ term }) => term),
  ]);
}

/** sim(a, b) over the entries `catalogue` finds, each entry's terms computed once (the lookup must not change). */
export function contentSimilarity(
  catalogue: (item: string) => CatalogueEntry | undefined,
): (a: string, b: string) => number {
  const termsOf = new Map<string, Set<string> | undefined>();
  const terms = (item: string) => {
    if (!termsOf.has(item)) {
      const entry = catalogue(item);
      termsOf.set(item, entry === undefined ? undefined : entryTermSet(entry));
    }
    return termsOf.get(item);
  };
  return (a, b) => {
    const x = terms(a);
    const y = terms(b);
    if (x === undefined || y === undefined || x.size === 0 || y.size === 0) return 0;
    const [small, large] = x.size <= y.size ? [x, y] : [y, x];
    let shared = 0;
    for (const term of small) if (large.has(term)) shared++;
    // Clamped: the rounding of the division must not put an identical pair above 1.
    return Math.min(1, shared / Math.sqrt(x.size * y.size));
  };
}
