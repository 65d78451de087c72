/**
 * Object keys in S3 event notifications are URL-encoded in the application/x-www-form-urlencoded style:
 * "red flower.jpg" arrives as "red+flower.jpg", a literal "+" as "%2B", non-ASCII as percent-encoded UTF-8.
 * Real S3 leaves "/" (the folder separator) and Java URLEncoder's safe set (letters, digits, - _ . *) as they
 * are. Handlers must decode the key before calling S3, or keys with spaces, "+" or accents are not found.
 */

/** Bytes S3 leaves unescaped in notification keys (everything else is %XX, space is '+'). */
const UNESCAPED = /^[A-Za-z0-9\-_.*/]$/;

/** What S3 puts in `Records[].s3.object.key` for an object whose key is `rawKey`. */
export function encodeS3EventKey(rawKey: string): string {
  const utf8 = Buffer.from(rawKey, 'utf8');
  // A lone surrogate would be silently replaced by U+FFFD, naming a different object.
  if (utf8.toString('utf8') !== rawKey) {
    throw new TypeError(
      `S3 object key ${JSON.stringify(rawKey)} contains a lone UTF-16 surrogate; S3 keys are UTF-8 text`,
    );
  }
  let encoded = '';
  for (const byte of utf8) {
    const char = String.fromCharCode(byte);
    if (char === ' ') encoded += '+';
    else if (byte < 0x80 && UNESCAPED.test(char)) encoded += char;
    else encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** The real object key from `Records[].s3.object.key`: '+' means space, then percent-decoding (UTF-8). */
export function decodeS3EventKey(eventKey: string): string {
  try {
    return decodeURIComponent(eventKey.replaceAll('+', ' '));
  } catch {
    throw new TypeError(
      `S3 event object key ${JSON.stringify(eventKey)} is not valid URL encoding (a '%' must be followed by two hex digits forming UTF-8)`,
    );
  }
}
