import type {
  HistoryEntry,
  Neighbour,
  NeighbourLookup,
  PopularItem,
  RecommendationResult,
  RecommendOptions,
} from '../types.js';
import { CandidateFilter, historyValues, ScoreBoard } from './candidates.js';
import { resolveRecommendOptions } from './options.js';
import { recommendPopular } from './popularity.js';

/**
 * Item-based CF: score(i) = Σ_{j ∈ history, i ∈ N(j)} sim(j, i) · r_j, where N(j) is the stored top-K
 * neighbour row of history item j (items without a row contribute nothing). With `normalise`, each score
 * is divided by Σ |sim(j, i)| over its contributors. Duplicate history items: the last entry wins. A neighbour
 * entry's shared `terms` (content and hybrid rows) are copied into its contribution.
 * Falls back to popularity on an empty history or when no candidate scores above 0.
 */
export function recommendFromItemNeighbours(
  history: readonly HistoryEntry[],
  neighboursOf: NeighbourLookup,
  popularity: readonly PopularItem[],
  options?: Partial<RecommendOptions>,
): RecommendationResult {
  const resolved = resolveRecommendOptions(options);
  const values = historyValues(history);
  if (values.size === 0) return recommendPopular(popularity, resolved, values.keys(), 'empty-history');

  const filter = new CandidateFilter(resolved, values.keys());
  const rows: { item: string; value: number; neighbours: readonly Neighbour[] }[] = [];
  const board = new ScoreBoard();
  for (const [item, value] of values) {
    const neighbours = neighboursOf(item);
    if (neighbours === undefined || neighbours.length === 0) continue;
    rows.push({ item, value, neighbours });
    for (const neighbour of neighbours) {
      if (filter.accepts(neighbour.id)) board.add(neighbour.id, neighbour.similarity, value);
    }
  }

  const items = board.rank(resolved, 'item', (_selected, add) => {
    for (const row of rows)
      for (const neighbour of row.neighbours)
        add(neighbour.id, row.item, neighbour.similarity, row.value, neighbour.terms);
  });
  if (items.length === 0) return recommendPopular(popularity, resolved, values.keys(), 'no-candidates');
  return { algorithm: 'item', items };
}
