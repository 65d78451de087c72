/**
 * One record's values -> a catalogue entry, or the reason the line is rejected. Every bound of types.ts is
 * enforced here (a value past it rejects the line, never cut silently), except the text, which is cut to
 * STORED_TEXT_CHARS at a character boundary and says so (`textLength`).
 *
 * Values: CSV/TSV fields are text; multi-valued fields (categories, tags) are `|`-separated there, and JSON
 * arrays (or one string) in JSON Lines. Dates are ISO-8601 (UTC when no offset) or epoch numbers: seconds, or
 * milliseconds when above 1e11 (past the year 5138 in seconds); they are stored as ISO instants.
 */
import { decimalValue, parseId, parseTimestamp, show } from '../ingest/values.js';
import {
  MAX_ATTRIBUTE_CHARS,
  MAX_LANGUAGE_CHARS,
  MAX_TITLE_CHARS,
  MAX_VALUE_BYTES,
  MAX_VALUES,
  STORED_TEXT_CHARS,
  type AttributeValue,
  type CatalogueEntry,
  type CatalogueRejection,
  type ColumnField,
} from './types.js';

/** The separator of multi-valued fields in CSV and TSV. */
export const MULTI_VALUE_SEPARATOR = '|';

export type Built = { entry: CatalogueEntry; textCut: boolean } | { reason: CatalogueRejection; problem: string };

/** A record's raw values: text (CSV/TSV) or JSON values (JSON Lines); undefined = the column is absent. */
export interface RawRecord {
  fields: Partial<Record<ColumnField, unknown>>;
  attributes: Map<string, unknown>;
  /** True for CSV/TSV text (multi-valued fields are split on `|`), false for JSON values. */
  text: boolean;
}

class Rejected extends Error {
  constructor(
    readonly reason: CatalogueRejection,
    readonly problem: string,
  ) {
    super(problem);
  }
}

const LANGUAGE = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/;
const MAX_DATE_MS = 8.64e15;

export function buildEntry(raw: RawRecord): Built {
  try {
    return build(raw);
  } catch (error) {
    if (error instanceof Rejected) return { reason: error.reason, problem: error.problem };
    throw error;
  }
}

function build(raw: RawRecord): Built {
  const { fields } = raw;
  const rawItem = fields.item;
  if (rawItem === undefined || rawItem === null) throw new Rejected('missing-field', 'no item id');
  if (typeof rawItem !== 'string' && !(typeof rawItem === 'number' && Number.isFinite(rawItem)))
    throw new Rejected('bad-id', `item id must be a string or a number, found ${describe(rawItem)}`);
  const id = parseId(String(rawItem).trim(), 'item');
  if (!id.ok) throw new Rejected(id.reason ?? 'bad-id', id.problem);

  const entry: CatalogueEntry = { item: id.value };
  const title = scalarText(fields.title, 'title');
  if (title !== undefined) entry.title = bounded(title, MAX_TITLE_CHARS, 'title');
  const categories = multiValued(fields.categories, 'categories', raw.text);
  if (categories) entry.categories = categories;
  const tags = multiValued(fields.tags, 'tags', raw.text);
  if (tags) entry.tags = tags;
  let textCut = false;
  const text = scalarText(fields.text, 'text');
  if (text !== undefined) {
    const cut = cutText(text);
    entry.text = cut;
    if (cut.length < text.length) {
      entry.textLength = text.length;
      textCut = true;
    }
  }
  const language = scalarText(fields.language, 'language');
  if (language !== undefined) {
    if (language.length > MAX_LANGUAGE_CHARS || !LANGUAGE.test(language))
      throw new Rejected('bad-value', `language ${show(language)} is not a language tag such as en or pt-BR`);
    entry.language = language;
  }
  for (const field of ['publishedAt', 'availableFrom', 'availableUntil'] as const) {
    const date = dateOf(fields[field], field);
    if (date !== undefined) entry[field] = date;
  }
  if (entry.availableFrom && entry.availableUntil && entry.availableUntil < entry.availableFrom) {
    throw new Rejected(
      'bad-date',
      `availableUntil ${entry.availableUntil} is before availableFrom ${entry.availableFrom}`,
    );
  }
  const series = scalarText(fields.series, 'series');
  if (series !== undefined) entry.series = boundedBytes(series, 'series');
  const attributes: Record<string, AttributeValue> = {};
  let any = false;
  for (const [name, value] of raw.attributes) {
    const scalar = attributeValue(value, name, raw.text);
    if (scalar === undefined) continue;
    attributes[name] = scalar;
    any = true;
  }
  if (any) entry.attributes = attributes;
  return { entry, textCut };
}

