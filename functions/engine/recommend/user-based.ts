import type { HistoryEntry, Neighbour, PopularItem, RecommendationResult, RecommendOptions } from '../types.js';
import { CandidateFilter, historyValues, ScoreBoard } from './candidates.js';
import { resolveRecommendOptions } from './options.js';
import { recommendPopular } from './popularity.js';

/**
 * User-based CF, unnormalised by default: pred(u, i) = Σ_{v ∈ N(u)} sim(u, v) · r_vi over the items i that
 * neighbour v rated; with `normalise`, divided by Σ |sim(u, v)| over the neighbours who rated i.
 * `history` is u's own history (undefined = unknown user); it decides the fallback and which items are seen.
 * Neighbours whose history is unknown contribute nothing. Duplicate items in any history: the last entry wins.
 */
export function recommendFromUserNeighbours(
  history: readonly HistoryEntry[] | undefined,
  neighbours: readonly Neighbour[] | undefined,
  historyOf: (userId: string) => readonly HistoryEntry[] | undefined,
  popularity: readonly PopularItem[],
  options?: Partial<RecommendOptions>,
): RecommendationResult {
  const resolved = resolveRecommendOptions(options);
  if (history === undefined) return recommendPopular(popularity, resolved, undefined, 'unknown-user');
  const seen = historyValues(history);
  if (seen.size === 0) return recommendPopular(popularity, resolved, undefined, 'empty-history');

  const filter = new CandidateFilter(resolved, seen.keys());
  const rated: { user: string; similarity: number; values: Map<string, number> }[] = [];
  const board = new ScoreBoard();
  for (const neighbour of neighbours ?? []) {
    const neighbourHistory = historyOf(neighbour.id);
    if (neighbourHistory === undefined) continue;
    const values = historyValues(neighbourHistory, `history of neighbour ${JSON.stringify(neighbour.id)}`);
    rated.push({ user: neighbour.id, similarity: neighbour.similarity, values });
    for (const [item, value] of values) {
      if (filter.accepts(item)) board.add(item, neighbour.similarity, value);
    }
  }

  // Explanations look the selected items up in each neighbour's history instead of replaying every rating.
  const items = board.rank(resolved, 'user', (selected, add) => {
    for (const { user, similarity, values } of rated) {
      for (const item of selected) {
        const value = values.get(item);
        if (value !== undefined) add(item, user, similarity, value);
      }
    }
  });
  if (items.length === 0) return recommendPopular(popularity, resolved, seen.keys(), 'no-candidates');
  return { algorithm: 'user', items };
}
