// recommendTrending: a trending list as a fallback result. Expected lists are written by hand from the input.
import { describe, expect, it } from 'vitest';
import { recommendTrending } from '../../functions/engine/filters/index.js';

// Shuffled on purpose: the order must come from the scores (score desc, count desc, id asc), not the input.
const TRENDING = [
  { item: 'c', score: 1, count: 3 },
  { item: 'a', score: 2, count: 1 },
  { item: 'd', score: 1, count: 2 },
  { item: 'b', score: 1, count: 3 },
];
const WINDOW = { windowDays: 7, halfLifeDays: 2 };

describe('recommendTrending', () => {
  it('ranks by score, count, then id, explains each item and flags the fallback', () => {
    const result = recommendTrending(TRENDING, WINDOW, { limit: 3 }, undefined, 'unknown-user');
    expect(result.fallback).toEqual({ reason: 'unknown-user', algorithm: 'trending' });
    expect(result.algorithm).toBe('popularity');
    expect(result.items.map(({ item, score }) => [item, score])).toEqual([
      ['a', 2],
      ['b', 1],
      ['c', 1],
    ]);
    expect(result.items[1].because).toEqual([
      { kind: 'trending', score: 1, count: 3, windowDays: 7, halfLifeDays: 2, fallback: 'unknown-user' },
    ]);
  });

  it('keeps to the candidate rule: seen, exclude, allow', () => {
    const items = (result: ReturnType<typeof recommendTrending>) => result.items.map(({ item }) => item);
    expect(items(recommendTrending(TRENDING, WINDOW, {}, ['a'], 'empty-history'))).toEqual(['b', 'c', 'd']);
    expect(items(recommendTrending(TRENDING, WINDOW, { exclude: ['b'] }, undefined, 'empty-history'))).toEqual([
      'a',
      'c',
      'd',
    ]);
    expect(items(recommendTrending(TRENDING, WINDOW, { allow: ['d', 'c'] }, undefined, 'empty-history'))).toEqual([
      'c',
      'd',
    ]);
  });

  it('has no explanations when they are off', () => {
    const result = recommendTrending(TRENDING, WINDOW, { explainTop: 0 }, undefined, 'unknown-user');
    expect(result.items.every(({ because }) => because.length === 0)).toBe(true);
  });
});