/** A text field: trimmed, empty = absent; JSON numbers are taken as their text. */
function scalarText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') throw new Rejected('bad-value', `${field} must be text, found ${describe(value)}`);
  const trimmed = value.trim();
  if (trimmed.includes('\uFFFD')) throw new Rejected('bad-value', `${field} ${show(trimmed)} is not valid UTF-8`);
  return trimmed === '' ? undefined : trimmed;
}

function bounded(value: string, limit: number, field: string): string {
  if (value.length > limit)
    throw new Rejected('too-long', `${field} is ${value.length} characters; the limit is ${limit}`);
  return value;
}

function boundedBytes(value: string, field: string): string {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_VALUE_BYTES)
    throw new Rejected('too-long', `${field} ${show(value)} is ${bytes} UTF-8 bytes; the limit is ${MAX_VALUE_BYTES}`);
  return value;
}

/** `a|b|c` (CSV/TSV) or ["a","b"] / "a" (JSON): trimmed, empties dropped, repeats kept once, in file order. */
function multiValued(value: unknown, field: string, text: boolean): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  let parts: unknown[];
  if (Array.isArray(value)) parts = value;
  else if (typeof value === 'string') parts = text ? value.split(MULTI_VALUE_SEPARATOR) : [value];
  else if (typeof value === 'number') parts = [value];
  else throw new Rejected('bad-value', `${field} must be a list of text values, found ${describe(value)}`);
  const values = new Set<string>();
  for (const part of parts) {
    const one = scalarText(part, `a value of ${field}`);
    if (one !== undefined) values.add(boundedBytes(one, `a value of ${field}`));
  }
  if (values.size > MAX_VALUES)
    throw new Rejected('too-many-values', `${field} has ${values.size} values; the limit is ${MAX_VALUES}`);
  return values.size > 0 ? [...values] : undefined;
}

/** Cut at STORED_TEXT_CHARS UTF-16 units, never inside a surrogate pair. */
function cutText(text: string): string {
  if (text.length <= STORED_TEXT_CHARS) return text;
  let end = STORED_TEXT_CHARS;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

function dateOf(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new Rejected('bad-date', `${field} must be an ISO-8601 date or a number, found ${describe(value)}`);
  const parsed = parseTimestamp(String(value));
  if (!parsed.ok) throw new Rejected('bad-date', `${field}: ${parsed.problem}`);
  if (Number.isNaN(parsed.value)) return undefined; // empty
  // parseTimestamp gives an ISO date in seconds and keeps a number as written.
  const isNumber = typeof value === 'number' || Number.isFinite(decimalValue(value.trim()));
  const millis = !isNumber || Math.abs(parsed.value) <= 1e11 ? parsed.value * 1000 : parsed.value;
  if (!(Math.abs(millis) <= MAX_DATE_MS))
    throw new Rejected('bad-date', `${field} ${show(String(value))} is outside the dates JavaScript can represent`);
  return new Date(Math.round(millis)).toISOString();
}

function attributeValue(value: unknown, name: string, text: boolean): AttributeValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Rejected('bad-value', `attribute ${name} is not a finite number`);
    return value;
  }
  if (typeof value !== 'string')
    throw new Rejected('bad-value', `attribute ${name} must be text, a number or true/false, found ${describe(value)}`);
  // CSV/TSV values stay text (an id such as "007" is not a number); JSON keeps its own types.
  const trimmed = text ? value.trim() : value;
  if (trimmed === '') return undefined;
  return bounded(trimmed, MAX_ATTRIBUTE_CHARS, `attribute ${name}`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return show(String(value));
}
