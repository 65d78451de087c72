/** Public option and report types of the ingest module (see index.ts for the behaviour). */
import type { EventWeightingReport, EventTypesReport, EventWeighting } from './event-types.js';
import type { IngestLimits, LimitHint, MemoryCost } from './limits.js';
import type { ErasedRows, InteractionExclusion } from './exclusion.js';
import type { ActivityBin, PopularityPoint } from './report-curves.js';

export type IngestFormat = 'csv' | 'tsv' | 'dat' | 'jsonl';

/** A column by header / JSON key name, or by 0-based position. */
export type ColumnRef = string | number;

export interface IngestOptions {
  /**
   * 'auto' (default): by extension (.csv .tsv .data .txt .dat .jsonl .ndjson, after stripping .gz), checked
   * against the first line; unknown extensions are decided by sniffing the first line.
   */
  format?: 'auto' | IngestFormat;
  /** 'auto' (default): the first line is a header when its rating/timestamp fields are not numbers. */
  header?: boolean | 'auto';
  /**
   * Names (with a header, or JSON keys) or 0-based positions. Defaults: recognised header names
   * (userId, movieId, ...), else positions 0, 1, 2, 3. `rating: null` => implicit; `timestamp: null` => ignored.
   */
  columns?: {
    user?: ColumnRef;
    item?: ColumnRef;
    rating?: ColumnRef | null;
    timestamp?: ColumnRef | null;
    /** The event type column (read only with `events`); default: a recognised header name (type, event, action...). */
    type?: ColumnRef;
  };
  /**
   * Typed events (event-types.ts): each row's type picks a weight; its value is rating × weight (weight alone
   * without a rating column); weight 0 = the row is ignored. Absent: rows are plain ratings.
   */
  events?: EventWeighting;
  /**
   * Time decay (data/combine-events.ts): each row's value × 0.5^(age / halfLifeDays), age from the newest timestamp,
   * applied when the matrix is built. Every accepted row then needs a timestamp: a row without one is rejected as
   * bad-timestamp, a file without a timestamp column fails.
   */
  halfLifeDays?: number;
  /** Field delimiter for csv (default ',' or the one sniffed from the first line: ',', ';', '|'). */
  delimiter?: string;
  /** Ignore any rating column; every interaction has value 1. */
  implicit?: boolean;
  /** How many line numbers to keep per rejection reason (default 10). */
  maxErrorLines?: number;
  /** Shown in messages and the report (defaults to the path when `source` is a path). */
  fileName?: string;
  /**
   * Size of a streamed input as stored, when known (an S3 object's length: for a gzip, its compressed size): sizes
   * the log up front and lets the memory estimate project the whole input early.
   */
  expectedBytes?: number;
  /** Limits past which the parse stops at once with an IngestLimitError (see limits.ts); absent = unlimited. */
  limits?: IngestLimits;
  /** How to raise each limit, for the error's hint (default: the dataset config's `limits`). */
  limitHint?: LimitHint;
  /** Bytes the build takes per row, user and item, for the memory estimate (default DEFAULT_MEMORY_COST). */
  memoryCost?: MemoryCost;
  /** Largest share of data rows that may be rejected (0..1, default 0.1); above it a DataQualityError. */
  maxRejectedShare?: number;
  /** Called after each chunk with the number of (possibly compressed) bytes read so far. */
  onProgress?: (bytesRead: number) => void;
  /**
   * Erasure and takedown (loadSources only): rows of the users / items it excludes are dropped whatever file they
   * are in, and counted in the report's `erased` (exclusion.ts).
   */
  exclude?: InteractionExclusion;
  /**
   * A pseudonymised dataset (config `pseudonymizeUsers`), with the key of the keyed user-id hash: the log holds
   * each user's pseudonym instead of the id (./pseudonymize-users.ts) and no message quotes the input
   * (./withheld-text.ts).
   */
  pseudonymizeUsers?: { key: Uint8Array };
}

/** What a pseudonymised parse says about itself (in its report). */
export interface PrivacyReport {
  userIds: 'pseudonymized';
  inputText: 'withheld';
  note: string;
}

export type RejectionReason =
  | 'missing-field'
  | 'empty-id'
  | 'id-too-long'
  | 'bad-id'
  | 'bad-rating'
  | 'bad-timestamp'
  | 'bad-json'
  | 'bad-quoting'
  | 'line-too-long';

export interface RejectionSummary {
  count: number;
  /** The first `maxErrorLines` line numbers (1-based physical lines; a header is line 1). */
  lines: number[];
  /** The first message, e.g. "line 17: rating 'abc' is not a number". */
  example: string;
}

export interface QualityReport {
  file?: string;
  format: IngestFormat;
  /** True when the input was gzip-compressed. */
  compressed: boolean;
  header: boolean;
  implicit: boolean;
  /** True when at least one accepted row had a timestamp. */
  hasTimestamps: boolean;
  /** Data records read (header and blank lines excluded): accepted + all rejected. */
  rowsRead: number;
  /** Blank (empty or whitespace-only) lines skipped; not counted in rowsRead. */
  blankLines: number;
  accepted: number;
  /** Accepted rows replaced by a later one with the same (user, item). */
  duplicatesDropped: number;
  /** With `exclude`: accepted rows dropped as erased users' or taken-down items' (never named here). */
  erased?: ErasedRows;
  /** Ratings in the matrix: accepted - erased rows - duplicatesDropped. */
  ratings: number;
  rejected: Partial<Record<RejectionReason, RejectionSummary>>;
  users: number;
  items: number;
  /** ratings / (users * items); 0 for an empty matrix. */
  density: number;
  /** Distinct values (ascending) when there are <= 20, else 10 equal-width bins labelled "a–b". */
  ratingHistogram: { value: string; count: number }[];
  /** Top 10 items by distinct users, ties by id ascending. */
  popularItems: { item: string; count: number }[];
  /**
   * The popularity long tail: items by distinct users, most first, at ranks 1, 2, 3, 5, 8, … and the last
   * (report-curves.ts; at most 64 points).
   */
  popularityCurve: PopularityPoint[];
  /** Users by items interacted with, in bins [1,1], [2,2], [3,4], [5,8], …, zero bins included up to the last. */
  userActivity: ActivityBin[];
  /** With `events`: rows per event type and the weight each got. */
  eventTypes?: EventTypesReport;
  /** With `events` or time decay: how events were combined and decayed, and the effective weight distribution. */
  weighting?: EventWeightingReport;
  /** With `pseudonymizeUsers`: user ids are pseudonyms and input text is withheld. */
  privacy?: PrivacyReport;
  warnings: string[];
}

/** The part of the report known before the matrix is built. */
export type LogReport = Omit<
  QualityReport,
  | 'duplicatesDropped'
  | 'ratings'
  | 'users'
  | 'items'
  | 'density'
  | 'ratingHistogram'
  | 'popularItems'
  | 'popularityCurve'
  | 'userActivity'
  | 'weighting'
>;
