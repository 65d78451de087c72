// The binary cosine of two catalogue entries (engine/content/pair-similarity.ts), against hand calculations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../functions/engine/catalogue/index.js';
import { contentSimilarity, entryTermSet } from '../../functions/engine/content/index.js';

const ENTRIES: CatalogueEntry[] = [
  // Terms: blue, train, cat:jazz, tag:live, attr:mood=calm (5).
  {
    item: 'x',
    title: 'Blue Train',
    categories: ['jazz'],
    tags: ['live'],
    attributes: { mood: 'calm' },
    language: 'en',
  },
  // blue, note, cat:jazz, attr:mood=calm (4).
  { item: 'y', title: 'Blue Note', categories: ['Jazz'], attributes: { mood: 'calm' }, language: 'en' },
  // train, cat:jazz (2): a repeated word is one term.
  { item: 'r', title: 'Train', text: 'train, train', categories: ['jazz'], language: 'en' },
  // jazz (1): a word, never the category term cat:jazz.
  { item: 'w', title: 'Jazz', language: 'en' },
  // cat:rock (1).
  { item: 'z', categories: ['rock'] },
  // No term at all.
  { item: 'e' },
];
const byId = new Map(ENTRIES.map((entry) => [entry.item, entry]));
const sim = contentSimilarity((item) => byId.get(item));

describe('contentSimilarity (binary cosine)', () => {
  it('has the terms worked out by hand', () => {
    expect([...entryTermSet(byId.get('x')!)].sort()).toEqual(
      ['attr:mood=calm', 'blue', 'cat:jazz', 'tag:live', 'train'].sort(),
    );
    expect([...entryTermSet(byId.get('r')!)].sort()).toEqual(['cat:jazz', 'train']);
  });

  it('tokenises an entry object once (the API row cache keeps entries), and an equal copy on its own', () => {
    const entry = byId.get('x')!;
    expect(entryTermSet(entry)).toBe(entryTermSet(entry));
    const copy = structuredClone(entry);
    expect(entryTermSet(copy)).not.toBe(entryTermSet(entry));
    expect([...entryTermSet(copy)].sort()).toEqual([...entryTermSet(entry)].sort());
  });

  it('equals |A ∩ B| / √(|A|·|B|) computed by hand', () => {
    // x ∩ y = {blue, cat:jazz, attr:mood=calm}: 3 / √(5·4).
    expect(sim('x', 'y')).toBeCloseTo(3 / Math.sqrt(20), 12);
    // x ∩ r = {train, cat:jazz}: 2 / √(5·2).
    expect(sim('x', 'r')).toBeCloseTo(2 / Math.sqrt(10), 12);
    // y ∩ r = {cat:jazz}: 1 / √(4·2).
    expect(sim('y', 'r')).toBeCloseTo(1 / Math.sqrt(8), 12);
    expect(sim('x', 'x')).toBe(1);
  });

  it('is 0 for nothing shared, a word against a category, an empty entry and a missing one', () => {
    expect(sim('x', 'z')).toBe(0);
    expect(sim('w', 'y')).toBe(0);
    expect(sim('x', 'e')).toBe(0);
    expect(sim('e', 'e')).toBe(0);
    expect(sim('x', 'missing')).toBe(0);
  });

  it('property: symmetric, in [0, 1], 1 for an entry with itself when it has terms', () => {
    const words = fc.constantFrom('blue', 'train', 'note', 'live', 'jazz', 'rain');
    const entry = fc.record({
      title: fc.option(
        fc.array(words, { maxLength: 4 }).map((w) => w.join(' ')),
        { nil: undefined },
      ),
      categories: fc.option(fc.uniqueArray(fc.constantFrom('jazz', 'rock', 'pop'), { maxLength: 2 }), {
        nil: undefined,
      }),
      series: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 2, maxLength: 5 }), (given) => {
        const map = new Map(given.map((e, i) => [`i${i}`, { item: `i${i}`, language: 'en', ...e }]));
        const s = contentSimilarity((item) => map.get(item));
        for (const a of map.keys()) {
          const own = entryTermSet(map.get(a)!).size;
          expect(s(a, a)).toBe(own === 0 ? 0 : 1);
          for (const b of map.keys()) {
            expect(s(a, b)).toBe(s(b, a));
            expect(s(a, b)).toBeGreaterThanOrEqual(0);
            expect(s(a, b)).toBeLessThanOrEqual(1);
          }
        }
      }),
    );
  });
});
