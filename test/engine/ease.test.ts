import { describe, expect, it } from 'vitest';
import { computeEase } from '../../functions/engine/ease/index.js';
import { allocateSignedBlock, signedTopKRows } from '../../functions/engine/ease/signed-top-k.js';
import {
  bruteForceEaseWeights,
  bruteForceTopK,
  matrixOf,
  randomDense,
  signedRow,
  type SignedEntry,
} from './ease-helpers.js';

const RELATIVE = 1e-9;

function expectSameRows(got: SignedEntry[], want: SignedEntry[], label: string): void {
  expect(
    got.map((entry) => entry.neighbour),
    label,
  ).toEqual(want.map((entry) => entry.neighbour));
  got.forEach((entry, slot) => {
    const expected = want[slot].weight;
    expect(Math.abs(entry.weight - expected), `${label} slot ${slot}`).toBeLessThanOrEqual(
      RELATIVE * Math.abs(expected),
    );
  });
}

describe('exact EASE against a plain Gauss–Jordan EASE', () => {
  // Sizes straddle the Cholesky block (128) and the inverse block (32); λ from small to large.
  const cases = [
    { users: 3, items: 1, density: 0.9, lambda: 1, seed: 1 },
    { users: 5, items: 2, density: 0.7, lambda: 0.5, seed: 2 },
    { users: 20, items: 7, density: 0.4, lambda: 3, seed: 3 },
    { users: 60, items: 33, density: 0.2, lambda: 10, seed: 4 },
    { users: 200, items: 141, density: 0.08, lambda: 50, seed: 5 },
    { users: 300, items: 260, density: 0.05, lambda: 2, seed: 6 },
  ];
  for (const { users, items, density, lambda, seed } of cases) {
    it(`${users} users × ${items} items, λ ${lambda}: every weight, in |weight| order`, async () => {
      const dense = randomDense(users, items, density, seed);
      const want = bruteForceTopK(bruteForceEaseWeights(dense, items, lambda), items);
      const block = await computeEase(matrixOf(dense), { lambda, k: Math.min(items, 500) }, { threads: 1 });
      expect(block.start).toBe(0);
      expect(block.end).toBe(items);
      for (let j = 0; j < items; j++) expectSameRows(signedRow(block, j), want[j], `row ${j}`);
    });
  }

  it('keeps the top K by |weight| (negative weights included, with their sign) and a row range', async () => {
    const dense = randomDense(80, 40, 0.15, 7);
    const want = bruteForceTopK(bruteForceEaseWeights(dense, 40, 5), 6);
    expect(want.flat().some((entry) => entry.weight < 0)).toBe(true);
    const block = await computeEase(matrixOf(dense), { lambda: 5, k: 6 }, { threads: 1, rows: { start: 9, end: 23 } });
    expect([block.start, block.end, block.count.length]).toEqual([9, 23, 14]);
    for (let j = 9; j < 23; j++) expectSameRows(signedRow(block, j), want[j], `row ${j}`);
  });

  it('an item nobody rated has an empty row and is nobody’s neighbour; no item is its own', async () => {
    const dense = randomDense(30, 10, 0.4, 8).map((row) => row.map((value, i) => (i === 4 ? 0 : value)));
    const block = await computeEase(matrixOf(dense), { lambda: 1, k: 10 }, { threads: 1 });
    expect(block.count[4]).toBe(0);
    for (let j = 0; j < 10; j++) {
      const row = signedRow(block, j).map((entry) => entry.neighbour);
      expect(row).not.toContain(j);
      expect(row).not.toContain(4);
      if (j !== 4) expect(row).toHaveLength(8);
    }
  });
});

describe('exact EASE on a 3-item case computed by hand', () => {
  // X = [[1,1,0],[0,1,1]], λ = 1: G = [[2,1,0],[1,3,1],[0,1,2]], det 8, P = [[5,−2,1],[−2,4,−2],[1,−2,5]]/8,
  // B[j][i] = −P[j][i]/P[i][i]: B[0] = (0, 0.5, −0.2), B[1] = (0.4, 0, 0.4), B[2] = (−0.2, 0.5, 0).
  const dense = [
    [1, 1, 0],
    [0, 1, 1],
  ];
  it('gives the hand-computed signed weights, by |weight|', async () => {
    const block = await computeEase(matrixOf(dense), { lambda: 1, k: 2 }, { threads: 1 });
    const rows = [0, 1, 2].map((j) => signedRow(block, j));
    expect(rows[0].map((e) => e.neighbour)).toEqual([1, 2]);
    expect(rows[2].map((e) => e.neighbour)).toEqual([1, 0]);
    expect(rows[1].map((e) => e.neighbour).sort()).toEqual([0, 2]);
    const weight = (j: number, i: number): number => rows[j].find((e) => e.neighbour === i)!.weight;
    expect(weight(0, 1)).toBeCloseTo(0.5, 12);
    expect(weight(0, 2)).toBeCloseTo(-0.2, 12);
    expect(weight(1, 0)).toBeCloseTo(0.4, 12);
    expect(weight(1, 2)).toBeCloseTo(0.4, 12);
    expect(weight(2, 0)).toBeCloseTo(-0.2, 12);
    expect(weight(2, 1)).toBeCloseTo(0.5, 12);
  });
});

describe('signed top-K extraction', () => {
  // A symmetric P with unit diagonal, so B[j][i] = −P[j][i]: row 0's weights are (0, 0.5, −0.5, 0.25, −0.5, 0).
  const n = 6;
  const p = new Float64Array(n * n);
  const set = (j: number, i: number, value: number): void => {
    p[j * n + i] = value;
    p[i * n + j] = value;
  };
  for (let i = 0; i < n; i++) p[i * n + i] = 1;
  set(0, 1, -0.5);
  set(0, 2, 0.5);
  set(0, 3, -0.25);
  set(0, 4, 0.5);
  const pDiag = new Float64Array(n).fill(1);

  it('orders by |weight|, ties by index whatever the sign, and drops exact zeros and the diagonal', () => {
    const out = allocateSignedBlock(0, n, 5, false);
    signedTopKRows(p, n, pDiag, out, 0, n);
    expect(signedRow(out, 0)).toEqual([
      { neighbour: 1, weight: 0.5 },
      { neighbour: 2, weight: -0.5 },
      { neighbour: 4, weight: -0.5 },
      { neighbour: 3, weight: 0.25 },
    ]);
    expect(signedRow(out, 5)).toEqual([]);
    expect(signedRow(out, 4)).toEqual([{ neighbour: 0, weight: -0.5 }]);
  });

  it('a tie at the K-th place goes to the smaller index', () => {
    const out = allocateSignedBlock(0, 1, 2, false);
    signedTopKRows(p, n, pDiag, out, 0, 1);
    expect(signedRow(out, 0)).toEqual([
      { neighbour: 1, weight: 0.5 },
      { neighbour: 2, weight: -0.5 },
    ]);
  });

  it('a diagonal other than 1 divides each column: B[j][i] = −P[j][i] / P[i][i]', () => {
    const scaled = Float64Array.from(pDiag, (_, i) => (i === 2 ? 0.25 : 1));
    const out = allocateSignedBlock(0, 1, 2, false);
    signedTopKRows(p, n, scaled, out, 0, 1);
    expect(signedRow(out, 0)).toEqual([
      { neighbour: 2, weight: -2 },
      { neighbour: 1, weight: 0.5 },
    ]);
  });
});
