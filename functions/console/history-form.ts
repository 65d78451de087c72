/**
 * The explorer's anonymous history: items picked from the catalogue → the body of POST …/recommendations
 * (functions/api/schemas.ts RecommendBody). Pure; tested in test/console/history-form.test.ts against the API's
 * own body schema.
 *
 * Safety properties (each tested):
 * - The history is sent most recent first (the API scores the first entries and says so); picking an item again
 *   moves it to the front, never sends it twice.
 * - The category boxes become `filters.categories` with exactly the names typed; one both included and excluded
 *   is an error for the form, as in the GET form (./filter-form.ts).
 * - Only the item-based algorithm serves a posted history: choosing user-kNN is an error in words, not a request
 *   the API would answer with something else.
 */
import { categories } from './filter-form.js';

export interface HistoryPick {
  item: string;
  title?: string;
}

/** The history with `pick` as its most recent entry (moved to the front if already there). */
export function addToHistory(history: readonly HistoryPick[], pick: HistoryPick): HistoryPick[] {
  const item = pick.item.trim();
  if (item === '') return [...history];
  const known = history.find((entry) => entry.item === item);
  const entry = { item, title: pick.title ?? known?.title };
  return [entry, ...history.filter((other) => other.item !== item)];
}

export const removeFromHistory = (history: readonly HistoryPick[], item: string): HistoryPick[] =>
  history.filter((entry) => entry.item !== item);

export interface HistoryForm {
  history: readonly HistoryPick[];
  algorithm: 'item' | 'user';
  limit: number;
  includeCategories: string;
  excludeCategories: string;
  diversity: number;
}

export interface HistoryRequestBody {
  history: { item: string }[];
  limit: number;
  fields: ['title', 'categories'];
  filters?: { categories: { include?: string[]; exclude?: string[] } };
  diversity?: number;
}

export type BodyResult = { ok: true; body: HistoryRequestBody } | { ok: false; error: string };

export function historyRequestBody(form: HistoryForm): BodyResult {
  if (form.history.length === 0) return { ok: false, error: 'Add at least one item to the history.' };
  if (form.algorithm !== 'item')
    return {
      ok: false,
      error: 'An anonymous history is served by the item-based algorithm only; choose it, or recommend for a user id.',
    };
  if (!Number.isInteger(form.limit) || form.limit < 1 || form.limit > 100)
    return { ok: false, error: 'Limit must be a whole number from 1 to 100.' };
  if (!(form.diversity >= 0 && form.diversity <= 1)) return { ok: false, error: 'Diversity must be between 0 and 1.' };
  const include = categories(form.includeCategories);
  const exclude = categories(form.excludeCategories);
  const both = include.find((value) => exclude.includes(value));
  if (both !== undefined)
    return { ok: false, error: `Category "${both}" is both included and excluded; remove it from one box.` };
  const body: HistoryRequestBody = {
    history: form.history.map((entry) => ({ item: entry.item })),
    limit: form.limit,
    fields: ['title', 'categories'],
  };
  if (include.length > 0 || exclude.length > 0)
    body.filters = {
      categories: { ...(include.length > 0 && { include }), ...(exclude.length > 0 && { exclude }) },
    };
  if (form.diversity > 0) body.diversity = form.diversity;
  return { ok: true, body };
}
