/**
 * What a build does differently for a pseudonymised dataset (config `pseudonymizeUsers`): it needs the
 * deployment's id hashing key (the engine replaces every user id by its pseudonym right after the parse, and
 * withholds input text from every message), and records the option in the version, so the API hashes request ids.
 *
 * Safety properties (test/pipeline/pseudonymized-users.test.ts):
 * - Never raw: a pseudonymised dataset whose key cannot be had fails its job with a UserInputError that says
 *   so (a missing or bad key) before any file is read; a transient failure to read the secret is re-thrown, so
 *   the build is retried. Other datasets never ask for the key.
 * - The version's options carry `pseudonymizeUsers: true`, the one thing the API reads to hash request ids.
 */
import type { ModelOptions } from '../adapters/store-contract.js';
import type { ModelConfig } from '../engine/pipeline.js';
import { UserInputError } from '../engine/types.js';

/** The key a build of `config` hashes user ids with; undefined when the dataset is not pseudonymised. */
export async function idHashKeyFor(
  config: ModelConfig,
  loadKey: (() => Promise<Uint8Array>) | undefined,
  dataset: string,
): Promise<Uint8Array | undefined> {
  if (!config.pseudonymizeUsers) return undefined;
  const refuse = (why: string, hint: string): never => {
    throw new UserInputError(
      `dataset ${JSON.stringify(dataset)} sets pseudonymizeUsers, but ${why}: it is not built with raw user ids`,
      'pseudonymizeUsers',
      hint,
    );
  };
  if (!loadKey)
    return refuse(
      'this build has no id hashing key',
      'Run the build with its key (ID_HASH_KEY or ID_HASH_KEY_SECRET_ARN).',
    );
  try {
    return await loadKey();
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error; // the secret store failing: retried
    return refuse(`its id hashing key could not be loaded (${error.message})`, error.hint ?? '');
  }
}

/** The version options that say how its user ids are stored (nothing for a dataset of raw ids, as before). */
export function userIdOptions(config: ModelConfig): Pick<ModelOptions, 'pseudonymizeUsers'> {
  return config.pseudonymizeUsers ? { pseudonymizeUsers: true } : {};
}
