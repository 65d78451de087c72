// The content kernel on worker threads (engine/content/pool.ts). Oracle: contentNeighbourBlock over all items in
// this thread (tested against a brute-force cosine in content-kernel.test.ts).
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../functions/engine/catalogue/types.js';
import {
  computeContentNeighbours,
  contentNeighbourBlock,
  resolveContentOptions,
  vectoriseCatalogue,
  type ContentVectors,
} from '../../functions/engine/content/index.js';
import { rowWork } from '../../functions/engine/content/pool.js';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import type { ModelSpec } from '../../functions/engine/models/index.js';
import { computeModelBlocks, newModelBuildCache } from '../../functions/engine/recommend/model-kinds.js';
import { UserInputError, type NeighbourBlock } from '../../functions/engine/types.js';

const WORDS = Array.from({ length: 300 }, (_, i) => `w${i.toString(36)}x`);

/** A seeded catalogue (its own LCG): texts over a skewed vocabulary, so rows differ much in work. */
function catalogue(items: number, seed: number): CatalogueEntry[] {
  let state = seed >>> 0;
  const next = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  return Array.from({ length: items }, (_, i) => {
    if (next(20) === 0) return { item: `i${i}` }; // no term: an empty row
    // Squaring skews the draw towards the first words: a few terms reach many items.
    const length = next(4) === 0 ? 0 : 1 + next(30);
    const text = Array.from({ length }, () => WORDS[Math.floor(next(300) ** 2 / 300)]).join(' ');
    return { item: `i${i}`, ...(text ? { text } : {}), categories: [`c${next(7)}`], tags: [`t${next(40)}`] };
  });
}

const OPTIONS = resolveContentOptions({ k: 12, minDf: 2, maxDfShare: 0.5 });
const ITEMS = 900;
const vectors: ContentVectors = vectoriseCatalogue(catalogue(ITEMS, 3), OPTIONS);

function expectSameBlock(actual: NeighbourBlock, expected: NeighbourBlock): void {
  expect([actual.start, actual.end, actual.k]).toEqual([expected.start, expected.end, expected.k]);
  expect(Array.from(actual.count)).toEqual(Array.from(expected.count));
  expect(Array.from(actual.neighbour)).toEqual(Array.from(expected.neighbour));
  expect(Array.from(actual.similarity)).toEqual(Array.from(expected.similarity));
  expect(Array.from(actual.support)).toEqual(Array.from(expected.support));
}

