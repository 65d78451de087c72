/**
 * The item dictionary of content and hybrid rows, and the term vectors in its order. The interaction matrix is not
 * changed (its items keep their indices, EASE and kNN see nothing new): the row dictionary is the matrix's items in
 * their order, then the catalogue's items nobody interacted with (cold items), in catalogue order. So row j of a
 * content block is matrix item j for every j the matrix has, and a cold item still gets a row of its own.
 *
 * Safety properties (test/engine/content-model.test.ts):
 * - the dictionary starts with the matrix's items, index for index, and holds every catalogue item once;
 * - the vectors are those of the catalogue's entries alone (an interacted item without an entry is an empty row:
 *   it neither has content neighbours nor counts in any term's document frequency), in the dictionary's order.
 */
import type { CatalogueEntry } from '../catalogue/types.js';
import { IdDictionary } from '../data/id-dictionary.js';
import type { IdDictionaryView } from '../types.js';
import type { ContentOptions } from './config.js';
import { vectoriseCatalogue, type ContentVectors } from './vectorise.js';

/** What content rows are indexed by and computed from. */
export interface ContentRows {
  /** The row dictionary: matrix items, then catalogue-only items. */
  readonly ids: IdDictionaryView;
  /** Term vectors aligned with `ids` (vectors.items === ids.size). */
  readonly vectors: ContentVectors;
}

/** The matrix's items in their order, then the catalogue's items with no interaction, in catalogue order. */
export function contentItemIds(
  matrixItems: IdDictionaryView,
  catalogue: ReadonlyMap<string, CatalogueEntry>,
): IdDictionary {
  const ids = new IdDictionary();
  for (let i = 0; i < matrixItems.size; i++) ids.intern(matrixItems.idAt(i));
  for (const item of catalogue.keys()) ids.intern(item);
  return ids;
}

/** The row dictionary and the catalogue's term vectors in its order. */
export function contentRows(
  matrixItems: IdDictionaryView,
  catalogue: ReadonlyMap<string, CatalogueEntry>,
  options: ContentOptions,
): ContentRows {
  const ids = contentItemIds(matrixItems, catalogue);
  // Only real entries are vectorised (an item without one must not change the idf or the maxDfShare bound); the
  // vectoriser's output does not depend on the order of entries, so they are taken in row order and row p of
  // its output is spread to row at[p] of the dictionary.
  const entries: CatalogueEntry[] = [];
  const at: number[] = [];
  for (let row = 0; row < ids.size; row++) {
    const entry = catalogue.get(ids.idAt(row));
    if (entry === undefined) continue;
    entries.push(entry);
    at.push(row);
  }
  return { ids, vectors: spreadRows(vectoriseCatalogue(entries, options), at, ids.size) };
}

/** Vectors of `items` rows where row at[p] is row p of `packed` and every other row is empty. */
function spreadRows(packed: ContentVectors, at: readonly number[], items: number): ContentVectors {
  if (at.length === items) return packed;
  const rowPtr = new Uint32Array(items + 1);
  for (let p = 0; p < at.length; p++) rowPtr[at[p] + 1] = packed.rowPtr[p + 1] - packed.rowPtr[p];
  for (let row = 0; row < items; row++) rowPtr[row + 1] += rowPtr[row];
  // Rows keep their relative order (at is ascending), so termIndex and weight are the packed arrays unchanged.
  const colItem = Uint32Array.from(packed.colItem, (p) => at[p]);
  return { ...packed, items, rowPtr, colItem };
}
