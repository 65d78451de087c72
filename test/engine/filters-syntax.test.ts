import { describe, expect, it } from 'vitest';
import {
  MAX_FILTER_VALUES,
  parseFilterBody,
  parseFilterDate,
  parseFilterQuery,
  type Filter,
} from '../../functions/engine/filters/index.js';
import { userInputErrorOf } from '../support/user-input-error.js';

const context = { attributes: ['duration', 'explicit'] };

const errorOf = userInputErrorOf;

describe('GET filter syntax', () => {
  it('parses each field kind into the normal form', () => {
    expect(parseFilterQuery('category:live,jazz', context)).toEqual({ categories: { include: ['jazz', 'live'] } });
    expect(parseFilterQuery('-category:news', context)).toEqual({ categories: { exclude: ['news'] } });
    expect(parseFilterQuery('language:EN,pt-BR', context)).toEqual({ language: { include: ['en', 'pt-br'] } });
    expect(parseFilterQuery('-language:de', context)).toEqual({ language: { exclude: ['de'] } });
    expect(parseFilterQuery('series:s1', context)).toEqual({ series: { include: ['s1'] } });
    expect(parseFilterQuery('attr.duration:30', context)).toEqual({ attributes: { duration: { include: ['30'] } } });
    expect(parseFilterQuery('-attr.explicit:true', context)).toEqual({
      attributes: { explicit: { exclude: ['true'] } },
    });
    expect(parseFilterQuery('publishedAfter:2026-01-01', context)).toEqual({ publishedAfter: Date.UTC(2026, 0, 1) });
    expect(parseFilterQuery('available', context)).toEqual({ available: true });
    expect(parseFilterQuery('available;now:2026-03-01T12:00Z', context)).toEqual({
      available: true,
      now: Date.UTC(2026, 2, 1, 12),
    });
  });

  it('combines terms; repeats add values; blanks around values are trimmed', () => {
    const filter = parseFilterQuery(
      ' category:jazz ; category: live,jazz;-language:de;series:s1;attr.duration:30;publishedAfter:2026-01-01;available',
      context,
    );
    const expected: Filter = {
      categories: { include: ['jazz', 'live'] },
      language: { exclude: ['de'] },
      series: { include: ['s1'] },
      attributes: { duration: { include: ['30'] } },
      publishedAfter: Date.UTC(2026, 0, 1),
      available: true,
    };
    expect(filter).toEqual(expected);
  });

  it.each([
    ['', 'filter'],
    ['category:jazz;;series:s1', 'filter'],
    ['category', 'filter'],
    ['genre:jazz', 'filter'],
    ['category:', 'filter.category'],
    ['category:jazz,,live', 'filter.category'],
    ['language:en;-language:en', 'filter.language'],
    ['attr.colour:red', 'filter.attr.colour'],
    ['attr.:red', 'filter'],
    ['publishedAfter:yesterday', 'filter.publishedAfter'],
    ['publishedAfter:2026-02-30', 'filter.publishedAfter'],
    ['publishedAfter:2026-01-01;publishedAfter:2026-02-01', 'filter.publishedAfter'],
    ['-publishedAfter:2026-01-01', 'filter.publishedAfter'],
    ['now:2026-01-01T25:00Z', 'filter.now'],
  ])('rejects %j naming %s', (text, where) => {
    expect(errorOf(() => parseFilterQuery(text, context)).where).toBe(where);
  });

  it('names the declared attributes when an unknown one is asked for', () => {
    const error = errorOf(() => parseFilterQuery('attr.colour:red', context));
    expect(error.message).toContain('"colour"');
    expect(error.hint).toContain('duration, explicit');
    expect(errorOf(() => parseFilterQuery('attr.duration:1', { attributes: [] })).hint).toContain('no attributes');
  });

  it('refuses more than MAX_FILTER_VALUES values and an over-long string', () => {
    const values = Array.from({ length: MAX_FILTER_VALUES + 1 }, (_, i) => `c${i}`);
    expect(parseFilterQuery(`category:${values.slice(1).join(',')}`, context).categories?.include).toHaveLength(
      MAX_FILTER_VALUES,
    );
    expect(errorOf(() => parseFilterQuery(`category:${values.join(',')}`, context)).where).toBe('filter.category');
    expect(errorOf(() => parseFilterQuery(`category:${'x'.repeat(5000)}`, context)).message).toContain('limit');
  });
});

describe('POST filter syntax', () => {
  it('maps to the same Filter as the GET form', () => {
    const get = parseFilterQuery(
      'category:jazz,live;-language:DE;series:s1;attr.duration:30;-attr.explicit:true;publishedAfter:2026-01-01T00:00:00+01:00;available;now:2026-05-01',
      context,
    );
    const post = parseFilterBody(
      {
        categories: { include: ['live', 'jazz'] },
        language: { exclude: ['de'] },
        series: { include: ['s1'] },
        attributes: { duration: { include: [30] }, explicit: { exclude: [true] } },
        publishedAfter: '2026-01-01T00:00:00+01:00',
        available: true,
        now: '2026-05-01',
      },
      context,
    );
    expect(post).toEqual(get);
    expect(post.publishedAfter).toBe(Date.UTC(2025, 11, 31, 23));
  });

  it('accepts values GET cannot carry (commas, semicolons)', () => {
    expect(parseFilterBody({ categories: { include: ['rock; roll', 'a,b'] } }, context)).toEqual({
      categories: { include: ['a,b', 'rock; roll'] },
    });
  });

  it.each([
    [{ categories: { include: [] } }, 'filters.categories.include'],
    [{ categories: { include: [''] } }, 'filters.categories.include[0]'],
    [{ categories: { only: ['x'] } }, 'filters.categories'],
    [{ genre: { include: ['x'] } }, 'filters'],
    [{ language: { include: ['en'], exclude: ['EN'] } }, 'filters.language.exclude'],
    [{ attributes: { colour: { include: ['red'] } } }, 'filters.attributes.colour.include'],
    [{ attributes: { duration: { include: [{}] } } }, 'filters.attributes.duration.include[0]'],
    [{ publishedAfter: 'soon' }, 'filters.publishedAfter'],
    [{ publishedAfter: 20260101 }, 'filters.publishedAfter'],
    [{ available: 'yes' }, 'filters.available'],
    [[], 'filters'],
  ])('rejects %j naming %s', (body, where) => {
    expect(errorOf(() => parseFilterBody(body, context)).where).toBe(where);
  });
});

describe('filter dates', () => {
  it('reads ISO-8601 dates and date-times, UTC without an offset', () => {
    expect(parseFilterDate('2026-01-02', 'd')).toBe(Date.UTC(2026, 0, 2));
    expect(parseFilterDate('2026-01-02T03:04', 'd')).toBe(Date.UTC(2026, 0, 2, 3, 4));
    expect(parseFilterDate('2026-01-02T03:04:05.6Z', 'd')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 600));
    expect(parseFilterDate('2026-01-02T03:04:05-02:30', 'd')).toBe(Date.UTC(2026, 0, 2, 5, 34, 5));
    expect(parseFilterDate('2024-02-29', 'd')).toBe(Date.UTC(2024, 1, 29));
  });

  it.each(['2025-02-29', '2026-13-01', '2026-1-1', '2026-01-01T12', '2026-01-01T12:60', '1700000000', '0012-01-01'])(
    'rejects %j',
    (text) => {
      expect(errorOf(() => parseFilterDate(text, 'here')).where).toBe('here');
    },
  );
});
