/**
 * The item catalogue's vocabulary: what one entry holds, the bounds every stored entry keeps (so that a store row
 * provably fits DynamoDB's 400 KB item limit: see MAX_ENTRY_JSON_BYTES), and the data-quality report of a parse.
 */
import type { RejectionSummary } from '../ingest/types.js';

/** The catalogue fields an API response can ask for (`fields=`), in the order they are documented. */
export const CATALOGUE_FIELDS = [
  'title',
  'categories',
  'tags',
  'text',
  'language',
  'publishedAt',
  'availableFrom',
  'availableUntil',
  'series',
  'attributes',
] as const;
export type CatalogueField = (typeof CATALOGUE_FIELDS)[number];

/** Fields read from a column of their own (everything but `attributes`, which are the declared custom columns). */
export const COLUMN_FIELDS = ['item', ...CATALOGUE_FIELDS.filter((field) => field !== 'attributes')] as const;
export type ColumnField = (typeof COLUMN_FIELDS)[number];

export type AttributeValue = string | number | boolean;

/** One item's catalogue entry; absent fields were empty or missing in the file. */
export interface CatalogueEntry {
  item: string;
  title?: string;
  categories?: string[];
  tags?: string[];
  /** At most {@link STORED_TEXT_CHARS} characters: a longer text is cut (see `textLength`). */
  text?: string;
  /** Length of the text in the file, in characters, when it was cut to {@link STORED_TEXT_CHARS}. */
  textLength?: number;
  language?: string;
  /** ISO-8601 instants (UTC). */
  publishedAt?: string;
  availableFrom?: string;
  availableUntil?: string;
  series?: string;
  /** The custom scalar attributes the config declares (`catalogue.attributes`). */
  attributes?: Record<string, AttributeValue>;
}

/** Stored text: enough for a card or a snippet; the whole text stays in the uploaded file. */
export const STORED_TEXT_CHARS = 2000;
export const MAX_TITLE_CHARS = 1000;
/** Values of one multi-valued field (categories, tags), each at most MAX_VALUE_BYTES UTF-8 bytes. */
export const MAX_VALUES = 50;
export const MAX_VALUE_BYTES = 256;
/** Custom attributes a config may declare, and the longest string value of one. */
export const MAX_ATTRIBUTES = 20;
export const MAX_ATTRIBUTE_NAME_CHARS = 64;
export const MAX_ATTRIBUTE_CHARS = 1000;
/** Language tags (BCP 47 shape: `en`, `pt-BR`, `zh-Hant-TW`). */
export const MAX_LANGUAGE_CHARS = 35;

/**
 * The largest JSON an entry can take within the bounds above: every UTF-16 unit escaped to 6 bytes (`\u0001`),
 * which no real text reaches. ~290 KB, under the store's 400,000-byte row budget (checked by a test).
 */
export const MAX_ENTRY_JSON_BYTES =
  6 *
    (256 + // item id (bytes; at most as many UTF-16 units)
      MAX_TITLE_CHARS +
      2 * MAX_VALUES * MAX_VALUE_BYTES +
      STORED_TEXT_CHARS +
      MAX_LANGUAGE_CHARS +
      MAX_VALUE_BYTES + // series
      MAX_ATTRIBUTES * (MAX_ATTRIBUTE_NAME_CHARS + MAX_ATTRIBUTE_CHARS)) +
  3 * 30 + // three ISO dates
  4096; // punctuation, field names, textLength

export type CatalogueFormat = 'csv' | 'tsv' | 'jsonl';

export type CatalogueRejection =
  | 'missing-field'
  | 'empty-id'
  | 'id-too-long'
  | 'bad-id'
  | 'bad-json'
  | 'bad-quoting'
  | 'line-too-long'
  | 'bad-value'
  | 'bad-date'
  | 'too-long'
  | 'too-many-values';

/** Catalogue options of the dataset config (`catalogue` in engine/model-config.ts). */
export interface CatalogueOptions {
  /** Column (header name or JSON key) of each field; default: the field's own name or a recognised synonym. */
  columns?: Partial<Record<ColumnField, string>>;
  /** Custom scalar attributes to keep: column names (CSV/TSV header) or JSON keys. */
  attributes?: readonly string[];
}

export interface IdSample {
  count: number;
  /** The first ids in code-unit order (at most 10). */
  examples: string[];
}

export interface CatalogueReport {
  file: string;
  format: CatalogueFormat;
  compressed: boolean;
  /** Data records read (header and blank lines excluded): accepted + rejected. */
  rowsRead: number;
  blankLines: number;
  accepted: number;
  /** Accepted rows whose item an earlier row already had: the later row replaced it. */
  duplicates: { count: number; lines: number[] };
  /** Distinct items: accepted - duplicates. */
  items: number;
  rejected: Partial<Record<CatalogueRejection, RejectionSummary>>;
  /** Which column (or JSON key) each field was read from; fields found nowhere are absent. */
  columns: Partial<Record<ColumnField, string>>;
  attributes: string[];
  /** Columns (CSV/TSV header) or keys (JSON Lines) no field reads, with how many records had them. */
  unknownColumns: { name: string; records: number }[];
  /** Entries whose text was cut to STORED_TEXT_CHARS. */
  textsCut: number;
  warnings: string[];
  /** Filled by a build that has the interactions too (see coverage.ts). */
  coverage?: {
    itemsWithoutInteractions: IdSample;
    interactedItemsMissing: IdSample;
  };
}
