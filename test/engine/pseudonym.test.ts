import { describe, expect, it } from 'vitest';
import { createPseudonymizer, isPseudonym, pseudonymOf } from '../../functions/engine/privacy/index.js';
import { MAX_ID_BYTES, UserInputError } from '../../functions/engine/types.js';

// RFC 4231 test case 6: key = 131 bytes of 0xaa; its HMAC-SHA256 is given there in hex (converted to base64url
// outside this code base, with Python's base64 module).
const RFC_KEY = new Uint8Array(131).fill(0xaa);
const RFC_DATA = 'Test Using Larger Than Block-Size Key - Hash Key First';
const RFC_MAC_BASE64URL = 'YOQxWR7gtn8Niiaqy_W3f44LxiE3KMUUBUYEDw7jf1Q';

describe('pseudonymOf', () => {
  it('is HMAC-SHA256 of the UTF-8 id, as RFC 4231 gives it', () => {
    expect(pseudonymOf(RFC_KEY, RFC_DATA)).toBe(`p_${RFC_MAC_BASE64URL}`);
  });

  it('is stable for one key and differs between keys', () => {
    const other = new Uint8Array(32).fill(7);
    expect(pseudonymOf(RFC_KEY, 'u1')).toBe(pseudonymOf(RFC_KEY, 'u1'));
    expect(pseudonymOf(RFC_KEY, 'u1')).not.toBe(pseudonymOf(RFC_KEY, 'u2'));
    expect(pseudonymOf(RFC_KEY, 'u1')).not.toBe(pseudonymOf(other, 'u1'));
  });

  it('has one shape for every id, within the id limit, and is recognised as a pseudonym', () => {
    for (const id of ['', 'u', 'é', '用户', 'x'.repeat(MAX_ID_BYTES)]) {
      const pseudonym = pseudonymOf(RFC_KEY, id);
      expect(pseudonym).toMatch(/^p_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.byteLength(pseudonym)).toBeLessThanOrEqual(MAX_ID_BYTES);
      expect(isPseudonym(pseudonym)).toBe(true);
    }
    expect(isPseudonym('u1')).toBe(false);
    expect(isPseudonym(`p_${'a'.repeat(42)}`)).toBe(false);
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => pseudonymOf(new Uint8Array(31), 'u')).toThrow(UserInputError);
    expect(() => createPseudonymizer(new Uint8Array(0))).toThrow(/at least 32/);
  });

  it('caches without changing answers, also past its cache size', () => {
    const pseudonymize = createPseudonymizer(RFC_KEY, 2);
    for (const id of ['a', 'b', 'c', 'a', 'b', 'c']) expect(pseudonymize(id)).toBe(pseudonymOf(RFC_KEY, id));
  });
});
