/**
 * The one brute-force reference for the similarity and recommendation tests: an independent, deliberately naive
 * implementation of the documented formulas (docs/ARCHITECTURE.md) on dense arrays, with nested loops and full
 * sorts. It shares no code with the engine, only its types, and spells out the documented defaults itself.
 *
 * Similarity of rows a, b (vectors over the other dimension; 0 = not rated), n = columns both rated:
 * - cosine: x = the value (1 when implicit); sim = Σ x_a·x_b / (‖x_a‖·‖x_b‖), norms over each full row;
 * - adjusted-cosine: x = value − the column's mean (item-item: the user's mean), then cosine on x;
 * - pearson: x = value − the row's own mean, then cosine on x;
 * - jaccard: n / (|A| + |B| − n);
 * a pair is dropped when n = 0, n < minSupport or a norm is 0; shrinkage multiplies by n / (n + λ), where an
 * unset λ is 100 for pearson and adjusted-cosine and 0 for cosine and jaccard; only
 * sim > 1e-12 is kept; a row is never its own neighbour; order: similarity desc, then row index asc; the top k
 * are the first k.
 * Recommendation (options as resolved by the engine's defaults):
 * - item-based: score(i) = Σ_{j ∈ history, i ∈ topK(j)} sim(j, i)·r_j (the last duplicate history entry wins);
 * - user-based: pred(u, i) = Σ_{v ∈ topK(u), v rated i} sim(u, v)·r_vi;
 * - normalise divides by Σ |sim| of the contributors; only a raw score > 0 counts; seen items (excludeSeen),
 *   `exclude` and items outside `allow` are never listed; ranking: score desc, then item id asc;
 * - explanation: the top explainTop contributions (contribution desc, id asc), share = contribution / raw score;
 * - nothing scored, or an empty history: popularity (score = count) with the same filters, flagged, each item
 *   explained by `{ kind: 'popular', interactions: count, fallback: reason }`;
 * - popularity: distinct users desc, mean value desc, item id asc.
 *
 * Two layers: dense matrices with ids (property tests) and string-id rating triples (end-to-end tests).
 */
import type {
  Contribution,
  HistoryEntry,
  Neighbour,
  NeighbourBlock,
  PopularItem,
  RecommendationResult,
  RecommendOptions,
  SimilarityOptions,
} from '../../functions/engine/types.js';

// ---------------------------------------------------------------------------------------------------------
// Similarity on row vectors

/** The documented similarity defaults. */
export const DEFAULT_SIMILARITY: SimilarityOptions = {
  measure: 'cosine',
  k: 50,
  shrinkage: 0,
  minSupport: 1,
  implicit: false,
};

/** The documented defaults under `given`: an unset shrinkage is 100 for the centred measures, else 0. */
export function documentedSimilarityOptions(given: Partial<SimilarityOptions>): SimilarityOptions {
  const measure = given.measure ?? DEFAULT_SIMILARITY.measure;
  const centred = measure === 'pearson' || measure === 'adjusted-cosine';
  return { ...DEFAULT_SIMILARITY, ...given, measure, shrinkage: given.shrinkage ?? (centred ? 100 : 0) };
}

/** Cosine with the documented defaults, keeping `k` neighbours per row. */
export function cosineTopK(k: number): SimilarityOptions {
  return { ...DEFAULT_SIMILARITY, k };
}

/** A neighbour by row index. */
export interface IndexedNeighbour {
  neighbour: number;
  similarity: number;
  support: number;
}

type Rows = readonly (readonly number[])[];

/** The rows compared (users × items dense, 0 = not rated): items -> the columns of `dense`, users -> its rows. */
export function rowsOf(dense: Rows, items: number, target: 'items' | 'users'): number[][] {
  if (target === 'users') return dense.map((row) => [...row]);
  return Array.from({ length: items }, (_, i) => dense.map((row) => row[i]));
}

