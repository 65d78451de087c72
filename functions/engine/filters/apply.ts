/**
 * Evaluates a parsed {@link Filter} against catalogue entries: compiled once per request into a predicate over the
 * candidates held in memory (sets, and dates as numbers), so a filter costs one look-up per candidate and field.
 *
 * Rules
 * - Include: the entry has at least one of the values; exclude: it has none. A field the entry lacks fails an
 *   include and passes an exclude (an item with no language is not German).
 * - Languages compare case-insensitively and exactly (`en` does not match `en-GB`); everything else exactly.
 * - Attribute values compare as text: the number 30 equals "30", true equals "true".
 * - publishedAfter: publishedAt ≥ the instant; an entry without publishedAt fails it.
 * - available: availableFrom ≤ now < availableUntil, a missing bound open; `filter.now` overrides `now`.
 * - An item with no catalogue entry passes the empty filter and fails every other one, excludes included: nothing is
 *   known about it, so no rule can be shown to hold.
 *
 * Safety properties (test/engine/filters-apply.test.ts): each rule above; filterCandidates keeps the input order.
 */
import type { AttributeValue, CatalogueEntry } from '../catalogue/index.js';
import { isEmptyFilter, type Filter, type IncludeExclude } from './filter.js';

/** The catalogue as the filters read it: an item's entry, or undefined when the catalogue has none. */
export type CatalogueLookup = (item: string) => CatalogueEntry | undefined;

export type EntryPredicate = (entry: CatalogueEntry | undefined) => boolean;

interface Sides {
  include?: ReadonlySet<string>;
  exclude?: ReadonlySet<string>;
}

const sidesOf = (part: IncludeExclude): Sides => ({
  include: part.include ? new Set(part.include) : undefined,
  exclude: part.exclude ? new Set(part.exclude) : undefined,
});

/** Whether a field with these values (none: undefined or []) passes both sides. */
function passes(sides: Sides, values: readonly string[]): boolean {
  if (sides.include && !values.some((v) => sides.include!.has(v))) return false;
  if (sides.exclude && values.some((v) => sides.exclude!.has(v))) return false;
  return true;
}

const one = (value: string | undefined): readonly string[] => (value === undefined ? [] : [value]);
const attributeText = (value: AttributeValue | undefined): readonly string[] =>
  value === undefined ? [] : [String(value)];

/** The filter as a predicate; `now` (ms since the epoch) is the request time, used unless `filter.now` is set. */
export function compileFilter(filter: Filter, now: number): EntryPredicate {
  if (isEmptyFilter(filter)) return () => true;
  const checks: ((entry: CatalogueEntry) => boolean)[] = [];
  if (filter.categories) {
    const sides = sidesOf(filter.categories);
    checks.push((entry) => passes(sides, entry.categories ?? []));
  }
  if (filter.language) {
    const sides = sidesOf(filter.language);
    checks.push((entry) => passes(sides, one(entry.language?.toLowerCase())));
  }
  if (filter.series) {
    const sides = sidesOf(filter.series);
    checks.push((entry) => passes(sides, one(entry.series)));
  }
  for (const [name, part] of Object.entries(filter.attributes ?? {})) {
    const sides = sidesOf(part);
    checks.push((entry) => passes(sides, attributeText(entry.attributes?.[name])));
  }
  if (filter.publishedAfter !== undefined) {
    const after = filter.publishedAfter;
    checks.push((entry) => entry.publishedAt !== undefined && Date.parse(entry.publishedAt) >= after);
  }
  if (filter.available === true) {
    const at = filter.now ?? now;
    checks.push(
      (entry) =>
        (entry.availableFrom === undefined || Date.parse(entry.availableFrom) <= at) &&
        (entry.availableUntil === undefined || at < Date.parse(entry.availableUntil)),
    );
  }
  return (entry) => entry !== undefined && checks.every((check) => check(entry));
}

/** Whether one item's entry (undefined: the catalogue has none) passes the filter at `now` (ms since the epoch). */
export function matches(entry: CatalogueEntry | undefined, filter: Filter, now: number): boolean {
  return compileFilter(filter, now)(entry);
}

/** The candidates whose entries pass the filter, in their input order (scored items stay in score order). */
export function filterCandidates<T extends { item: string }>(
  candidates: readonly T[],
  catalogue: CatalogueLookup,
  filter: Filter,
  now: number,
): T[] {
  if (isEmptyFilter(filter)) return [...candidates];
  const accepts = compileFilter(filter, now);
  return candidates.filter((candidate) => accepts(catalogue(candidate.item)));
}
