/**
 * The request-time filter syntax: one grammar for the GET query (`filter=`) and one zod schema for the POST body
 * (`filters`), both giving the same {@link Filter} (filter.ts) or a UserInputError naming the field.
 *
 * GET grammar (the value of the `filter` query parameter, after URL decoding):
 *
 *   filter = term *( ";" term )
 *   term   = [ "-" ] field ":" value *( "," value )   ; include (any of the values), "-" = exclude (none of them)
 *          / "publishedAfter:" date                  ; published at or after the instant
 *          / "available"                             ; availableFrom ≤ now < availableUntil
 *          / "now:" date                             ; the instant `available` is judged at (default: request time)
 *   field  = "category" / "language" / "series" / "attr." name   ; name: an attribute the catalogue declares
 *   value  = 1*( any character but "," and ";" )     ; trimmed; values with "," or ";" need the POST form
 *   date   = YYYY-MM-DD [ "T" hh:mm [ ":" ss [ "." 1*3digit ] ] [ "Z" / ( "+" / "-" ) hh:mm ] ]   ; UTC without offset
 *
 *   e.g. filter=category:jazz,live;-language:de;series:s1;attr.duration:30;publishedAfter:2026-01-01;available
 *
 * Terms are ANDed; a field's values are ORed (include) or all barred (exclude); repeating a field adds values.
 *
 * POST form: `filters: { categories?: { include?, exclude? }, language?: {…}, series?: {…},
 *   attributes?: { <name>: { include?: [scalar…], exclude?: [scalar…] } }, publishedAfter?: date, available?: true|false,
 *   now?: date }`, every list non-empty, unknown keys rejected.
 *
 * Safety properties (each tested in test/engine/filters-syntax.test.ts):
 * - Nothing is ignored: an unknown field, an undeclared attribute, an empty value, a bad date, a value both included
 *   and excluded, or more than MAX_FILTER_VALUES values is a UserInputError whose `where` names the field.
 * - The GET and the POST form of the same filter parse to deep-equal Filters.
 */
import { z } from 'zod';
import { describeIssues } from '../config-issues.js';
import { UserInputError } from '../types.js';
import { MAX_FILTER_CHARS, MAX_FILTER_VALUES, type Filter, type IncludeExclude } from './filter.js';

/** What the filter is checked against: the custom attributes the dataset's catalogue declares. */
export interface FilterContext {
  attributes: readonly string[];
}

const HINT =
  'Write terms such as category:jazz,live;-language:de;attr.duration:30;publishedAfter:2026-01-01;available ' +
  '(see the filter syntax in the API documentation).';

const POST_HINT =
  'Give filters as { categories: { include, exclude }, language: {…}, series: {…}, ' +
  'attributes: { <name>: { include, exclude } }, publishedAfter, available, now }.';

type Field = 'categories' | 'language' | 'series';
const GET_FIELDS: Record<string, Field> = { category: 'categories', language: 'language', series: 'series' };

/** Values gathered before normalising: field -> include / exclude sets. */
class FilterBuilder {
  private readonly sets = new Map<string, { include: Set<string>; exclude: Set<string> }>();
  private values = 0;
  publishedAfter?: number;
  available?: boolean;
  now?: number;

  constructor(
    private readonly prefix: string,
    private readonly context: FilterContext,
    private readonly hint: string,
  ) {}

