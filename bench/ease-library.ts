/**
 * The exact EASE kernel against a well-kept npm linear-algebra library (ml-matrix, pure JS), one thread each, on
 * the same Gram G = XᵀX + λI: ml-matrix's Cholesky decomposition then solve(I) for P = G⁻¹ (and its LU `inverse`),
 * against computeEase (Gram, blocked Cholesky, blocked inverse, signed top-K: the whole kernel). Also checks that
 * both give the same P (max |ΔP| relative). Run: `node --import tsx bench/ease-library.ts [items ...]`.
 */
import { CholeskyDecomposition, inverse, Matrix } from 'ml-matrix';
import { buildRatingMatrix } from '../functions/engine/data/index.js';
import { computeEase } from '../functions/engine/ease/index.js';
import { syntheticLog } from '../functions/engine/synthetic/index.js';
import { describeMachine } from './machine.js';

const LAMBDA = 200;
console.log(describeMachine());
for (const items of process.argv.slice(2).map(Number).filter(Boolean).length
  ? process.argv.slice(2).map(Number)
  : [1000, 2000]) {
  const { matrix } = buildRatingMatrix(syntheticLog({ users: 2 * items, items, ratings: 40 * items, seed: 7 }));
  const n = matrix.byItem.rows;
  // The dense Gram, by a plain scatter over users (not timed).
  const gram = Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    row[i] = LAMBDA;
    return row;
  });
  const { indptr, indices, values } = matrix.byUser;
  for (let u = 0; u < matrix.byUser.rows; u++)
    for (let p = indptr[u]; p < indptr[u + 1]; p++)
      for (let q = indptr[u]; q < indptr[u + 1]; q++) gram[indices[p]][indices[q]] += values[p] * values[q];

  let started = performance.now();
  const ours = await computeEase(matrix, { lambda: LAMBDA, k: 10 }, { threads: 1 });
  const oursSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const g = new Matrix(gram.map((row) => Array.from(row)));
  const p = new CholeskyDecomposition(g).solve(Matrix.eye(n));
  const choleskySeconds = (performance.now() - started) / 1000;

  started = performance.now();
  inverse(g);
  const luSeconds = (performance.now() - started) / 1000;

  // The same weights: B[j][i] = −P[j][i] / P[i][i] for row 0's kept entries.
  let worst = 0;
  for (let slot = 0; slot < ours.count[0]; slot++) {
    const i = ours.neighbour[slot];
    const expected = -p.get(0, i) / p.get(i, i);
    worst = Math.max(worst, Math.abs(ours.weight[slot] - expected) / Math.abs(expected));
  }
  console.log(
    `${n} items: computeEase (whole kernel, 1 thread) ${oursSeconds.toFixed(2)} s; ml-matrix Cholesky + solve(I) ` +
      `${choleskySeconds.toFixed(2)} s, LU inverse ${luSeconds.toFixed(2)} s (inverse only); ` +
      `max relative |ΔB| ${worst.toExponential(1)}`,
  );
}
