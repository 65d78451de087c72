/**
 * Catalogue entries as sparse, L2-normalised term vectors (item × term CSR in typed arrays, plus its transpose:
 * the inverted index term → items the kernel walks). Item index i is entries[i].
 *
 * Term weights (config.ts documents the formulas): a term's per-item statistic is summed over the fields it occurs
 * in, each by its field weight, so a word in the title counts `fields.title` per occurrence and the same word in
 * the text `fields.text`.
 *
 * Safety properties (test/engine/content-kernel.test.ts):
 * - every non-empty row has L2 norm 1 and only positive weights; an entry with no kept term is an empty row;
 * - terms are sorted by code unit and lengths summed in ascending order, so term indices and weights (and every
 *   sum over them) do not depend on the order of entries;
 * - only terms with minDf ≤ df ≤ maxDfShare·items are kept; a field of weight 0 contributes no term and no length.
 */
import type { CatalogueEntry } from '../catalogue/types.js';
import { bm25Of, type ContentOptions } from './config.js';
import { entryTerms } from './tokenise.js';

export interface ContentVectors {
  readonly items: number;
  /** The kept terms, sorted by code unit; term index t is terms[t]. */
  readonly terms: readonly string[];
  /** Items holding each term (before normalisation; all ≥ minDf). */
  readonly df: Uint32Array;
  /** Row r's entries are [rowPtr[r], rowPtr[r + 1]), term indices ascending. */
  readonly rowPtr: Uint32Array;
  readonly termIndex: Uint32Array;
  readonly weight: Float64Array;
  /** The transpose: term t's items (ascending) and their weights in [colPtr[t], colPtr[t + 1]). */
  readonly colPtr: Uint32Array;
  readonly colItem: Uint32Array;
  readonly colWeight: Float64Array;
}

/** Per item, per term: the field-weighted statistic the scheme needs (tfidf: Σ w(1 + ln c); bm25: Σ w·c). */
interface ItemStats {
  terms: Map<string, number>;
  /** Field-weighted length in terms (BM25's document length). */
  length: number;
}

export function vectoriseCatalogue(entries: readonly CatalogueEntry[], options: ContentOptions): ContentVectors {
  const items = entries.length;
  const stats = entries.map((entry) => itemStats(entry, options));

  const df = new Map<string, number>();
  for (const { terms } of stats) for (const term of terms.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const maxDf = options.maxDfShare * items;
  const terms = [...df.keys()].filter((term) => {
    const d = df.get(term)!;
    return d >= options.minDf && d <= maxDf;
  });
  terms.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const index = new Map(terms.map((term, t) => [term, t]));
  const dfArray = Uint32Array.from(terms, (term) => df.get(term)!);
  const idf = Float64Array.from(dfArray, (d) =>
    options.scheme === 'tfidf' ? 1 + Math.log((1 + items) / (1 + d)) : Math.log(1 + (items - d + 0.5) / (d + 0.5)),
  );
  const { k1, b } = bm25Of(options);
  // Summed in ascending order, so the average (and every BM25 weight) does not depend on the order of entries.
  const lengths = Float64Array.from(stats, ({ length }) => length).sort();
  let totalLength = 0;
  for (const length of lengths) totalLength += length;
  const averageLength = items === 0 ? 0 : totalLength / items;

  const rowPtr = new Uint32Array(items + 1);
  const kept: { t: number; value: number }[][] = stats.map(({ terms: itemTerms, length }) => {
    const row: { t: number; value: number }[] = [];
    for (const [term, statistic] of itemTerms) {
      const t = index.get(term);
      if (t === undefined) continue;
      const value =
        options.scheme === 'tfidf'
          ? statistic * idf[t]
          : (idf[t] * statistic * (k1 + 1)) / (statistic + k1 * (1 - b + (b * length) / averageLength));
      row.push({ t, value });
    }
    return row.sort((x, y) => x.t - y.t);
  });
  for (let r = 0; r < items; r++) rowPtr[r + 1] = rowPtr[r] + kept[r].length;
  const nnz = rowPtr[items];
  const termIndex = new Uint32Array(nnz);
  const weight = new Float64Array(nnz);
  for (let r = 0; r < items; r++) {
    const row = kept[r];
    let squares = 0;
    for (const { value } of row) squares += value * value;
    const norm = Math.sqrt(squares);
    for (let j = 0; j < row.length; j++) {
      termIndex[rowPtr[r] + j] = row[j].t;
      weight[rowPtr[r] + j] = row[j].value / norm;
    }
  }

  // Transpose by counting sort: rows are visited in order, so each term's items come out ascending.
  const colPtr = new Uint32Array(terms.length + 1);
  for (let p = 0; p < nnz; p++) colPtr[termIndex[p] + 1]++;
  for (let t = 0; t < terms.length; t++) colPtr[t + 1] += colPtr[t];
  const fill = colPtr.slice(0, terms.length);
  const colItem = new Uint32Array(nnz);
  const colWeight = new Float64Array(nnz);
  for (let r = 0; r < items; r++) {
    for (let p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
      const at = fill[termIndex[p]]++;
      colItem[at] = r;
      colWeight[at] = weight[p];
    }
  }
  return { items, terms, df: dfArray, rowPtr, termIndex, weight, colPtr, colItem, colWeight };
}

function itemStats(entry: CatalogueEntry, options: ContentOptions): ItemStats {
  const { fields, scheme } = options;
  const terms = new Map<string, number>();
  let length = 0;
  const add = (fieldWeight: number, words: readonly string[]): void => {
    if (fieldWeight === 0 || words.length === 0) return;
    const counts = new Map<string, number>();
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
    for (const [term, count] of counts) {
      const statistic = scheme === 'tfidf' ? fieldWeight * (1 + Math.log(count)) : fieldWeight * count;
      terms.set(term, (terms.get(term) ?? 0) + statistic);
    }
    length += fieldWeight * words.length;
  };
  const parts = entryTerms(entry);
  add(fields.title, parts.title);
  add(fields.text, parts.text);
  add(fields.tags, parts.tags);
  add(fields.categories, parts.categories);
  add(fields.series, parts.series);
  for (const { name, term } of parts.attributes) {
    const attributeWeight = typeof fields.attributes === 'number' ? fields.attributes : (fields.attributes[name] ?? 0);
    add(attributeWeight, [term]);
  }
  return { terms, length };
}
