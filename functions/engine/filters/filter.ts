/**
 * The parsed request-time filter: what both syntaxes (filter-syntax.ts: the GET `filter=` string and the POST
 * `filters` object) produce, and what apply.ts evaluates against catalogue entries.
 *
 * Normal form (so the two syntaxes can be compared with a deep equality): value lists are distinct and sorted by
 * code unit, languages lower-cased (BCP 47 tags are case-insensitive), attribute values as text (a number in its
 * shortest JavaScript form, a boolean as `true`/`false`), dates as milliseconds since the epoch; empty parts absent.
 */

/** Include = the item must have at least one of these values; exclude = it must have none of them. */
export interface IncludeExclude {
  include?: string[];
  exclude?: string[];
}

export interface Filter {
  categories?: IncludeExclude;
  language?: IncludeExclude;
  series?: IncludeExclude;
  /** Custom attribute equality, by declared attribute name. */
  attributes?: Record<string, IncludeExclude>;
  /** Only items published at or after this instant (ms since the epoch). */
  publishedAfter?: number;
  /** Only items available at `now`: availableFrom ≤ now < availableUntil (a missing bound is open). */
  available?: boolean;
  /** The instant availability is judged at (ms since the epoch), overriding the request time (tests, previews). */
  now?: number;
}

/** At most this many values in one filter (both syntaxes): a filter is a few terms, not an item list. */
export const MAX_FILTER_VALUES = 100;
/** The longest GET `filter` string, in characters. */
export const MAX_FILTER_CHARS = 4096;

export function isEmptyFilter(filter: Filter): boolean {
  return (
    filter.categories === undefined &&
    filter.language === undefined &&
    filter.series === undefined &&
    filter.attributes === undefined &&
    filter.publishedAfter === undefined &&
    filter.available !== true
  );
}
