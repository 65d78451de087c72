/**
 * The id hashing key as text (base64, standard or url-safe) -> bytes, checked: the one decoder of ID_HASH_KEY, the
 * stack's secret, the local key file and --id-hash-key-file. Kept apart from the loader (adapters/id-hash-key.ts)
 * so that reading a key file pulls in no AWS client. Tested in test/adapters/id-hash-key.test.ts.
 */
import { UserInputError } from '../types.js';
import { MIN_KEY_BYTES } from './pseudonym.js';

/** Base64 (standard or url-safe) of at least MIN_KEY_BYTES bytes. */
export function decodeKey(text: string, where: string): Uint8Array {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new UserInputError(
      `The id hashing key in ${where} is not base64`,
      where,
      'Generate one with `openssl rand -base64 32`.',
    );
  }
  const key = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  if (key.byteLength < MIN_KEY_BYTES) {
    throw new UserInputError(
      `The id hashing key in ${where} has ${key.byteLength} bytes; it needs at least ${MIN_KEY_BYTES}`,
      where,
      'Generate one with `openssl rand -base64 32`.',
    );
  }
  return new Uint8Array(key);
}
