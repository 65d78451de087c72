import { describe, expect, it } from 'vitest';
import { explanationBars, untitledBecauseIds } from '../../functions/console/explanation.js';

describe('explanation bars', () => {
  it('draws each contribution as its share of the score, in percent, with its terms as "shares: …"', () => {
    // Shares 0.625 and 0.25 → 62.5 % and 25 % wide (hand-computed: share × 100).
    const bars = explanationBars([
      { kind: 'item', id: 'i7', similarity: 0.8, value: 5, share: 0.625, terms: ['jazz', 'live'] },
      { kind: 'user', id: 'u9', similarity: 0.4, value: 4, share: 0.25 },
    ]);
    expect(bars).toEqual([
      { label: 'because of i7: 62.5%; shares: jazz, live', widthPercent: 62.5, detail: 'similarity 0.8, rating 5' },
      { label: 'similar user u9: 25%', widthPercent: 25, detail: 'similarity 0.4, rating 4' },
    ]);
  });

  it('clamps a negative share (EASE weights can be negative) to an empty bar and says it counts against', () => {
    const [bar] = explanationBars([{ kind: 'item', id: 'i2', similarity: -0.1, value: 3, share: -0.2 }]);
    expect(bar.widthPercent).toBe(0);
    expect(bar.label).toBe('because of i2: -20% (counts against)');
  });

  it('clamps a share above 1 to a full bar', () => {
    expect(explanationBars([{ kind: 'item', id: 'i', similarity: 1, value: 1, share: 1.5 }])[0].widthPercent).toBe(100);
  });

  it('puts popular, trending and backfill entries in words, without a bar', () => {
    const bars = explanationBars([
      { kind: 'popular', interactions: 42, fallback: 'unknown-user' },
      { kind: 'trending', score: 3.25, count: 7, windowDays: 14, halfLifeDays: 3.5 },
      { kind: 'backfill', reason: 'popular', value: 12 },
    ]);
    expect(bars.map((bar) => bar.label)).toEqual([
      'popular: 42 users interacted with it, because the user is unknown to this version',
      'trending: 7 interactions in the last 14 days',
      'filled in from the popular ranking (filters left too few scored items)',
    ]);
    expect(bars.every((bar) => bar.widthPercent === undefined)).toBe(true);
  });

  it('has no rows when the API sent no explanation (explain=false)', () => {
    expect(explanationBars(undefined)).toEqual([]);
  });

  it('names a history item by its title when known, always with its id', () => {
    const titles = new Map([
      ['i7', 'Kind of Blue'],
      ['i8', ''],
    ]);
    const bars = explanationBars(
      [
        { kind: 'item', id: 'i7', similarity: 0.5, value: 1, share: 0.5 },
        { kind: 'item', id: 'i8', similarity: 0.5, value: 1, share: 0.25 },
        { kind: 'user', id: 'i7', similarity: 0.5, value: 1, share: 0.25 },
      ],
      titles,
    );
    expect(bars.map((bar) => bar.label)).toEqual([
      'because of "Kind of Blue" (i7): 50%',
      'because of i8: 25%',
      'similar user i7: 25%',
    ]);
  });

  it('lists the history ids whose titles are not known yet, each once', () => {
    const items = [
      {
        because: [
          { kind: 'item' as const, id: 'a', similarity: 1, value: 1, share: 0.5 },
          { kind: 'user' as const, id: 'u', similarity: 1, value: 1, share: 0.5 },
        ],
      },
      { because: [{ kind: 'item' as const, id: 'b', similarity: 1, value: 1, share: 1 }] },
      { because: [{ kind: 'item' as const, id: 'a', similarity: 1, value: 1, share: 1 }] },
      {},
    ];
    expect(untitledBecauseIds(items, new Set(['b']))).toEqual(['a']);
    expect(untitledBecauseIds(items, new Set())).toEqual(['a', 'b']);
  });
});
