import { describe, expect, it } from 'vitest';
import { computeEase, maxEaseItems, type EaseOptions } from '../../functions/engine/ease/index.js';
import { UserInputError } from '../../functions/engine/types.js';
import { matrixOf, randomDense } from './ease-helpers.js';

const matrix = matrixOf(randomDense(20, 10, 0.3, 11));

async function refusal(options: EaseOptions, run = {}): Promise<UserInputError> {
  const error = await computeEase(matrix, options, { threads: 1, ...run }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UserInputError);
  return error as UserInputError;
}

describe('EASE refuses what does not fit', () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('λ %s', async (lambda) => {
    const error = await refusal({ lambda, k: 5 });
    expect(error.where).toBe('lambda');
  });

  it.each([0, 1.5, 501])('k %s', async (k) => {
    expect((await refusal({ lambda: 1, k })).where).toBe('k');
  });

  it('more items than the memory given holds (8·n² bytes), before allocating', async () => {
    expect(maxEaseItems(8 * 100 * 100)).toBe(100);
    expect(maxEaseItems(8 * 100 * 100 - 1)).toBe(99);
    expect(maxEaseItems()).toBe(23170);
    const error = await refusal({ lambda: 1, k: 5, maxBytes: 8 * 9 * 9 });
    expect(error.where).toBe('items');
    expect(error.message).toContain('at most 9 items');
    // Exactly enough is accepted.
    await expect(
      computeEase(matrix, { lambda: 1, k: 5, maxBytes: 8 * 10 * 10 }, { threads: 1 }),
    ).resolves.toBeDefined();
  });

  it.each([0, Number.NaN, -5])('maxBytes %s', async (maxBytes) => {
    expect((await refusal({ lambda: 1, k: 5, maxBytes })).where).toBe('maxBytes');
  });

  it.each([
    { start: -1, end: 3 },
    { start: 4, end: 3 },
    { start: 0, end: 11 },
    { start: 0.5, end: 3 },
  ])('row range %o', async (rows) => {
    expect((await refusal({ lambda: 1, k: 5 }, { rows })).where).toBe('rows');
  });

  it.each([0, 1.5])('threads %s', async (threads) => {
    expect((await refusal({ lambda: 1, k: 5 }, { threads })).where).toBe('threads');
  });

  it('a Gram plus λ that is not positive definite in floating point (two identical items, λ 1e-300)', async () => {
    const twins = matrixOf([
      [1, 1],
      [1, 1],
      [3, 3],
    ]);
    const error = await computeEase(twins, { lambda: 1e-300, k: 1 }, { threads: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).where).toBe('lambda');
  });
});
