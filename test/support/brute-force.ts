/**
 * An independent, deliberately naive implementation of the documented formulas (docs/ARCHITECTURE.md), used as
 * the oracle for end-to-end tests: plain objects and nested loops, no code shared with the engine.
 *
 * - cosine(a, b) = Σ x_a x_b / (‖x_a‖ ‖x_b‖), norms over each row's full vector; only sim > 0 is kept.
 * - item-based: score(i) = Σ_{j ∈ history, i ∈ N(j)} sim(j, i) · r_j, seen items excluded.
 * - user-based: pred(u, i) = Σ_{v ∈ N(u)} sim(u, v) · r_vi, seen items excluded.
 * - ranking: score desc, then id ascending; explanations: top 3 contributions (contribution desc, id asc),
 *   share = contribution / score.
 * - popularity: distinct users desc, mean value desc, id asc.
 * Neighbour rows are the top-k (k default 50) by similarity desc, id asc; the test data is small enough that no
 * row reaches k, so ties at the cut never matter.
 */
import { expect } from 'vitest';

export type Ratings = Array<[user: string, item: string, value: number]>;

export interface ExpectedRecommendation {
  item: string;
  score: number;
  because: Array<{ id: string; kind: 'item' | 'user'; similarity: number; value: number; share: number }>;
}

export interface ExpectedNeighbour {
  id: string;
  similarity: number;
  support: number;
}

/** CSV text (header user,item,rating) for the ratings. Ids must not need CSV quoting unless `quote` is set. */
export function toCsv(ratings: Ratings, quote = false): string {
  const field = (value: string) => (quote ? `"${value.replaceAll('"', '""')}"` : value);
  return (
    ['user,item,rating', ...ratings.map(([user, item, value]) => `${field(user)},${field(item)},${value}`)].join('\n') +
    '\n'
  );
}

function vectors(ratings: Ratings, by: 'item' | 'user'): Map<string, Map<string, number>> {
  const rows = new Map<string, Map<string, number>>();
  for (const [user, item, value] of ratings) {
    const [row, column] = by === 'item' ? [item, user] : [user, item];
    if (!rows.has(row)) rows.set(row, new Map());
    rows.get(row)!.set(column, value);
  }
  return rows;
}

function cosine(a: Map<string, number>, b: Map<string, number>): { similarity: number; support: number } {
  let dot = 0;
  let support = 0;
  let normA = 0;
  let normB = 0;
  for (const value of a.values()) normA += value * value;
  for (const value of b.values()) normB += value * value;
  for (const [key, value] of a) {
    const other = b.get(key);
    if (other !== undefined) {
      dot += value * other;
      support++;
    }
  }
  return { similarity: dot / (Math.sqrt(normA) * Math.sqrt(normB)), support };
}

const byScoreThenId = (a: { score: number; item: string }, b: { score: number; item: string }) =>
  b.score - a.score || (a.item < b.item ? -1 : 1);

/** The neighbour row of `id` among items (or users): every other row with cosine > 0, most similar first. */
export function neighbours(ratings: Ratings, by: 'item' | 'user', id: string, k = 50): ExpectedNeighbour[] {
  const rows = vectors(ratings, by);
  const own = rows.get(id);
  if (!own) return [];
  const found: ExpectedNeighbour[] = [];
  for (const [other, vector] of rows) {
    if (other === id) continue;
    const { similarity, support } = cosine(own, vector);
    if (similarity > 0) found.push({ id: other, similarity, support });
  }
  found.sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : 1));
  return found.slice(0, k);
}

function historyOf(ratings: Ratings, user: string): Map<string, number> {
  return vectors(ratings, 'user').get(user) ?? new Map();
}

function rank(
  contributions: Map<string, ExpectedRecommendation['because']>,
  limit: number,
  kind: 'item' | 'user',
): ExpectedRecommendation[] {
  const scored: ExpectedRecommendation[] = [];
  for (const [item, list] of contributions) {
    const score = list.reduce((sum, c) => sum + c.similarity * c.value, 0);
    if (!(score > 0)) continue;
    const because = list
      .map((c) => ({ ...c, kind, share: (c.similarity * c.value) / score }))
      .sort((a, b) => b.similarity * b.value - a.similarity * a.value || (a.id < b.id ? -1 : 1))
      .slice(0, 3);
    scored.push({ item, score, because });
  }
  return scored.sort(byScoreThenId).slice(0, limit);
}

/** Item-based recommendations for a user of the file (their whole history scores). */
export function itemBased(ratings: Ratings, user: string, limit = 10): ExpectedRecommendation[] {
  return itemBasedForHistory(ratings, historyOf(ratings, user), limit);
}

/** Item-based recommendations for an explicit history (item -> value). */
export function itemBasedForHistory(
  ratings: Ratings,
  history: ReadonlyMap<string, number>,
  limit = 10,
): ExpectedRecommendation[] {
  const contributions = new Map<string, ExpectedRecommendation['because']>();
  for (const [seenItem, value] of history) {
    for (const neighbour of neighbours(ratings, 'item', seenItem)) {
      if (history.has(neighbour.id)) continue;
      if (!contributions.has(neighbour.id)) contributions.set(neighbour.id, []);
      contributions
        .get(neighbour.id)!
        .push({ id: seenItem, kind: 'item', similarity: neighbour.similarity, value, share: 0 });
    }
  }
  return rank(contributions, limit, 'item');
}

/** User-based recommendations for a user of the file. */
export function userBased(ratings: Ratings, user: string, limit = 10): ExpectedRecommendation[] {
  const history = historyOf(ratings, user);
  const contributions = new Map<string, ExpectedRecommendation['because']>();
  for (const neighbour of neighbours(ratings, 'user', user)) {
    for (const [item, value] of historyOf(ratings, neighbour.id)) {
      if (history.has(item)) continue;
      if (!contributions.has(item)) contributions.set(item, []);
      contributions
        .get(item)!
        .push({ id: neighbour.id, kind: 'user', similarity: neighbour.similarity, value, share: 0 });
    }
  }
  return rank(contributions, limit, 'user');
}

export function popular(ratings: Ratings, limit = 10): Array<{ item: string; count: number; meanValue: number }> {
  const stats = new Map<string, { count: number; sum: number }>();
  for (const [, item, value] of ratings) {
    const entry = stats.get(item) ?? { count: 0, sum: 0 };
    entry.count++;
    entry.sum += value;
    stats.set(item, entry);
  }
  return [...stats]
    .map(([item, { count, sum }]) => ({ item, count, meanValue: sum / count }))
    .sort((a, b) => b.count - a.count || b.meanValue - a.meanValue || (a.item < b.item ? -1 : 1))
    .slice(0, limit);
}

/**
 * The expected value with every number replaced by `expect.closeTo(n, 9)`, for `toEqual`: the two
 * implementations add floating-point terms in different orders.
 */
export function approx<T>(value: T): T {
  if (typeof value === 'number') return expect.closeTo(value, 9) as T;
  if (Array.isArray(value)) return value.map(approx) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, approx(v)])) as T;
  }
  return value;
}