/** Every row's neighbours with sim > 1e-12, not cut at k: similarity desc, then index asc. */
export function similarityCandidates(rows: Rows, o: SimilarityOptions): IndexedNeighbour[][] {
  const raw = rows.map((row) => row.map((v) => (v !== 0 && o.implicit ? 1 : v)));
  const width = raw[0]?.length ?? 0;
  const rated = (row: number[], c: number): boolean => row[c] !== 0;
  const mean = (values: number[]): number => values.reduce((s, v) => s + v, 0) / values.length;
  const rowMeans = raw.map((row) => mean(row.filter((v) => v !== 0)));
  const columnMeans = Array.from({ length: width }, (_, c) => mean(raw.map((row) => row[c]).filter((v) => v !== 0)));
  const x = raw.map((row, r) =>
    row.map((v, c) => {
      if (!rated(row, c)) return 0;
      if (o.measure === 'pearson') return v - rowMeans[r];
      if (o.measure === 'adjusted-cosine') return v - columnMeans[c];
      return v;
    }),
  );
  const norms = x.map((row) => Math.sqrt(row.reduce((s, v) => s + v * v, 0)));
  const counts = raw.map((row) => row.filter((v) => v !== 0).length);
  return raw.map((rowA, a) => {
    const candidates: IndexedNeighbour[] = [];
    raw.forEach((rowB, b) => {
      if (b === a) return;
      let n = 0;
      let dot = 0;
      for (let c = 0; c < width; c++) {
        if (rated(rowA, c) && rated(rowB, c)) {
          n++;
          dot += x[a][c] * x[b][c];
        }
      }
      if (n === 0 || n < o.minSupport) return;
      let similarity: number;
      if (o.measure === 'jaccard') similarity = n / (counts[a] + counts[b] - n);
      else if (norms[a] === 0 || norms[b] === 0) return;
      else similarity = dot / (norms[a] * norms[b]);
      similarity *= n / (n + o.shrinkage);
      if (similarity > 1e-12) candidates.push({ neighbour: b, similarity, support: n });
    });
    return candidates.sort((p, q) => q.similarity - p.similarity || p.neighbour - q.neighbour);
  });
}

/** Every row's top k neighbours. */
export function topK(rows: Rows, o: SimilarityOptions): IndexedNeighbour[][] {
  return similarityCandidates(rows, o).map((row) => row.slice(0, o.k));
}

/** Every row's top k neighbours by external id (`ids[r]` names row r). */
export function neighbourLists(rows: Rows, o: SimilarityOptions, ids: readonly string[]): Neighbour[][] {
  return topK(rows, o).map((row) =>
    row.map((n) => ({ id: ids[n.neighbour], similarity: n.similarity, support: n.support })),
  );
}

/** Every row's top k neighbours in the engine's flat block layout (rows [0, rows.length)). */
export function neighbourBlock(rows: Rows, o: SimilarityOptions): NeighbourBlock {
  const lists = topK(rows, o);
  const k = o.k;
  const block = {
    start: 0,
    end: lists.length,
    k,
    count: new Uint32Array(lists.length),
    neighbour: new Uint32Array(lists.length * k),
    similarity: new Float64Array(lists.length * k),
    support: new Uint32Array(lists.length * k),
  };
  lists.forEach((row, r) => {
    block.count[r] = row.length;
    row.forEach((n, slot) => {
      block.neighbour[r * k + slot] = n.neighbour;
      block.similarity[r * k + slot] = n.similarity;
      block.support[r * k + slot] = n.support;
    });
  });
  return block;
}

// ---------------------------------------------------------------------------------------------------------
// Recommendation on dense ratings with ids

/** Users × items; values[u][i] = 0 means "not rated" (as in ratingMatrixFromDense). */
export interface DenseRatings {
  values: Rows;
  userIds: readonly string[];
  itemIds: readonly string[];
}

/** User u's history, in item order. */
export function historyOf(data: DenseRatings, u: number): HistoryEntry[] {
  return data.itemIds.flatMap((item, i) => (data.values[u][i] !== 0 ? [{ item, value: data.values[u][i] }] : []));
}

/** Every rated item: distinct users desc, mean value desc, item id asc. */
export function popularity(data: DenseRatings): PopularItem[] {
  const items = data.itemIds.map((item, i) => {
    const rated = data.values.map((row) => row[i]).filter((v) => v !== 0);
    return { item, count: rated.length, meanValue: rated.reduce((s, v) => s + v, 0) / rated.length };
  });
  return items
    .filter((p) => p.count > 0)
    .sort((a, b) => b.count - a.count || b.meanValue - a.meanValue || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0));
}

type Contributor = Omit<Contribution, 'kind' | 'share'>;

