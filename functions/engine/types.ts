/**
 * The engine's shared vocabulary. Ingest, matrix, similarity, recommendation, evaluation and the adapters
 * all speak in these terms, so that each can be tested alone and swapped without touching the others.
 *
 * Conventions
 * - External ids (users, items) are strings; inside a model they are dense integer indices assigned in
 *   first-seen order by an {@link IdDictionary}.
 * - "Rows" are the entities being compared: items for item-based CF, users for user-based CF.
 * - Every similarity kernel works on a half-open range of rows [start, end), so the work splits into row ranges
 *   computed on worker_threads on one machine. Nothing runs across machines yet; the row-range design is what a
 *   later Step Functions Distributed Map would hand out, one range per iteration.
 */

/**
 * Largest magnitude of an interaction value (a rating, a weight, a history value in a request). Values are stored as
 * 32-bit floats and scores sum up to thousands of products of them; bounding them keeps every stored value exact to
 * float32 precision and every score finite. Larger values are rejected at ingest and by the API, never clipped.
 */
export const MAX_ABS_VALUE = 1e9;

/** Longest user or item id, in UTF-8 bytes: enforced at ingest, and the API's and the store's key limit. */
export const MAX_ID_BYTES = 256;

/**
 * Most neighbours (or weights) kept per row, for every model's k. Here rather than in model-config.ts so that
 * the content options (content/config.ts), which model-config.ts includes, can use it without an import cycle.
 */
export const MAX_K = 500;

/**
 * The kinds of model a build can produce, each served from its own rows: `item` = item-item neighbour rows
 * (item-based CF, similar items), `user` = user-user neighbour rows (user-based CF, similar users). The build
 * config (`models`), the stored version options and the API's `algorithm` use these same names.
 */
export const MODEL_KINDS = ['item', 'user'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** One rating / interaction as read from a file. `value` is 1 for implicit feedback. */
export interface Interaction {
  user: string;
  item: string;
  value: number;
  /** Seconds or milliseconds since the epoch, as given in the file; undefined when the file has none. */
  timestamp?: number;
}

/**
 * Compressed sparse row matrix (typed arrays only). Row r's entries are
 * `indices[indptr[r] .. indptr[r+1])` with matching `values`; indices within a row are sorted ascending.
 */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Uint32Array; // length rows + 1
  readonly indices: Uint32Array; // length nnz
  readonly values: Float32Array; // length nnz
}

/** The user x item matrix in both orientations, plus the id dictionaries. */
export interface RatingMatrix {
  readonly users: IdDictionaryView;
  readonly items: IdDictionaryView;
  /** rows = users, cols = items */
  readonly byUser: CsrMatrix;
  /** rows = items, cols = users */
  readonly byItem: CsrMatrix;
  /** Aligned with byUser.values; NaN where the interaction had no timestamp. Absent when no timestamps at all. */
  readonly timestamps?: Float64Array;
}

/** Read-only view of a string <-> index dictionary. */
export interface IdDictionaryView {
  readonly size: number;
  /** Index of an id, or undefined when unknown. */
  indexOf(id: string): number | undefined;
  /** The id at an index (throws RangeError when out of range). */
  idAt(index: number): string;
}

export type SimilarityMeasure = 'cosine' | 'adjusted-cosine' | 'pearson' | 'jaccard';

export interface SimilarityOptions {
  /**
   * Default 'cosine': cosine on raw values, norms over each full row (not only the shared columns):
   * sim(a, b) = Σ_c x_ac·x_bc / (‖x_a‖·‖x_b‖).
   */
  measure: SimilarityMeasure;
  /** Neighbours kept per row. Default 50. */
  k: number;
  /** Shrinkage lambda: sim * n / (n + lambda) where n = number of co-raters. Default 0 (off). */
  shrinkage: number;
  /** Pairs with fewer co-raters than this are dropped. Default 1. */
  minSupport: number;
  /** Treat every value as 1 (binary). Default false. */
  implicit: boolean;
}

export const DEFAULT_SIMILARITY_OPTIONS: SimilarityOptions = Object.freeze({
  measure: 'cosine',
  k: 50,
  shrinkage: 0,
  minSupport: 1,
  implicit: false,
});

/**
 * Top-K neighbours for a contiguous range of rows, in flat typed arrays (row-major, stride k).
 * For row r (start <= r < end) the neighbours are slots `(r - start) * k .. + count[r - start]`,
 * sorted by similarity descending, ties broken by neighbour index ascending (deterministic).
 * Only similarities above SIMILARITY_EPSILON (1e-12: positive beyond float noise) are kept; a row may have fewer
 * than k neighbours (or none). EASE item rows (recommend/model-kinds.ts `signedRows`) are the one exception: signed
 * weights sorted by |weight| descending, support 0.
 */
export interface NeighbourBlock {
  readonly start: number;
  readonly end: number;
  readonly k: number;
  readonly count: Uint32Array; // length end - start
  readonly neighbour: Uint32Array; // length (end - start) * k
  readonly similarity: Float64Array; // length (end - start) * k
  /** Number of co-raters behind each similarity. */
  readonly support: Uint32Array; // length (end - start) * k
}

/** A neighbour addressed by external id, as stored in DynamoDB rows and returned by the API. */
export interface Neighbour {
  id: string;
  similarity: number;
  /** Co-raters behind the similarity (explanations and trust); content rows: shared terms. */
  support: number;
  /**
   * Content and hybrid item rows: the display values of the pair's top shared catalogue terms (at most 3), where
   * the content part of the weight is > 0 ("shares: jazz, live").
   */
  terms?: string[];
}