  /** `key` is `categories`, `language`, `series` or `attributes.<name>`. */
  add(key: string, exclude: boolean, value: string, where: string): void {
    if (key.startsWith('attributes.')) {
      const name = key.slice('attributes.'.length);
      if (!this.context.attributes.includes(name)) {
        const declared = this.context.attributes;
        throw new UserInputError(
          `${this.prefix}: unknown attribute ${JSON.stringify(name)}`,
          where,
          declared.length > 0
            ? `The catalogue declares these attributes: ${declared.join(', ')}.`
            : 'The catalogue declares no attributes (config catalogue.attributes).',
        );
      }
    }
    const trimmed = value.trim();
    if (trimmed === '') throw new UserInputError(`${this.prefix}: ${where} has an empty value`, where, this.hint);
    const normal = key === 'language' ? trimmed.toLowerCase() : trimmed;
    let entry = this.sets.get(key);
    if (entry === undefined) this.sets.set(key, (entry = { include: new Set(), exclude: new Set() }));
    const [mine, other] = exclude ? [entry.exclude, entry.include] : [entry.include, entry.exclude];
    if (other.has(normal))
      throw new UserInputError(
        `${this.prefix}: ${JSON.stringify(trimmed)} is both included and excluded in ${where}`,
        where,
        'Keep the value on one side only.',
      );
    if (!mine.has(normal) && ++this.values > MAX_FILTER_VALUES)
      throw new UserInputError(
        `${this.prefix} has more than ${MAX_FILTER_VALUES} values`,
        where,
        'Use fewer values; to restrict results to a list of items, use allow.',
      );
    mine.add(normal);
  }

  once(field: 'publishedAfter' | 'now', value: number, where: string): void {
    if (this[field] !== undefined)
      throw new UserInputError(`${this.prefix}: ${field} is given twice`, where, `Give ${field} once.`);
    this[field] = value;
  }

