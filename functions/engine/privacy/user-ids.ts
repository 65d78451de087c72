/**
 * The user id a pseudonymised dataset (`pseudonymizeUsers: true`) stores for a given id: one rule for the build
 * (every id of its files) and the API (every id of a request), so both find the same rows.
 *
 * Safety properties (test/engine/privacy-user-ids.test.ts):
 * - A raw id becomes `pseudonymOf(key, id)` (keyed HMAC-SHA256: nobody without the key can link it back).
 * - An id that is a pseudonym already (`isPseudonym`: `p_` + 43 base64url characters; a folded live event, a
 *   similar-users answer) is kept as it is, so it is never hashed twice: the build and the API map it to itself.
 */
import { isPseudonym, pseudonymOf } from './pseudonym.js';

/** The stored id of `id`: its keyed pseudonym, or `id` itself when it has a pseudonym's shape already. */
export function storedUserIdOf(key: Uint8Array, id: string): string {
  return isPseudonym(id) ? id : pseudonymOf(key, id);
}
