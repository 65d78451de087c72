import { describe, expect, it } from 'vitest';
import { computeEase } from '../../functions/engine/ease/index.js';
import { matrixOf, randomDense } from './ease-helpers.js';

describe('exact EASE on worker threads', () => {
  // 300 items: three Cholesky steps (block 128), ten inverse blocks (32): every phase splits across workers.
  const matrix = matrixOf(randomDense(400, 300, 0.04, 21));

  it('gives the same bits on 2 and 3 workers as in this thread, for all rows and a row range', async () => {
    const options = { lambda: 20, k: 40 };
    const single = await computeEase(matrix, options, { threads: 1 });
    expect(single.count.reduce((sum, c) => sum + c, 0)).toBeGreaterThan(0);
    for (const threads of [2, 3]) {
      const threaded = await computeEase(matrix, options, { threads });
      expect(threaded.weight.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(threaded.count)).toEqual(Array.from(single.count));
      expect(Array.from(threaded.neighbour)).toEqual(Array.from(single.neighbour));
      expect(Array.from(threaded.weight)).toEqual(Array.from(single.weight));
    }
    const range = await computeEase(matrix, options, { threads: 2, rows: { start: 100, end: 177 } });
    expect(Array.from(range.weight)).toEqual(Array.from(single.weight.subarray(100 * 40, 177 * 40)));
    expect(Array.from(range.neighbour)).toEqual(Array.from(single.neighbour.subarray(100 * 40, 177 * 40)));
  });
});