  build(): Filter {
    const filter: Filter = {};
    for (const [key, { include, exclude }] of [...this.sets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const part: IncludeExclude = {};
      if (include.size > 0) part.include = [...include].sort();
      if (exclude.size > 0) part.exclude = [...exclude].sort();
      if (key.startsWith('attributes.')) (filter.attributes ??= {})[key.slice('attributes.'.length)] = part;
      else filter[key as Field] = part;
    }
    if (this.publishedAfter !== undefined) filter.publishedAfter = this.publishedAfter;
    if (this.available !== undefined) filter.available = this.available;
    if (this.now !== undefined) filter.now = this.now;
    return filter;
  }
}

/** Parses the GET `filter` query value. `where` names the parameter in errors (default `filter`). */
export function parseFilterQuery(text: string, context: FilterContext, where = 'filter'): Filter {
  if (text.length > MAX_FILTER_CHARS)
    throw new UserInputError(
      `${where} is ${text.length} characters long; the limit is ${MAX_FILTER_CHARS}`,
      where,
      'Use fewer terms, or the POST form.',
    );
  const builder = new FilterBuilder(where, context, HINT);
  text.split(';').forEach((raw, index) => {
    const term = raw.trim();
    if (term === '')
      throw new UserInputError(`${where}: term ${index + 1} is empty`, where, `Separate terms with one ";". ${HINT}`);
    if (term === 'available') return void (builder.available = true);
    const colon = term.indexOf(':');
    if (colon < 0)
      throw new UserInputError(`${where}: term ${JSON.stringify(term)} has no ":" (expected field:value)`, where, HINT);
    const exclude = term.startsWith('-');
    const name = term.slice(exclude ? 1 : 0, colon).trim();
    const rest = term.slice(colon + 1);
    if (name === 'publishedAfter' || name === 'now') {
      const at = `${where}.${name}`;
      if (exclude) throw new UserInputError(`${where}: ${name} cannot be negated`, at, HINT);
      return builder.once(name, parseFilterDate(rest, at), at);
    }
    let key: string;
    if (name.startsWith('attr.') && name.length > 'attr.'.length) key = `attributes.${name.slice('attr.'.length)}`;
    else if (Object.hasOwn(GET_FIELDS, name)) key = GET_FIELDS[name];
    else
      throw new UserInputError(
        `${where}: unknown field ${JSON.stringify(name)}`,
        where,
        'Fields: category, language, series, attr.<name>, publishedAfter, now, available.',
      );
    const at = `${where}.${name}`;
    for (const value of rest.split(',')) builder.add(key, exclude, value, at);
  });
  return builder.build();
}

const LIST_RULE = 'must be a non-empty list of non-empty strings';
const values = z.array(z.string(LIST_RULE).min(1, LIST_RULE), LIST_RULE).min(1, LIST_RULE);
const includeExclude = z.strictObject({ include: values.optional(), exclude: values.optional() });
const SCALAR_RULE = 'must be a non-empty list of strings, numbers or true/false';
const scalar = z.union([z.string().min(1), z.number(), z.boolean()], SCALAR_RULE);
const scalars = z.array(scalar, SCALAR_RULE).min(1, SCALAR_RULE);
const DATE_RULE = 'must be an ISO-8601 date such as 2026-01-01 or 2026-01-01T12:00:00Z';

/** The POST body's `filters` object (the API composes it into its request schema). */
export const filtersBodySchema = z.strictObject({
  categories: includeExclude.optional(),
  language: includeExclude.optional(),
  series: includeExclude.optional(),
  attributes: z
    .record(z.string(), z.strictObject({ include: scalars.optional(), exclude: scalars.optional() }))
    .optional(),
  publishedAfter: z.string(DATE_RULE).optional(),
  available: z.boolean('must be true or false').optional(),
  now: z.string(DATE_RULE).optional(),
});
export type FiltersBody = z.infer<typeof filtersBodySchema>;

/** Parses the POST body's `filters` value. `where` names it in errors (default `filters`). */
export function parseFilterBody(body: unknown, context: FilterContext, where = 'filters'): Filter {
  const parsed = filtersBodySchema.safeParse(body);
  if (!parsed.success) {
    const [problem] = describeIssues(parsed.error, body);
    const at = problem.field === '' ? where : `${where}.${problem.field}`;
    throw new UserInputError(`${at}: ${problem.rule}${problem.got}`, at, POST_HINT);
  }
  const builder = new FilterBuilder(where, context, POST_HINT);
  const fields: Field[] = ['categories', 'language', 'series'];
  for (const field of fields) addSides(builder, field, parsed.data[field], `${where}.${field}`);
  for (const [name, sides] of Object.entries(parsed.data.attributes ?? {})) {
    const text = (list: readonly (string | number | boolean)[] | undefined) => list?.map((v) => String(v));
    addSides(
      builder,
      `attributes.${name}`,
      { include: text(sides.include), exclude: text(sides.exclude) },
      `${where}.attributes.${name}`,
    );
  }
  const { publishedAfter, available, now } = parsed.data;
  if (publishedAfter !== undefined)
    builder.once(
      'publishedAfter',
      parseFilterDate(publishedAfter, `${where}.publishedAfter`),
      `${where}.publishedAfter`,
    );
  if (now !== undefined) builder.once('now', parseFilterDate(now, `${where}.now`), `${where}.now`);
  if (available === true) builder.available = true;
  return builder.build();
}

function addSides(builder: FilterBuilder, key: string, sides: IncludeExclude | undefined, where: string): void {
  for (const value of sides?.include ?? []) builder.add(key, false, value, `${where}.include`);
  for (const value of sides?.exclude ?? []) builder.add(key, true, value, `${where}.exclude`);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** An ISO-8601 date or date-time (UTC when no offset) -> ms since the epoch; a UserInputError naming `where`. */
export function parseFilterDate(text: string, where: string): number {
  const match = ISO_DATE.exec(text.trim());
  const fail = (): never => {
    throw new UserInputError(
      `${where} ${DATE_RULE} (got ${JSON.stringify(text)})`,
      where,
      'A date is YYYY-MM-DD, optionally with THH:MM[:SS[.sss]] and Z or ±HH:MM (UTC without one).',
    );
  };
  if (match === null) return fail();
  const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0', zone] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, Number(ms.padEnd(3, '0')));
  // Date.UTC rolls 2026-02-30 over to March: a date that does not survive the round trip does not exist.
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return fail();
  let offset = 0;
  if (zone !== undefined && zone !== 'Z') {
    const [oh, om] = zone.slice(1).split(':').map(Number);
    if (oh > 23 || om > 59) return fail();
    offset = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return utc - offset;
}
