// Issue 8 point 2 (engine part): scoring never emits a non-finite score. When the inputs overflow a double (values far
// beyond MAX_ABS_VALUE, which ingest and the API refuse) or a similarity is NaN, the recommenders throw a
// NonFiniteScoreError naming the item and the score, instead of returning Infinity (JSON null) or silently
// dropping a NaN candidate.
import { describe, expect, it } from 'vitest';
import {
  NonFiniteScoreError,
  recommendFromItemNeighbours,
  recommendFromUserNeighbours,
} from '../../functions/engine/recommend/index.js';
import type { HistoryEntry, Neighbour } from '../../functions/engine/types.js';

const NEIGHBOURS: Record<string, Neighbour[]> = {
  a: [{ id: 'c', similarity: 1, support: 3 }],
  b: [{ id: 'c', similarity: 1, support: 3 }],
};

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('item-based scoring', () => {
  it('throws on a score that overflows to Infinity (1e308 + 1e308)', () => {
    const history: HistoryEntry[] = [
      { item: 'a', value: 1e308 },
      { item: 'b', value: 1e308 },
    ];
    const error = thrown(() => recommendFromItemNeighbours(history, (id) => NEIGHBOURS[id], []));
    expect(error).toBeInstanceOf(NonFiniteScoreError);
    expect((error as Error).message).toBe(
      'the score of item "c" is Infinity: the values being scored are too large (interaction values are bounded by ±1000000000)',
    );
  });

  it('throws on a NaN similarity rather than dropping the candidate', () => {
    const lookup = (id: string) => (id === 'a' ? [{ id: 'c', similarity: NaN, support: 1 }] : undefined);
    const error = thrown(() => recommendFromItemNeighbours([{ item: 'a', value: 4 }], lookup, []));
    expect(error).toBeInstanceOf(NonFiniteScoreError);
    expect((error as Error).message).toMatch(/^the score of item "c" is NaN/);
  });

  it('finite large scores are returned as they are', () => {
    const history: HistoryEntry[] = [
      { item: 'a', value: 1e9 },
      { item: 'b', value: 1e9 },
    ];
    const result = recommendFromItemNeighbours(history, (id) => NEIGHBOURS[id], []);
    expect(result.items.map((r) => [r.item, r.score])).toEqual([['c', 2e9]]);
  });

  it('normalised scores are checked too', () => {
    const history: HistoryEntry[] = [
      { item: 'a', value: 1e308 },
      { item: 'b', value: 1e308 },
    ];
    const error = thrown(() => recommendFromItemNeighbours(history, (id) => NEIGHBOURS[id], [], { normalise: true }));
    expect(error).toBeInstanceOf(NonFiniteScoreError);
  });
});

describe('user-based scoring', () => {
  it('throws on a score that overflows to Infinity', () => {
    const histories: Record<string, HistoryEntry[]> = {
      v: [{ item: 'x', value: 1e308 }],
      w: [{ item: 'x', value: 1e308 }],
    };
    const neighbours: Neighbour[] = [
      { id: 'v', similarity: 1, support: 1 },
      { id: 'w', similarity: 1, support: 1 },
    ];
    const error = thrown(() =>
      recommendFromUserNeighbours([{ item: 'y', value: 1 }], neighbours, (id) => histories[id], []),
    );
    expect(error).toBeInstanceOf(NonFiniteScoreError);
    expect((error as Error).message).toMatch(/^the score of item "x" is Infinity/);
  });
});
