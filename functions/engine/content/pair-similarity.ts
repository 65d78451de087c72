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
 * in [0, 1]; 0 for a missing or empty entry (never NaN); an entry's terms are computed once per lookup, and once per
 * entry object across lookups.
 */
import type { CatalogueEntry } from '../catalogue/types.js';
import { entryTerms } from './tokenise.js';

/**
 * Per entry object, its term set: the API's row cache keeps decoded entries, so a warm instance tokenises an entry
 * once rather than on every request that re-ranks it (tokenising dominated a diversified request's cost). Entries
 * are never changed once decoded; a WeakMap lets an entry and its terms go together when the cache drops it.
 */
const termSets = new WeakMap<CatalogueEntry, ReadonlySet<string>>();

/** The distinct terms of an entry (words of title and text, and every whole term). */
export function entryTermSet(entry: CatalogueEntry): ReadonlySet<string> {
  let set = termSets.get(entry);
  if (set === undefined) {
    const terms = entryTerms(entry);
    set = new Set([
      ...terms.title,
      ...terms.text,
      ...terms.tags,
      ...terms.categories,
      ...terms.series,
      ...terms.attributes.map(({ term }) => term),
    ]);
    termSets.set(entry, set);
  }
  return set;
}

/** sim(a, b) over the entries `catalogue` finds, each entry's terms computed once (the lookup must not change). */
export function contentSimilarity(
  catalogue: (item: string) => CatalogueEntry | undefined,
): (a: string, b: string) => number {
  const termsOf = new Map<string, ReadonlySet<string> | undefined>();
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
