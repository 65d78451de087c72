/**
 * The id hashing key of the offline commands (build, recommend, similar, export on a file) for a config with
 * `pseudonymizeUsers`: from `--id-hash-key-file <file>` (base64, as the local stack keeps it in its data
 * directory's `id-hash-key`), else from ID_HASH_KEY. Without either the build refuses (engine/pipeline.ts): a
 * pseudonymised config is never built with raw ids. The ids a command is given (--user, --users) are mapped the
 * way the API maps them, so the same raw id finds the same user.
 */
import { readFileSync } from 'node:fs';
import { decodeKey } from '../engine/privacy/index.js';
import type { ModelConfig } from '../engine/model-config.js';
import { storedUserIdOf } from '../engine/privacy/index.js';
import { readFileError } from '../engine/shared/index.js';

export interface IdHashKeyFlags {
  idHashKeyFile?: string;
}

/** The key for `config`; undefined when it is not pseudonymised or no key is given (the build then refuses). */
export function idHashKeyOf(config: ModelConfig, flags: IdHashKeyFlags): Uint8Array | undefined {
  if (!config.pseudonymizeUsers) return undefined;
  if (flags.idHashKeyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.idHashKeyFile, 'utf8');
    } catch (error) {
      throw readFileError(error, flags.idHashKeyFile);
    }
    return decodeKey(text, flags.idHashKeyFile);
  }
  const fromEnvironment = process.env.ID_HASH_KEY?.trim();
  return fromEnvironment ? decodeKey(fromEnvironment, 'ID_HASH_KEY') : undefined;
}

/** A user id as the model built with `key` stores it (itself when the config is not pseudonymised). */
export function storedUserIdWith(key: Uint8Array | undefined): (id: string) => string {
  return key === undefined ? (id) => id : (id) => storedUserIdOf(key, id);
}
