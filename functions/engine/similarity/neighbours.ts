/**
 * Top-K neighbour similarities over row ranges (see docs/ARCHITECTURE.md, "Similarity").
 *
 * Rows are items for target 'items' (each a vector over users, matrix.byItem) and users for 'users'
 * (vectors over items, matrix.byUser). For rows a, b with column sets A, B and co-raters n = |A ∩ B|:
 * - cosine:          x = raw value (1 when implicit); sim(a, b) = Σ_c x_ac x_bc / (‖x_a‖ ‖x_b‖), norms over
 *                    each row's full vector (not only the shared columns).
 * - adjusted-cosine: x = value − mean of the other dimension's entity (item-item: the user's mean), then cosine
 *                    with norms over the full centred rows.
 * - pearson:         x = value − the row's own mean, then cosine with norms over the full centred rows.
 * - jaccard:         |A ∩ B| / |A ∪ B| on the binary pattern.
 * n counts shared columns even where a centred value is 0. Pairs with n < minSupport are dropped; shrinkage λ
 * multiplies by n / (n + λ). Only sim > 1e-12 (SIMILARITY_EPSILON: positive beyond float noise) is kept; a row
 * is never its own neighbour; a zero-norm row (empty, or constant after centring) has none. Order: similarity
 * descending, then neighbour index ascending. Computed in float64. With implicit feedback every value is 1,
 * so pearson and adjusted-cosine centre everything to 0 and find no neighbours.
 */
import type { IdDictionaryView, Neighbour, NeighbourBlock, RatingMatrix, SimilarityOptions } from '../types.js';
import { RangeKernel } from './kernel.js';
import { resolveSimilarityOptions } from './options.js';
import { prepareRows } from './prepare.js';

/** Neighbours of rows [start, end), synchronously in this thread. */
export function computeNeighbourBlock(
  matrix: RatingMatrix,
  target: 'items' | 'users',
  start: number,
  end: number,
  options?: Partial<SimilarityOptions>,
): NeighbourBlock {
  const resolved = resolveSimilarityOptions(options);
  const rows = target === 'items' ? matrix.byItem.rows : matrix.byUser.rows;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > rows) {
    throw new RangeError(`row range [${start}, ${end}) is not within [0, ${rows}) ${target}`);
  }
  return new RangeKernel(prepareRows(matrix, target, resolved), resolved).computeRange(start, end);
}

/** One row's neighbours by external id (ids: the dictionary of the block's target), best first. */
export function neighbourRow(block: NeighbourBlock, row: number, ids: IdDictionaryView): Neighbour[] {
  if (!Number.isInteger(row) || row < block.start || row >= block.end) {
    throw new RangeError(`row ${row} is not in this block's range [${block.start}, ${block.end})`);
  }
  const base = (row - block.start) * block.k;
  const neighbours: Neighbour[] = [];
  for (let slot = 0; slot < block.count[row - block.start]; slot++) {
    neighbours.push({
      id: ids.idAt(block.neighbour[base + slot]),
      similarity: block.similarity[base + slot],
      support: block.support[base + slot],
    });
  }
  return neighbours;
}
