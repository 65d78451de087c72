/**
 * Keyed pseudonyms of user ids: one function for every place a user id must not be kept readable (erasure records,
 * `pseudonymizeUsers` datasets). HMAC-SHA256 with a per-deployment secret key, so nobody without the key can test a
 * guessed id against a stored pseudonym (a plain hash of an id can be reversed by hashing candidate ids).
 *
 * Safety properties (test/engine/pseudonym.test.ts):
 * - Deterministic for one key, different for another key: the same id always maps to the same pseudonym within a
 *   deployment, and a second deployment's pseudonyms cannot be joined with the first's.
 * - Fixed shape: `p_` + 43 base64url characters (256 bits), whatever the id (an empty id included), so a pseudonym
 *   is always a valid id (≤ MAX_ID_BYTES) and can be told from itself when hashed twice by {@link isPseudonym}.
 * - The key must hold at least {@link MIN_KEY_BYTES} bytes: a short key is refused rather than silently weak.
 */
import { createHmac } from 'node:crypto';
import { UserInputError } from '../types.js';

export const PSEUDONYM_PREFIX = 'p_';
/** 32 bytes: the HMAC-SHA256 block's recommended minimum (RFC 2104: at least the output length). */
export const MIN_KEY_BYTES = 32;
const PSEUDONYM = /^p_[A-Za-z0-9_-]{43}$/;

export function pseudonymOf(key: Uint8Array, id: string): string {
  checkKey(key);
  return PSEUDONYM_PREFIX + createHmac('sha256', key).update(id, 'utf8').digest('base64url');
}

/** A pseudonymiser bound to one key, caching recent ids (a request or a build hashes the same id many times). */
export function createPseudonymizer(key: Uint8Array, cacheSize = 10_000): (id: string) => string {
  checkKey(key);
  const cache = new Map<string, string>();
  return (id) => {
    let pseudonym = cache.get(id);
    if (pseudonym === undefined) {
      pseudonym = pseudonymOf(key, id);
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(id, pseudonym);
    }
    return pseudonym;
  };
}

/** Whether `id` has the shape of a pseudonym (so an already pseudonymised id is not hashed again). */
export function isPseudonym(id: string): boolean {
  return PSEUDONYM.test(id);
}

function checkKey(key: Uint8Array): void {
  if (key.byteLength < MIN_KEY_BYTES) {
    throw new UserInputError(
      `The id hashing key has ${key.byteLength} bytes; it needs at least ${MIN_KEY_BYTES}`,
      'ID_HASH_KEY',
      'Generate one with `openssl rand -base64 32` (the CDK stack and the local stack generate it themselves).',
    );
  }
}
