import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeS3EventKey, encodeS3EventKey } from '../../functions/adapters/s3-event-keys.js';

/** Independent model: WHATWG form encoding (same safe set as Java's URLEncoder), with '/' left as is like S3. */
function formEncodeKeepingSlashes(raw: string): string {
  return new URLSearchParams([['k', raw]]).toString().slice(2).replaceAll('%2F', '/');
}

describe('encodeS3EventKey', () => {
  it.each([
    ['uploads/my data/r+1.csv', 'uploads/my+data/r%2B1.csv'],
    ['%', '%25'],
    ['#', '%23'],
    ['a b  c', 'a+b++c'],
    ['ratings (1).csv', 'ratings+%281%29.csv'],
    ['dt=2024-05-04/_SUCCESS', 'dt%3D2024-05-04/_SUCCESS'],
    ['10:47:07.log', '10%3A47%3A07.log'],
    ['~tilde*star', '%7Etilde*star'],
    ['ü', '%C3%BC'],
    ['数据.csv', '%E6%95%B0%E6%8D%AE.csv'],
    ['🎬.tsv', '%F0%9F%8E%AC.tsv'],
    ['', ''],
  ])('%j -> %j', (raw, encoded) => {
    expect(encodeS3EventKey(raw)).toBe(encoded);
    expect(decodeS3EventKey(encoded)).toBe(raw);
  });

  it('rejects a lone surrogate, which no S3 key can hold', () => {
    expect(() => encodeS3EventKey('a\uD800b')).toThrow(/lone UTF-16 surrogate/);
  });

  it('agrees with form encoding (slashes kept) on arbitrary unicode keys', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (raw) => {
        expect(encodeS3EventKey(raw)).toBe(formEncodeKeepingSlashes(raw));
      }),
    );
  });
});

describe('decodeS3EventKey', () => {
  it('round-trips arbitrary unicode keys', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (raw) => {
        expect(decodeS3EventKey(encodeS3EventKey(raw))).toBe(raw);
      }),
    );
  });

  it('round-trips keys made of the characters that are easy to get wrong', () => {
    const tricky = fc.constantFrom(' ', '+', '%', '/', '#', '?', '&', '=', '~', '*', 'é', '中', '😀', 'a');
    fc.assert(
      fc.property(fc.array(tricky, { maxLength: 20 }), (chars) => {
        const raw = chars.join('');
        expect(decodeS3EventKey(encodeS3EventKey(raw))).toBe(raw);
      }),
    );
  });

  it('decodes a literal plus sent as %2B and a space sent as %20 as well as +', () => {
    expect(decodeS3EventKey('a%2Bb+c%20d')).toBe('a+b c d');
  });

  it('names the broken key when the encoding is malformed', () => {
    expect(() => decodeS3EventKey('bad%zzkey')).toThrow(/"bad%zzkey".*not valid URL encoding/);
    expect(() => decodeS3EventKey('%C3')).toThrow(/not valid URL encoding/);
  });
});