/** Look up the stored neighbour row of an item or user by external id; undefined when there is none. */
export type NeighbourLookup = (id: string) => readonly Neighbour[] | undefined;

/** One entry of a user's history: an item and the user's value for it (1 for implicit feedback). */
export interface HistoryEntry {
  item: string;
  value: number;
}

export interface PopularItem {
  item: string;
  /** Number of distinct users who interacted with the item. */
  count: number;
  /** Mean value given to the item. */
  meanValue: number;
}

/** Why an item was recommended: one contributing history item (item-based) or neighbour user (user-based). */
export interface Contribution {
  /** The history item or the neighbour user id. */
  id: string;
  kind: 'item' | 'user';
  similarity: number;
  /** The history value r_j (item-based) or the neighbour's value r_vi (user-based). */
  value: number;
  /** similarity * value */
  contribution: number;
  /** contribution / Σ of the item's positive contributions, in (0, 1]: only positive contributors are listed. */
  share: number;
  /** Content and hybrid rows: the terms the history item shares with the recommended one (its neighbour entry's). */
  terms?: string[];
}

/** Why the requested algorithm could not be used: unknown user, empty history, or nothing scored above 0. */
export const FALLBACK_REASONS = ['unknown-user', 'empty-history', 'no-candidates'] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** Why a popularity result is there: how many users interacted with it, and why popularity answered. */
export interface PopularityReason {
  kind: 'popular';
  /** Distinct users who interacted with the item: its popularity, and its score. */
  interactions: number;
  /** Set when popularity stood in for the requested algorithm (the result's `fallback.reason`). */
  fallback?: FallbackReason;
}

/**
 * Why a trending result is there (the fallback of an unknown user or an empty history when the version has a
 * trending list, functions/api/trending-fallback.ts): its decayed recent count and the window it was ranked over.
 */
export interface TrendingReason {
  kind: 'trending';
  /** Σ 0.5^(age / halfLifeDays) over the item's interactions in the window (engine/filters/trending.ts): its score. */
  score: number;
  /** Interactions in the window. */
  count: number;
  windowDays: number;
  halfLifeDays: number;
  /** Set when trending stood in for the requested algorithm (the result's `fallback.reason`). */
  fallback?: FallbackReason;
}

/** Where a backfilled item came from (engine/filters/backfill.ts): the popularity or the trending ranking. */
export const BACKFILL_SOURCES = ['popular', 'trending'] as const;
export type BackfillSource = (typeof BACKFILL_SOURCES)[number];

/**
 * Why an item is listed although the model did not score it: filters or exclusions left fewer than `limit` scored
 * candidates, and the list was filled from a ranking within the same filter (engine/filters/backfill.ts).
 */
export interface BackfillReason {
  kind: 'backfill';
  reason: BackfillSource;
  /** The item's value in that ranking: distinct users (popular) or the decayed recent count (trending). */
  value: number;
}

/**
 * One reason for a recommendation: a CF contribution (kind item / user), popularity (kind popular), trending (kind
 * trending) or a backfill label (kind backfill).
 */
export type Explanation = Contribution | PopularityReason | TrendingReason | BackfillReason;

export type Algorithm = 'item' | 'user' | 'popularity';

/** What stands in when the requested algorithm cannot be used: popularity, or trending when the version has it. */
export const FALLBACK_ALGORITHMS = ['popularity', 'trending'] as const;
export type FallbackAlgorithm = (typeof FALLBACK_ALGORITHMS)[number];

export interface Recommendation {
  item: string;
  score: number;
  /**
   * Why the item is recommended: for CF, the contributors with the largest contributions, largest first; for
   * popularity (a fallback or asked for), one `popular` entry. Empty only when explanations are off (explainTop 0),
   * except for a backfilled item: its one `backfill` label is always there (it says why the item is listed at all).
   */
  because: Explanation[];
}

export interface RecommendationResult {
  algorithm: Algorithm;
  /**
   * Set when the requested algorithm could not be used (unknown user, empty history, nothing scored): what answered
   * instead, the popularity ranking or the version's trending list (algorithm stays 'popularity' for both).
   */
  fallback?: { reason: FallbackReason; algorithm: FallbackAlgorithm };
  items: Recommendation[];
}

export interface RecommendOptions {
  /** Top-N. Default 10. */
  limit: number;
  /** Exclude the items in the history. Default true. */
  excludeSeen: boolean;
  /** Never return these items. */
  exclude?: readonly string[];
  /** When given, only these items may be returned. */
  allow?: readonly string[];
  /**
   * Divide each score by the sum of |similarity| of its contributors. Default false: the plain weighted sums,
   * score(i) = Σ_j sim(j, i)·r_j (item-based) and pred(u, i) = Σ_v sim(u, v)·r_vi (user-based), unnormalised.
   */
  normalise: boolean;
  /** How many contributors each explanation lists. Default 3. */
  explainTop: number;
}

export const DEFAULT_RECOMMEND_OPTIONS: RecommendOptions = Object.freeze({
  limit: 10,
  excludeSeen: true,
  normalise: false,
  explainTop: 3,
});

/** Thrown for every user mistake (bad file, bad option): the CLI and API show `message` without a stack trace. */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
  constructor(
    message: string,
    /** Where: a file name, line number, field or option. */
    readonly where?: string,
    /** How to fix it. */
    readonly hint?: string,
  ) {
    super(message);
  }
}
