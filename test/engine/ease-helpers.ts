/**
 * Shared by the ease*.test.ts files: a deliberately plain EASE on dense arrays, sharing no code with the engine:
 * G = XᵀX + λI by triple loop, P = G⁻¹ by Gauss–Jordan elimination with partial pivoting on [G | I],
 * B[j][i] = −P[j][i] / P[i][i] off the diagonal and 0 on it; the rows' top K by |weight| descending, then index
 * ascending, exact zeros left out. Plus a seeded random sparse matrix.
 */
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import type { SignedNeighbourBlock } from '../../functions/engine/ease/index.js';
import type { RatingMatrix } from '../../functions/engine/types.js';

export interface SignedEntry {
  neighbour: number;
  weight: number;
}

export function bruteForceEaseWeights(dense: number[][], items: number, lambda: number): number[][] {
  const gram = Array.from({ length: items }, (_, i) =>
    Array.from({ length: items }, (_, j) => {
      let sum = i === j ? lambda : 0;
      for (const row of dense) sum += row[i] * row[j];
      return sum;
    }),
  );
  const inverse = gaussJordanInverse(gram);
  return inverse.map((row, j) => row.map((value, i) => (i === j ? 0 : -value / inverse[i][i])));
}

export function gaussJordanInverse(matrix: number[][]): number[][] {
  const n = matrix.length;
  const left = matrix.map((row) => [...row]);
  const right = matrix.map((_, i) => matrix.map((__, j) => (i === j ? 1 : 0)));
  for (let column = 0; column < n; column++) {
    let pivot = column;
    for (let r = column + 1; r < n; r++) if (Math.abs(left[r][column]) > Math.abs(left[pivot][column])) pivot = r;
    [left[column], left[pivot]] = [left[pivot], left[column]];
    [right[column], right[pivot]] = [right[pivot], right[column]];
    const scale = left[column][column];
    for (let c = 0; c < n; c++) {
      left[column][c] /= scale;
      right[column][c] /= scale;
    }
    for (let r = 0; r < n; r++) {
      if (r === column) continue;
      const factor = left[r][column];
      if (factor === 0) continue;
      for (let c = 0; c < n; c++) {
        left[r][c] -= factor * left[column][c];
        right[r][c] -= factor * right[column][c];
      }
    }
  }
  return right;
}

export function bruteForceTopK(weights: number[][], k: number): SignedEntry[][] {
  return weights.map((row, j) =>
    row
      .map((weight, neighbour) => ({ neighbour, weight }))
      .filter((entry) => entry.neighbour !== j && entry.weight !== 0)
      .sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight) || x.neighbour - y.neighbour)
      .slice(0, k),
  );
}

export function signedRow(block: SignedNeighbourBlock, row: number): SignedEntry[] {
  const base = (row - block.start) * block.k;
  return Array.from({ length: block.count[row - block.start] }, (_, slot) => ({
    neighbour: block.neighbour[base + slot],
    weight: block.weight[base + slot],
  }));
}

/** Seeded (mulberry32) users × items with about `density` of cells set to a rating 1..5. */
export function randomDense(users: number, items: number, density: number, seed: number): number[][] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: users }, () =>
    Array.from({ length: items }, () => (random() < density ? 1 + Math.floor(random() * 5) : 0)),
  );
}

export function matrixOf(dense: number[][]): RatingMatrix {
  return ratingMatrixFromDense(dense);
}
