import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../functions/engine/catalogue/index.js';
import { filterCandidates, matches, parseFilterQuery, type Filter } from '../../functions/engine/filters/index.js';

const context = { attributes: ['duration', 'explicit'] };
const NOW = Date.UTC(2026, 5, 1);

const entries: CatalogueEntry[] = [
  {
    item: 'a',
    categories: ['jazz', 'live'],
    language: 'en',
    series: 's1',
    publishedAt: '2026-02-01T00:00:00.000Z',
    attributes: { duration: 30, explicit: false },
  },
  { item: 'b', categories: ['rock'], language: 'DE', publishedAt: '2025-12-31T23:59:59.999Z' },
  {
    item: 'c',
    categories: ['jazz'],
    language: 'en-GB',
    series: 's2',
    attributes: { duration: '30' },
    availableFrom: '2026-05-01T00:00:00.000Z',
    availableUntil: '2026-06-01T00:00:00.000Z',
  },
  { item: 'd', availableFrom: '2026-06-01T00:00:00.000Z', publishedAt: '2026-01-01T00:00:00.000Z' },
  { item: 'e' },
];
const byId = new Map(entries.map((e) => [e.item, e]));
const lookup = (item: string) => byId.get(item);
const ids = [...byId.keys(), 'ghost'];

/** The items passing the GET-form filter at `now`. */
const pass = (text: string, now = NOW) => ids.filter((id) => matches(lookup(id), parseFilterQuery(text, context), now));

describe('matches', () => {
  it('categories: include any of, exclude all of; an item without categories fails an include', () => {
    expect(pass('category:jazz')).toEqual(['a', 'c']);
    expect(pass('category:live,rock')).toEqual(['a', 'b']);
    expect(pass('-category:jazz')).toEqual(['b', 'd', 'e']);
  });

  it('language: case-insensitive and exact', () => {
    expect(pass('language:en')).toEqual(['a']);
    expect(pass('language:de')).toEqual(['b']);
    expect(pass('language:EN-gb')).toEqual(['c']);
    expect(pass('-language:de')).toEqual(['a', 'c', 'd', 'e']);
  });

  it('series', () => {
    expect(pass('series:s1,s2')).toEqual(['a', 'c']);
    expect(pass('-series:s1')).toEqual(['b', 'c', 'd', 'e']);
  });

  it('attribute equality compares as text; a missing attribute fails an include', () => {
    expect(pass('attr.duration:30')).toEqual(['a', 'c']);
    expect(pass('attr.explicit:false')).toEqual(['a']);
    expect(pass('-attr.explicit:false')).toEqual(['b', 'c', 'd', 'e']);
  });

  it('publishedAfter: at or after the instant; no publishedAt fails', () => {
    expect(pass('publishedAfter:2026-01-01')).toEqual(['a', 'd']);
    expect(pass('publishedAfter:2025-12-31T23:59:59.999Z')).toEqual(['a', 'b', 'd']);
    expect(pass('publishedAfter:2026-01-01T00:00:00.001Z')).toEqual(['a']);
  });

  it('available: availableFrom ≤ now < availableUntil, open bounds, now given or overridden', () => {
    // At NOW (June 1st): c's window has just closed (until is exclusive), d's has just opened (from is inclusive).
    expect(pass('available')).toEqual(['a', 'b', 'd', 'e']);
    expect(pass('available', Date.UTC(2026, 4, 31, 23, 59, 59, 999))).toEqual(['a', 'b', 'c', 'e']);
    expect(pass('available', Date.UTC(2026, 3, 1))).toEqual(['a', 'b', 'e']);
    // filter.now wins over the request time.
    expect(pass('available;now:2026-05-15')).toEqual(['a', 'b', 'c', 'e']);
  });

  it('combinations are ANDed', () => {
    expect(pass('category:jazz;language:en')).toEqual(['a']);
    expect(pass('category:jazz;-series:s1;available;now:2026-05-15')).toEqual(['c']);
    expect(pass('-category:jazz;-language:de;publishedAfter:2026-01-01')).toEqual(['d']);
  });

  it('an item with no entry passes the empty filter and fails every other, excludes included', () => {
    expect(matches(undefined, {}, NOW)).toBe(true);
    expect(matches(undefined, { now: NOW }, NOW)).toBe(true); // now alone filters nothing
    const filters: Filter[] = [
      { categories: { exclude: ['jazz'] } },
      { language: { exclude: ['de'] } },
      { attributes: { duration: { include: ['30'] } } },
      { publishedAfter: 0 },
      { available: true },
    ];
    for (const filter of filters) expect(matches(undefined, filter, NOW)).toBe(false);
    // …while an entry with none of those fields passes each exclude and the open availability.
    expect(filters.map((filter) => matches(byId.get('e'), filter, NOW))).toEqual([true, true, false, false, true]);
  });
});

describe('filterCandidates', () => {
  it('keeps the input order and the candidate objects', () => {
    const scored = [
      { item: 'e', score: 5 },
      { item: 'ghost', score: 4 },
      { item: 'c', score: 3 },
      { item: 'a', score: 2 },
    ];
    const kept = filterCandidates(scored, lookup, parseFilterQuery('-category:rock', context), NOW);
    expect(kept).toEqual([scored[0], scored[2], scored[3]]);
    expect(kept[0]).toBe(scored[0]);
    expect(filterCandidates(scored, lookup, {}, NOW)).toEqual(scored);
  });
});
