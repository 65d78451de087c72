/**
 * The user id a request reads rows by. A pseudonymised dataset (its active version's options say
 * `pseudonymizeUsers`) stores keyed pseudonyms only, so the caller's raw id is hashed per request, with the rule
 * the build used (engine/privacy: `storedUserIdOf`); any other dataset stores the ids as given.
 *
 * Every route that takes a user id (recommendations, similar users; live events and erasure when they land) maps
 * it through {@link UserIdForStorage} on the version it reads, so a rollback across the option is served right.
 *
 * Safety properties (test/pipeline/pseudonymized-users.test.ts, test/api/pseudonymized-users.test.ts):
 * - Same rows as the build wrote: the raw id of a pseudonymised dataset finds its pseudonym's rows (answers equal
 *   those of the same data built without the option); an id that is a pseudonym already finds its own rows.
 * - Never silently raw: a pseudonymised version served without the key fails the request (503, logged with the
 *   dataset, never the id), rather than look the raw id up.
 */
import type { VersionInfo } from '../adapters/store-contract.js';
import { storedUserIdOf } from '../engine/privacy/index.js';

/** Maps a request's raw user id to the id the active version stores. */
export type UserIdForStorage = (active: { dataset: string; info?: VersionInfo }, rawId: string) => string;

/** Whether a version's user ids are keyed pseudonyms. */
export function isPseudonymized(info: VersionInfo | undefined): boolean {
  return info?.options.pseudonymizeUsers === true;
}

/** The API's one mapping of request user ids, bound to the deployment's key (absent: no dataset may need it). */
export function createUserIdForStorage(idHashKey: Uint8Array | undefined): UserIdForStorage {
  return (active, rawId) => {
    if (!isPseudonymized(active.info)) return rawId;
    if (idHashKey === undefined) throw new IdHashKeyMissingError(active.dataset);
    return storedUserIdOf(idHashKey, rawId);
  };
}

/** A pseudonymised dataset served by an API started without the key: an operator's problem (503, logged). */
export class IdHashKeyMissingError extends Error {
  constructor(dataset: string) {
    super(
      `Dataset ${JSON.stringify(dataset)} has pseudonymised user ids, but the API has no id hashing key ` +
        '(ID_HASH_KEY or ID_HASH_KEY_SECRET_ARN): user ids cannot be looked up',
    );
    this.name = 'IdHashKeyMissingError';
  }
}