/** Scores every item from its contributors, filters, ranks, explains; falls back to popularity. */
function rank(
  data: DenseRatings,
  contributorsOf: (item: number) => Contributor[],
  seen: Set<string>,
  options: RecommendOptions,
  algorithm: 'item' | 'user',
  emptyHistory: boolean,
): RecommendationResult {
  const passes = (item: string): boolean =>
    !(options.excludeSeen && seen.has(item)) &&
    !(options.exclude ?? []).includes(item) &&
    (!options.allow || options.allow.includes(item));
  const popular = (reason: 'empty-history' | 'no-candidates'): RecommendationResult => ({
    algorithm: 'popularity',
    fallback: { reason, algorithm: 'popularity' },
    items: popularity(data)
      .filter((p) => passes(p.item))
      .slice(0, options.limit)
      .map((p) => ({
        item: p.item,
        score: p.count,
        because: options.explainTop > 0 ? [{ kind: 'popular' as const, interactions: p.count, fallback: reason }] : [],
      })),
  });
  if (emptyHistory) return popular('empty-history');

  const scored = [];
  for (let i = 0; i < data.itemIds.length; i++) {
    const id = data.itemIds[i];
    if (!passes(id)) continue;
    const contributions = contributorsOf(i);
    let raw = 0;
    let absSum = 0;
    for (const c of contributions) {
      raw += c.similarity * c.value;
      absSum += Math.abs(c.similarity);
    }
    if (!(raw > 0)) continue;
    scored.push({ item: id, score: options.normalise ? raw / absSum : raw, raw, contributions });
  }
  scored.sort((a, b) => b.score - a.score || (a.item < b.item ? -1 : 1));
  if (scored.length === 0) return popular('no-candidates');
  return {
    algorithm,
    items: scored.slice(0, options.limit).map((s) => ({
      item: s.item,
      score: s.score,
      because: explainPositive(s.contributions, options.explainTop, algorithm),
    })),
  };
}

/** The documented rule: only contributors that pushed the item up, each with its share of their sum. */
function explainPositive(contributions: Contributor[], top: number, kind: 'item' | 'user') {
  const positive = contributions.filter((c) => c.contribution > 0);
  const sum = positive.reduce((total, c) => total + c.contribution, 0);
  return positive
    .sort((a, b) => b.contribution - a.contribution || (a.id < b.id ? -1 : 1))
    .slice(0, top)
    .map((c) => ({ ...c, kind, share: c.contribution / sum }));
}

/** Item-based recommendations for a history (items unknown to `data` contribute nothing, but count as seen). */
export function itemBasedResult(
  data: DenseRatings,
  similarity: SimilarityOptions,
  history: readonly HistoryEntry[],
  options: RecommendOptions,
): RecommendationResult {
  const nItems = data.itemIds.length;
  // Dense top-K similarity matrix S[j][i] (0 when i is not among j's k neighbours).
  const S = topK(rowsOf(data.values, nItems, 'items'), similarity).map((row) => {
    const full = new Array<number>(nItems).fill(0);
    for (const n of row) full[n.neighbour] = n.similarity;
    return full;
  });
  const last = new Map<string, number>();
  for (const h of history) last.set(h.item, h.value);
  const entries = [...last].map(([item, value]) => ({ item, j: data.itemIds.indexOf(item), value }));
  return rank(
    data,
    (i) =>
      entries
        .filter((e) => e.j >= 0 && S[e.j][i] > 0)
        .map((e) => ({ id: e.item, similarity: S[e.j][i], value: e.value, contribution: S[e.j][i] * e.value })),
    new Set(last.keys()),
    options,
    'item',
    last.size === 0,
  );
}

/** User-based recommendations for user u of `data`. */
export function userBasedResult(
  data: DenseRatings,
  similarity: SimilarityOptions,
  u: number,
  options: RecommendOptions,
): RecommendationResult {
  const neighbours = topK(data.values, similarity)[u];
  const history = historyOf(data, u);
  return rank(
    data,
    (i) =>
      neighbours.flatMap((n) => {
        const value = data.values[n.neighbour][i];
        const id = data.userIds[n.neighbour];
        return value !== 0 ? [{ id, similarity: n.similarity, value, contribution: n.similarity * value }] : [];
      }),
    new Set(history.map((h) => h.item)),
    options,
    'user',
    history.length === 0,
  );
}

// ---------------------------------------------------------------------------------------------------------
// String-id rating triples, as uploaded and served end to end

export type Ratings = Array<[user: string, item: string, value: number]>;

export interface ExpectedRecommendation {
  item: string;
  score: number;
  because: Array<{ id: string; kind: 'item' | 'user'; similarity: number; value: number; share: number }>;
}

export type ExpectedNeighbour = Neighbour;

/** The API's defaults, spelled out. */
const SERVED: RecommendOptions = { limit: 10, excludeSeen: true, normalise: false, explainTop: 3 };

