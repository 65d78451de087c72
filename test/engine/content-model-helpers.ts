/**
 * A plain reference of the content rows for the content-model tests, on whole terms only (tags and categories, so
 * no tokeniser is involved): TF-IDF as documented in engine/content/config.ts with every field weight 1 and each
 * whole term once per field, i.e. statistic = Σ_fields (1 + ln 1) = the number of fields holding the term,
 * idf = 1 + ln((1 + N) / (1 + df)) over the N entries, terms with df < minDf or df > maxDfShare·N dropped, rows
 * L2-normalised. Cosine = dot product of the unit rows; shared terms by w_a·w_b desc, then term order.
 */
import type { CatalogueEntry } from '../../functions/engine/catalogue/types.js';

export interface ReferenceVectors {
  /** item id -> term -> unit weight. */
  weights: Map<string, Map<string, number>>;
}

export function referenceVectors(
  entries: readonly CatalogueEntry[],
  options: { minDf: number; maxDfShare: number },
): ReferenceVectors {
  const raw = entries.map((entry) => {
    const counts = new Map<string, number>();
    for (const tag of new Set(entry.tags ?? [])) counts.set(`tag:${tag}`, (counts.get(`tag:${tag}`) ?? 0) + 1);
    for (const c of new Set(entry.categories ?? [])) counts.set(`cat:${c}`, (counts.get(`cat:${c}`) ?? 0) + 1);
    return counts;
  });
  const df = new Map<string, number>();
  for (const counts of raw) for (const term of counts.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const n = entries.length;
  const weights = new Map<string, Map<string, number>>();
  entries.forEach((entry, e) => {
    const row = new Map<string, number>();
    for (const [term, statistic] of raw[e]) {
      const d = df.get(term)!;
      if (d < options.minDf || d > options.maxDfShare * n) continue;
      row.set(term, statistic * (1 + Math.log((1 + n) / (1 + d))));
    }
    const norm = Math.sqrt([...row.values()].reduce((sum, w) => sum + w * w, 0));
    for (const [term, w] of row) row.set(term, w / norm);
    weights.set(entry.item, row);
  });
  return { weights };
}

export function referenceCosine(vectors: ReferenceVectors, a: string, b: string): number {
  const x = vectors.weights.get(a);
  const y = vectors.weights.get(b);
  if (x === undefined || y === undefined) return 0;
  let dot = 0;
  for (const [term, w] of x) dot += w * (y.get(term) ?? 0);
  return dot;
}

/** The distinct display values (prefix cut) of the pair's top `n` shared terms. */
export function referenceSharedValues(vectors: ReferenceVectors, a: string, b: string, n = 3): string[] {
  const x = vectors.weights.get(a)!;
  const y = vectors.weights.get(b)!;
  const shared = [...x.keys()]
    .filter((term) => y.has(term))
    .map((term) => ({ term, contribution: x.get(term)! * y.get(term)! }))
    .sort((p, q) => q.contribution - p.contribution || (p.term < q.term ? -1 : p.term > q.term ? 1 : 0))
    .slice(0, n);
  return [...new Set(shared.map(({ term }) => term.slice(term.indexOf(':') + 1)))];
}
