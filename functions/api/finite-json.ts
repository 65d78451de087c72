/**
 * The last check before a reply is serialised: JSON has no NaN or Infinity, and `JSON.stringify` would silently
 * write `null` in their place (a `score: null` a client cannot tell from data). Every number in a reply is
 * checked; the first non-finite one throws NonFiniteNumberError naming where it is (test:
 * test/api/finite-values.test.ts).
 */
import { NonFiniteNumberError } from './problems.js';

/** Returns `body` unchanged when every number in it is finite; throws NonFiniteNumberError otherwise. */
export function finiteReply<T>(body: T): T {
  const field = nonFiniteField(body, '');
  if (field !== undefined) throw new NonFiniteNumberError(field.path || '(reply)', String(field.value));
  return body;
}

/** Depth-first, bounded by the reply's own size (replies are plain JSON-shaped objects, no cycles). */
function nonFiniteField(value: unknown, path: string): { path: string; value: number } | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path, value };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nonFiniteField(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const found = nonFiniteField(child, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}
