import type { Neighbour } from '../types.js';
import { UserInputError } from '../types.js';
import { MAX_TOP_N } from './options.js';
import { topN } from './top-n.js';

const moreSimilar = (a: Neighbour, b: Neighbour): boolean =>
  a.similarity > b.similarity || (a.similarity === b.similarity && a.id < b.id);

/**
 * The `limit` most similar neighbours of a stored row, similarity desc then id ascending (the same tie rule as
 * recommendations; stored rows break ties by internal index, which external ids cannot see).
 * An absent row gives []. The row holds at most K neighbours, so a larger limit returns K. Only positive
 * similarities are similar: an EASE row's negative weights (items that rarely go together) are left out.
 */
export function similarFrom(neighbours: readonly Neighbour[] | undefined, limit: number): Neighbour[] {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOP_N) {
    throw new UserInputError(
      `limit must be an integer from 1 to ${MAX_TOP_N}, got ${String(limit)}`,
      'limit',
      `Ask for between 1 and ${MAX_TOP_N} similar entries.`,
    );
  }
  return topN(
    (neighbours ?? []).filter((n) => n.similarity > 0),
    limit,
    moreSimilar,
  );
}
