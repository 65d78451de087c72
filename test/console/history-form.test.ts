import { describe, expect, it } from 'vitest';
import { RecommendBody } from '../../functions/api/schemas.js';
import {
  addToHistory,
  historyRequestBody,
  removeFromHistory,
  type HistoryForm,
} from '../../functions/console/history-form.js';
import { parseFilterBody } from '../../functions/engine/filters/filter-syntax.js';

const form = (overrides: Partial<HistoryForm>): HistoryForm => ({
  history: [{ item: 'i1' }],
  algorithm: 'item',
  limit: 10,
  includeCategories: '',
  excludeCategories: '',
  diversity: 0,
  ...overrides,
});

describe('anonymous history', () => {
  it('keeps the most recent pick first; a repeated pick moves to the front, once, keeping its title', () => {
    let history = addToHistory([], { item: 'a', title: 'Alpha' });
    history = addToHistory(history, { item: ' b ' });
    history = addToHistory(history, { item: 'a' });
    expect(history).toEqual([
      { item: 'a', title: 'Alpha' },
      { item: 'b', title: undefined },
    ]);
    expect(addToHistory(history, { item: '   ' })).toEqual(history);
    expect(removeFromHistory(history, 'a')).toEqual([{ item: 'b', title: undefined }]);
  });

  it('becomes a POST body the API schema accepts, history in the same order', () => {
    const result = historyRequestBody(form({ history: [{ item: 'c', title: 'C' }, { item: 'a' }], limit: 5 }));
    expect(result).toEqual({
      ok: true,
      body: { history: [{ item: 'c' }, { item: 'a' }], limit: 5, fields: ['title', 'categories'] },
    });
    if (!result.ok) return;
    expect(RecommendBody.safeParse(result.body).success).toBe(true);
  });

  it('sends the typed categories as filters the API parses to the same sets, and the diversity', () => {
    const result = historyRequestBody(
      form({ includeCategories: ' jazz, live; session ', excludeCategories: 'pop', diversity: 0.3 }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.body.filters).toEqual({ categories: { include: ['jazz', 'live; session'], exclude: ['pop'] } });
    expect(result.body.diversity).toBe(0.3);
    const parsed = RecommendBody.safeParse(result.body);
    expect(parsed.success).toBe(true);
    expect(parseFilterBody(result.body.filters, { attributes: [] })).toEqual({
      categories: { include: ['jazz', 'live; session'], exclude: ['pop'] },
    });
  });

  it('refuses, in words, what the API would not serve as asked', () => {
    expect(historyRequestBody(form({ history: [] }))).toEqual({
      ok: false,
      error: 'Add at least one item to the history.',
    });
    expect(historyRequestBody(form({ algorithm: 'user' }))).toMatchObject({
      ok: false,
      error: expect.stringContaining('item-based algorithm only'),
    });
    expect(historyRequestBody(form({ includeCategories: 'a', excludeCategories: 'b, a' }))).toEqual({
      ok: false,
      error: 'Category "a" is both included and excluded; remove it from one box.',
    });
    expect(historyRequestBody(form({ limit: 0 })).ok).toBe(false);
    expect(historyRequestBody(form({ diversity: 1.5 })).ok).toBe(false);
  });
});