describe('computeContentNeighbours', () => {
  const whole = contentNeighbourBlock(vectors, OPTIONS.k);

  it('gives contentNeighbourBlock’s rows bit for bit on 1, 2 and 3 threads, with progress per range to the total', async () => {
    // The catalogue is not trivial: most rows have neighbours, some rows are empty.
    const withNeighbours = whole.count.filter((c) => c > 0).length;
    expect(withNeighbours).toBeGreaterThan(ITEMS / 2);
    expect(withNeighbours).toBeLessThan(ITEMS);
    for (const threads of [1, 2, 3]) {
      const progress: [number, number][] = [];
      const block = await computeContentNeighbours(vectors, OPTIONS.k, {
        threads,
        onProgress: (done, total) => progress.push([done, total]),
      });
      expectSameBlock(block, whole);
      // Workers write one block on a SharedArrayBuffer; in this thread it is a plain one.
      expect(block.similarity.buffer instanceof SharedArrayBuffer).toBe(threads > 1);
      // Split into many ranges (16 per worker, 64 in this thread), each reported once, rising to the total.
      expect(progress.length).toBeGreaterThan(threads > 1 ? 8 * threads : 32);
      expect(progress.at(-1)).toEqual([ITEMS, ITEMS]);
      for (let i = 0; i < progress.length; i++) {
        expect(progress[i][1]).toBe(ITEMS);
        expect(progress[i][0]).toBeGreaterThan(i === 0 ? 0 : progress[i - 1][0]);
      }
    }
  });

  it('balances ranges by work: an item costs 1 + the document frequencies of its terms', () => {
    const work = rowWork(vectors);
    for (let a = 0; a < ITEMS; a++) {
      let expected = 1;
      for (let p = vectors.rowPtr[a]; p < vectors.rowPtr[a + 1]; p++) expected += vectors.df[vectors.termIndex[p]];
      expect(work[a]).toBe(expected);
    }
    // Skewed: the costliest item is many times the cheapest non-empty one, so splitting by items would not balance.
    const nonEmpty = [...work].filter((w) => w > 1);
    expect(Math.max(...nonEmpty)).toBeGreaterThan(5 * Math.min(...nonEmpty));
  });

  it('computes a small catalogue in this thread by default, with the same rows', async () => {
    const small = vectoriseCatalogue(catalogue(60, 9), OPTIONS);
    const block = await computeContentNeighbours(small, 5);
    expect(block.similarity.buffer instanceof SharedArrayBuffer).toBe(false);
    expectSameBlock(block, contentNeighbourBlock(small, 5));
  });

  it('gives an empty block for an empty catalogue, on any thread count', async () => {
    const empty = vectoriseCatalogue([], OPTIONS);
    for (const threads of [1, 2]) {
      const progress: number[] = [];
      const block = await computeContentNeighbours(empty, 4, { threads, onProgress: (done) => progress.push(done) });
      expect([block.start, block.end, block.count.length, block.neighbour.length]).toEqual([0, 0, 0, 0]);
      expect(progress).toEqual([]);
    }
  });

  it('refuses a bad k or thread count before any work', async () => {
    await expect(computeContentNeighbours(vectors, 0)).rejects.toThrow(RangeError);
    await expect(computeContentNeighbours(vectors, 2.5, { threads: 1 })).rejects.toThrow(/k must be a positive/);
    const refused = computeContentNeighbours(vectors, 5, { threads: 0 });
    await expect(refused).rejects.toThrow(UserInputError);
    await expect(refused).rejects.toMatchObject({ where: 'threads' });
  });

  it('fails the run with the error a progress callback throws, on workers and in this thread', async () => {
    for (const threads of [1, 2]) {
      let calls = 0;
      const run = computeContentNeighbours(vectors, OPTIONS.k, {
        threads,
        onProgress: () => {
          if (++calls === 3) throw new Error('progress failed');
        },
      });
      await expect(run).rejects.toThrow('progress failed');
      expect(calls).toBe(3);
    }
  });
});

describe('content rows of a build on worker threads', () => {
  // Every catalogue item interacted with by someone: the row dictionary is the matrix's items, in catalogue order.
  const entries = catalogue(ITEMS, 3);
  const ids = entries.map((entry) => entry.item);
  const dense = Array.from({ length: 30 }, (_, u) => ids.map((_, i) => ((u * 7 + i) % 30 === 0 ? 1 : 0)));
  const matrix = ratingMatrixFromDense(dense, undefined, ids);
  const spec: ModelSpec = { model: 'content', content: OPTIONS };
  const cat = new Map(entries.map((entry) => [entry.item, entry]));

  it('has the same item rows on 1 and 2 threads as contentNeighbourBlock, and reports them as phase content', async () => {
    for (const threads of [1, 2]) {
      const phases = new Map<string, [number, number]>();
      const { blocks } = await computeModelBlocks(matrix, {
        spec,
        catalogue: cat,
        threads,
        onProgress: (phase, done, total) => phases.set(phase, [done, total]),
      });
      expectSameBlock(blocks.item!, whole());
      expect(Object.fromEntries(phases)).toEqual({ content: [ITEMS, ITEMS] });
    }
  });

  it('computes the content rows once for builds that share a cache (the validation’s candidates)', async () => {
    const cache = newModelBuildCache();
    const phases: string[] = [];
    const onProgress = (phase: string): number => phases.push(phase);
    const first = await computeModelBlocks(matrix, { spec, catalogue: cat, threads: 2, cache, onProgress });
    const reported = phases.length;
    expect(reported).toBeGreaterThan(0);
    const again = await computeModelBlocks(matrix, { spec, catalogue: cat, threads: 2, cache, onProgress });
    expect(again.blocks.item).toBe(first.blocks.item);
    expect(phases.length).toBe(reported);
    // Other content options are other rows.
    const other = await computeModelBlocks(matrix, {
      spec: { model: 'content', content: { ...OPTIONS, k: 3 } },
      catalogue: cat,
      cache,
    });
    expect(other.blocks.item!.k).toBe(3);
  });

  function whole(): NeighbourBlock {
    return contentNeighbourBlock(vectors, OPTIONS.k);
  }
});