/** CSV text (header user,item,rating) for the ratings. Ids must not need CSV quoting unless `quote` is set. */
export function toCsv(ratings: Ratings, quote = false): string {
  const field = (value: string) => (quote ? `"${value.replaceAll('"', '""')}"` : value);
  return (
    ['user,item,rating', ...ratings.map(([user, item, value]) => `${field(user)},${field(item)},${value}`)].join('\n') +
    '\n'
  );
}

/**
 * Dense ratings of the triples; the last duplicate wins. Ids are in code-unit order, so the reference's ties by
 * row index are ties by id.
 */
export function denseOf(ratings: Ratings): DenseRatings {
  const userIds = [...new Set(ratings.map(([user]) => user))].sort();
  const itemIds = [...new Set(ratings.map(([, item]) => item))].sort();
  const values = userIds.map(() => itemIds.map(() => 0));
  for (const [user, item, value] of ratings) {
    if (value === 0) throw new Error(`the brute force reads 0 as "not rated", but ${user} rated ${item} 0`);
    values[userIds.indexOf(user)][itemIds.indexOf(item)] = value;
  }
  return { values, userIds, itemIds };
}

/** The CF recommendations as the API lists them; [] where the reference falls back to popularity. */
function served(result: RecommendationResult): ExpectedRecommendation[] {
  if (result.fallback) return [];
  return result.items.map(({ item, score, because }) => ({
    item,
    score,
    because: because.map((entry) => {
      if (entry.kind === 'popular' || entry.kind === 'trending' || entry.kind === 'backfill')
        throw new Error(`a CF result explained by popularity, trending or backfill: ${JSON.stringify(entry)}`);
      const { id, kind, similarity, value, share } = entry;
      return { id, kind, similarity, value, share };
    }),
  }));
}

/** The neighbour row of `id` among items (or users), most similar first; [] for an unknown id. */
export function neighbours(ratings: Ratings, by: 'item' | 'user', id: string, k = 50): ExpectedNeighbour[] {
  const data = denseOf(ratings);
  const ids = by === 'item' ? data.itemIds : data.userIds;
  const row = ids.indexOf(id);
  if (row < 0) return [];
  return neighbourLists(rowsOf(data.values, data.itemIds.length, `${by}s`), cosineTopK(k), ids)[row];
}

/** Item-based recommendations for a user of the file (their whole history scores). */
export function itemBased(ratings: Ratings, user: string, limit = 10): ExpectedRecommendation[] {
  const data = denseOf(ratings);
  const u = data.userIds.indexOf(user);
  return served(itemBasedResult(data, DEFAULT_SIMILARITY, u < 0 ? [] : historyOf(data, u), { ...SERVED, limit }));
}

/** Item-based recommendations for an explicit history (item -> value). */
export function itemBasedForHistory(
  ratings: Ratings,
  history: ReadonlyMap<string, number>,
  limit = 10,
): ExpectedRecommendation[] {
  const entries = [...history].map(([item, value]) => ({ item, value }));
  return served(itemBasedResult(denseOf(ratings), DEFAULT_SIMILARITY, entries, { ...SERVED, limit }));
}

/** User-based recommendations for a user of the file. */
export function userBased(ratings: Ratings, user: string, limit = 10): ExpectedRecommendation[] {
  const data = denseOf(ratings);
  const u = data.userIds.indexOf(user);
  return u < 0 ? [] : served(userBasedResult(data, DEFAULT_SIMILARITY, u, { ...SERVED, limit }));
}

export function popular(ratings: Ratings, limit = 10): PopularItem[] {
  return popularity(denseOf(ratings)).slice(0, limit);
}

// Re-exported: the tests compare against the brute force through it.
/**
 * MMR recomputed from scratch at every step (engine/filters/diversity.ts documents the rule): λ = 1 − diversity,
 * value = λ·score/max|score| − (1 − λ)·max similarity to the picks so far (0 before the first), ties to the earlier.
 */
export function bruteForceMmr<T extends { item: string; score: number }>(
  candidates: readonly T[],
  limit: number,
  diversity: number,
  sim: (a: string, b: string) => number,
): T[] {
  const lambda = 1 - diversity;
  const scale = Math.max(0, ...candidates.map((c) => Math.abs(c.score)));
  const picked: T[] = [];
  const left = [...candidates];
  while (picked.length < limit && left.length > 0) {
    const values = left.map((c) => {
      const rel = scale > 0 ? c.score / scale : 0;
      const maxSim = picked.length === 0 ? 0 : Math.max(...picked.map((p) => sim(c.item, p.item)));
      return lambda * rel - (1 - lambda) * maxSim;
    });
    let best = 0;
    for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
    picked.push(left.splice(best, 1)[0]);
  }
  return picked;
}

export { approx } from './approx.js';
