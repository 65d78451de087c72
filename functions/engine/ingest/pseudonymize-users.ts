/**
 * The user ids of a pseudonymised dataset (config `pseudonymizeUsers`), replaced right after the parse: the log
 * that leaves ingest, and so the matrix, the model rows, the reports and everything stored, holds only keyed
 * pseudonyms (engine/privacy: `storedUserIdOf`).
 *
 * Safety properties (test/engine/ingest-pseudonymize.test.ts):
 * - No raw user id is left in the log: every dictionary entry is a pseudonym, each distinct id hashed once.
 * - Nothing else changes: user indices (and so every model computed from the log) stay the same unless two ids
 *   become one user (an id and its own pseudonym, e.g. a file and a folded live event: merged, as one user).
 */
import { IdDictionary, type InteractionLog } from '../data/index.js';
import { storedUserIdOf } from '../privacy/index.js';
import type { PrivacyReport } from './types.js';

export const PRIVACY_REPORT: PrivacyReport = Object.freeze({
  userIds: 'pseudonymized',
  inputText: 'withheld',
  note:
    'User ids are keyed pseudonyms (p_ + HMAC-SHA256 of the id); rejection examples, warnings and errors show ' +
    '<withheld> where they would quote the input, with line numbers and reasons kept.',
});

/** Replaces the log's user ids by their stored ids, in one pass over the distinct ids and one over the rows. */
export function pseudonymizeLogUsers(log: InteractionLog, key: Uint8Array): void {
  const raw = log.users.toArray();
  const users = new IdDictionary();
  const map = new Uint32Array(raw.length);
  let renumbered = false;
  for (let u = 0; u < raw.length; u++) {
    map[u] = users.intern(storedUserIdOf(key, raw[u]));
    if (map[u] !== u) renumbered = true;
  }
  log.replaceUsers(users, renumbered ? map : undefined);
}
