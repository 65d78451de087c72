import { describe, expect, it } from 'vitest';
import { parseFilterQuery } from '../../functions/engine/filters/filter-syntax.js';
import { filterValue, recommendationsPath, type ExplorerForm } from '../../functions/console/filter-form.js';

const form = (overrides: Partial<ExplorerForm>): ExplorerForm => ({
  userId: 'u1',
  algorithm: 'item',
  limit: 10,
  includeCategories: '',
  excludeCategories: '',
  diversity: 0,
  ...overrides,
});

describe('explorer filter form → query string', () => {
  it('round-trips through the API filter parser: the include / exclude sets typed are the ones parsed', () => {
    const written = filterValue(' thriller , drama', 'horror');
    expect(written).toEqual({ ok: true, value: 'category:thriller,drama;-category:horror' });
    if (!written.ok) return;
    expect(parseFilterQuery(written.value, { attributes: [] })).toEqual({
      categories: { include: ['drama', 'thriller'], exclude: ['horror'] },
    });
  });

  it('survives URL encoding: the API receives the same filter value the form wrote', () => {
    const path = recommendationsPath('my data', form({ userId: ' u 1 ', includeCategories: 'sci-fi & fantasy' }));
    expect(path.ok).toBe(true);
    if (!path.ok) return;
    const url = new URL(path.query, 'http://127.0.0.1');
    expect(url.pathname).toBe('/v1/datasets/my%20data/users/u%201/recommendations');
    const filter = url.searchParams.get('filter') ?? '';
    expect(parseFilterQuery(filter, { attributes: [] })).toEqual({ categories: { include: ['sci-fi & fantasy'] } });
    expect(url.searchParams.get('fields')).toBe('title,categories');
    expect(url.searchParams.get('limit')).toBe('10');
    expect(url.searchParams.has('diversity')).toBe(false);
    expect(url.searchParams.has('algorithm')).toBe(false);
  });

  it('sends the algorithm switch and a diversity above 0', () => {
    const path = recommendationsPath('demo', form({ algorithm: 'user', diversity: 0.5 }));
    if (!path.ok) throw new Error(path.error);
    const url = new URL(path.query, 'http://127.0.0.1');
    expect(url.searchParams.get('algorithm')).toBe('user');
    expect(url.searchParams.get('diversity')).toBe('0.5');
    expect(url.searchParams.has('filter')).toBe(false);
  });

  it('refuses, with a message, what the GET syntax cannot carry or the API would reject', () => {
    expect(filterValue('a;b', '')).toEqual({ ok: false, error: expect.stringContaining('";"') });
    expect(filterValue('jazz', 'jazz')).toEqual({
      ok: false,
      error: expect.stringContaining('both included and excluded'),
    });
    expect(recommendationsPath('demo', form({ userId: ' ' }))).toEqual({ ok: false, error: 'Enter a user id.' });
    expect(recommendationsPath('demo', form({ limit: 101 })).ok).toBe(false);
    expect(recommendationsPath('demo', form({ diversity: 1.5 })).ok).toBe(false);
  });
});
