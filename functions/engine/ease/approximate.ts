/** Placeholder until the approximate kernel lands (replaced by the approximate-EASE branch). */
import type { RatingMatrix } from '../types.js';
import { UserInputError } from '../types.js';
import type { SignedNeighbourBlock } from './signed-top-k.js';

export interface ApproximateEaseOptions {
  lambda: number;
  k: number;
  neighbourhood?: number;
}

export function computeApproximateEase(
  _matrix: RatingMatrix,
  _options: ApproximateEaseOptions,
  _run: { threads?: number } = {},
): Promise<SignedNeighbourBlock> {
  return Promise.reject(new UserInputError('approximate EASE is not available yet', 'ease.method', 'use "exact"'));
}
