export { createPseudonymizer, isPseudonym, MIN_KEY_BYTES, PSEUDONYM_PREFIX, pseudonymOf } from './pseudonym.js';
export { storedUserIdOf } from './user-ids.js';
export { decodeKey } from './key.js';
