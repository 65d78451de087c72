/**
 * The local stack's id hashing key (../adapters/id-hash-key.ts): 32 random bytes, generated once into
 * `<dataDir>/id-hash-key` (mode 0600) and reused, so the pseudonyms and erasure records of the local data stay
 * valid across restarts. Created with O_EXCL: two stacks starting on one data directory cannot write two keys.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeKey } from '../engine/privacy/index.js';

export const ID_HASH_KEY_FILE = 'id-hash-key';

/** The key as base64 (what ID_HASH_KEY holds), generated on first use. */
export async function ensureIdHashKeyFile(dataDir: string): Promise<string> {
  const path = join(dataDir, ID_HASH_KEY_FILE);
  await mkdir(dataDir, { recursive: true });
  try {
    await writeFile(path, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const text = (await readFile(path, 'utf8')).trim();
  decodeKey(text, path); // a damaged file fails here, naming it
  return text;
}
