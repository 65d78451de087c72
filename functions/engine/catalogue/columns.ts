/**
 * Which column (CSV/TSV header name) or key (JSON Lines) holds each catalogue field: the configured name where
 * the config gives one (compared exactly, then ignoring case), else the field's own name or a synonym, compared
 * lower-case without punctuation (`published_at` = `publishedAt`). A configured column missing from a header is
 * fatal, as a configured interaction column is.
 */
import { UserInputError } from '../types.js';
import { COLUMN_FIELDS, type CatalogueOptions, type ColumnField } from './types.js';

const SYNONYMS: Record<ColumnField, readonly string[]> = {
  item: ['item', 'itemid', 'id'],
  title: ['title', 'name'],
  categories: ['categories', 'category', 'genres', 'genre', 'sections', 'section', 'topics'],
  tags: ['tags', 'tag', 'keywords'],
  text: ['text', 'description', 'summary', 'synopsis'],
  language: ['language', 'lang'],
  publishedAt: ['publishedat', 'published', 'publicationdate', 'releasedate'],
  availableFrom: ['availablefrom'],
  availableUntil: ['availableuntil', 'availableto', 'expiresat'],
  series: ['series', 'seriesid'],
};

export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** What one column or key holds. */
export type ColumnRole = { field: ColumnField } | { attribute: string } | 'unknown';

/** Classifies names (a header, or the keys of JSON records) by the options, with a cache for JSON keys. */
export class ColumnRoles {
  private readonly cache = new Map<string, ColumnRole>();
  private readonly configured: Partial<Record<ColumnField, string>>;
  private readonly attributes: ReadonlySet<string>;

  constructor(options: CatalogueOptions) {
    this.configured = options.columns ?? {};
    this.attributes = new Set(options.attributes ?? []);
  }

  roleOf(name: string): ColumnRole {
    let role = this.cache.get(name);
    if (role === undefined) {
      role = this.classify(name);
      if (this.cache.size < 10_000) this.cache.set(name, role); // JSON keys are data: bound the cache
    }
    return role;
  }

  private classify(name: string): ColumnRole {
    if (this.attributes.has(name)) return { attribute: name };
    for (const field of COLUMN_FIELDS) if (this.configured[field] === name) return { field };
    const normalised = normaliseName(name);
    for (const field of COLUMN_FIELDS) {
      // A field the config names elsewhere is not also read from its default column.
      if (this.configured[field] === undefined && SYNONYMS[field].includes(normalised)) return { field };
    }
    return 'unknown';
  }
}

/** Position of each field and attribute in a header; fatal when a configured column is missing or doubled. */
export function resolveHeader(
  header: readonly string[],
  options: CatalogueOptions,
  label: string,
): { fields: Map<ColumnField, number>; attributes: Map<string, number>; unknown: string[] } {
  const configured = options.columns ?? {};
  // A configured name matches exactly, else ignoring case (as interaction columns do).
  const exact = (wanted: string) => {
    const index = header.indexOf(wanted);
    return index >= 0 ? index : header.findIndex((name) => name.toLowerCase() === wanted.toLowerCase());
  };
  const listed = header.map((name) => `'${name}'`).join(', ');
  const missing = (what: string, wanted: string) =>
    new UserInputError(
      `unknown column '${wanted}' for ${what}: the header of ${label} has ${listed}`,
      what,
      'use one of the header names above, or rename the column in the file',
    );
  const fields = new Map<ColumnField, number>();
  const attributes = new Map<string, number>();
  const taken = new Map<number, string>();
  const take = (index: number, what: string) => {
    const other = taken.get(index);
    if (other !== undefined) {
      throw new UserInputError(
        `column '${header[index]}' of ${label} is read as both ${other} and ${what}`,
        'catalogue.columns',
        'give each field its own column',
      );
    }
    taken.set(index, what);
  };
  for (const name of options.attributes ?? []) {
    const index = exact(name);
    if (index < 0) throw missing(`catalogue.attributes`, name);
    take(index, `attribute ${name}`);
    attributes.set(name, index);
  }
  for (const field of COLUMN_FIELDS) {
    const wanted = configured[field];
    if (wanted !== undefined) {
      const index = exact(wanted);
      if (index < 0) throw missing(`catalogue.columns.${field}`, wanted);
      take(index, field);
      fields.set(field, index);
      continue;
    }
    const index = header.findIndex((name, k) => !taken.has(k) && SYNONYMS[field].includes(normaliseName(name)));
    if (index >= 0) {
      take(index, field);
      fields.set(field, index);
    }
  }
  if (!fields.has('item')) {
    throw new UserInputError(
      `${label} has no item column: its header has ${listed}`,
      `${label}:1`,
      'name the id column "item" (or "itemId", "id"), or set catalogue.columns.item in the dataset config',
    );
  }
  return { fields, attributes, unknown: header.filter((_, k) => !taken.has(k)) };
}
