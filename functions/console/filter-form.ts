/**
 * The explorer's filter form → the query string of GET …/users/{u}/recommendations. Pure, tested against the
 * API's own parser (functions/engine/filters/filter-syntax.ts) in test/console/filter-form.test.ts.
 *
 * Safety properties (each tested):
 * - What the form writes parses to the same include / exclude sets the user typed (round trip).
 * - A category the GET syntax cannot carry (',' or ';') or one both included and excluded is an error message
 *   for the form, not silently dropped or split.
 */

export interface ExplorerForm {
  userId: string;
  /** 'item' (the version's model) or 'user' (user-kNN). */
  algorithm: 'item' | 'user';
  limit: number;
  /** Comma-separated category names, as typed. */
  includeCategories: string;
  excludeCategories: string;
  /** 0 = off; 0–1. */
  diversity: number;
}

export type QueryResult = { ok: true; query: string } | { ok: false; error: string };

/** The comma-separated names typed in a category box, trimmed, empty ones dropped. */
export function categories(text: string): string[] {
  return text
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

/** The `filter=` value for the category boxes ('' when both are empty). Comma separates the typed values. */
export function filterValue(
  include: string,
  exclude: string,
): { ok: true; value: string } | { ok: false; error: string } {
  const plus = categories(include);
  const minus = categories(exclude);
  for (const value of [...plus, ...minus]) {
    if (value.includes(';'))
      return { ok: false, error: `Category "${value}" contains ";", which the filter syntax cannot carry.` };
  }
  const both = plus.find((value) => minus.includes(value));
  if (both !== undefined)
    return { ok: false, error: `Category "${both}" is both included and excluded; remove it from one box.` };
  const terms: string[] = [];
  if (plus.length > 0) terms.push(`category:${plus.join(',')}`);
  if (minus.length > 0) terms.push(`-category:${minus.join(',')}`);
  return { ok: true, value: terms.join(';') };
}

/** The query string (without '?') for the explorer's recommendations request. */
export function recommendationsQuery(form: ExplorerForm): QueryResult {
  if (form.userId.trim() === '') return { ok: false, error: 'Enter a user id.' };
  if (!Number.isInteger(form.limit) || form.limit < 1 || form.limit > 100)
    return { ok: false, error: 'Limit must be a whole number from 1 to 100.' };
  if (!(form.diversity >= 0 && form.diversity <= 1)) return { ok: false, error: 'Diversity must be between 0 and 1.' };
  const filter = filterValue(form.includeCategories, form.excludeCategories);
  if (!filter.ok) return filter;
  const params = new URLSearchParams({ limit: String(form.limit), fields: 'title,categories' });
  if (form.algorithm === 'user') params.set('algorithm', 'user');
  if (filter.value !== '') params.set('filter', filter.value);
  if (form.diversity > 0) params.set('diversity', String(form.diversity));
  return { ok: true, query: params.toString() };
}

/** Path of the recommendations request (relative: the console is served from the API's origin). */
export function recommendationsPath(dataset: string, form: ExplorerForm): QueryResult {
  const query = recommendationsQuery(form);
  if (!query.ok) return query;
  return {
    ok: true,
    query: `/v1/datasets/${encodeURIComponent(dataset)}/users/${encodeURIComponent(form.userId.trim())}/recommendations?${query.query}`,
  };
}
