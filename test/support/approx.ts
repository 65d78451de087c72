import { expect } from 'vitest';

/**
 * The expected value with every number replaced by `expect.closeTo(n, 9)`, for `toEqual`: the two
 * implementations add floating-point terms in different orders.
 */
export function approx<T>(value: T): T {
  if (typeof value === 'number') return expect.closeTo(value, 9) as T;
  if (Array.isArray(value)) return value.map(approx) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, approx(v)])) as T;
  }
  return value;
}
