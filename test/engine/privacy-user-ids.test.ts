// The stored id of a pseudonymised dataset's user (functions/engine/privacy/user-ids.ts). Expected pseudonyms are
// computed here with node:crypto's HMAC directly, not through the code under test.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { storedUserIdOf } from '../../functions/engine/privacy/index.js';

const KEY = new Uint8Array(32).fill(0x42);
const hmac = (id: string) => `p_${createHmac('sha256', KEY).update(id, 'utf8').digest('base64url')}`;

describe('storedUserIdOf', () => {
  it('is the keyed HMAC of a raw id', () => {
    for (const id of ['u1', 'ada@example.org', '用户', ' '.repeat(3)]) expect(storedUserIdOf(KEY, id)).toBe(hmac(id));
  });

  it('keeps an id that is a pseudonym already, so hashing twice changes nothing', () => {
    const once = storedUserIdOf(KEY, 'u1');
    expect(storedUserIdOf(KEY, once)).toBe(once);
    // Almost the shape (one character short, a character outside base64url): hashed like any raw id.
    for (const near of [once.slice(0, -1), `${once.slice(0, -1)}.`, `q_${once.slice(2)}`])
      expect(storedUserIdOf(KEY, near)).toBe(hmac(near));
  });

  it('refuses a short key', () => {
    expect(() => storedUserIdOf(new Uint8Array(8), 'u1')).toThrow(/at least 32/);
  });
});
