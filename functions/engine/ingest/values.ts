/**
 * Parsing of one field's text into an id, a rating or a timestamp, with the message used when it fails.
 *
 * Numbers are decimal only (`-12`, `4.5`, `.5`, `1e-3`): `Number()` alone would also take `0x10`, `0o7`, `0b1`,
 * `Infinity` and blanks. Ratings are bounded by ±{@link MAX_ABS_VALUE}, the range a model stores (float32) and
 * scores without overflow: larger ones are rejected, never clipped.
 */
import { MAX_ABS_VALUE, MAX_ID_BYTES } from '../types.js';
import { inputTextWithheld, WITHHELD } from './withheld-text.js';

export { MAX_ABS_VALUE, MAX_ID_BYTES };

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const OTHER_BASE = /^[+-]?0[xXoObB]/;

/** The value of a decimal number's text (already trimmed), or NaN when it is not one. */
export function decimalValue(trimmed: string): number {
  return DECIMAL.test(trimmed) ? Number(trimmed) : NaN;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * Quote a value for a message, shortened so one bad line cannot flood a report; withheld while a pseudonymised
 * dataset is parsed (./withheld-text.ts).
 */
export function show(text: string): string {
  if (inputTextWithheld()) return WITHHELD;
  const short = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return `'${short}'`;
}

/** An id after trimming, or why it is unusable. `kind` is 'user' or 'item' (for the message). */
export function parseId(
  text: string,
  kind: string,
): Parsed<string> & { reason?: 'empty-id' | 'id-too-long' | 'bad-id' } {
  if (text.length === 0) return { ok: false, problem: `${kind} id is empty`, reason: 'empty-id' };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_ID_BYTES) {
    return {
      ok: false,
      problem: `${kind} id ${show(text)} is ${bytes} UTF-8 bytes; the limit is ${MAX_ID_BYTES}`,
      reason: 'id-too-long',
    };
  }
  // U+FFFD is what a decoder leaves for invalid UTF-8: two different byte strings would collide.
  if (text.includes('\uFFFD')) {
    return { ok: false, problem: `${kind} id ${show(text)} is not valid UTF-8`, reason: 'bad-id' };
  }
  return { ok: true, value: text };
}

export function parseRating(text: string): Parsed<number> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'rating is empty' };
  const value = decimalValue(trimmed);
  if (Number.isNaN(value)) {
    const problem = OTHER_BASE.test(trimmed)
      ? 'is not a decimal number (hex, octal and binary are not accepted)'
      : 'is not a number';
    return { ok: false, problem: `rating ${show(trimmed)} ${problem}` };
  }
  if (!(Math.abs(value) <= MAX_ABS_VALUE)) {
    return {
      ok: false,
      problem: `rating ${show(trimmed)} is outside ±${MAX_ABS_VALUE}, the range a model can store and score`,
    };
  }
  return { ok: true, value };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * A timestamp: a finite number (kept as given: seconds or milliseconds) or an ISO-8601 date/time, converted to
 * epoch seconds (UTC when it has no offset). Empty text means "no timestamp" (NaN).
 */
export function parseTimestamp(text: string): Parsed<number> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: NaN };
  const numeric = decimalValue(trimmed);
  if (Number.isFinite(numeric)) return { ok: true, value: numeric };
  const iso = ISO_DATE.exec(trimmed);
  if (iso) {
    let normalised = trimmed.toUpperCase().replace(' ', 'T').replace(',', '.');
    if (normalised.length === 10) normalised += 'T00:00:00Z';
    else if (iso[1] === undefined) normalised += 'Z';
    else if (/[+-]\d{2}$/.test(normalised)) normalised += ':00';
    else normalised = normalised.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
    const millis = Date.parse(normalised);
    if (Number.isFinite(millis)) return { ok: true, value: millis / 1000 };
  }
  return {
    ok: false,
    problem: `timestamp ${show(trimmed)} is neither a number nor an ISO-8601 date (e.g. 2024-05-01T12:00:00Z)`,
  };
}

/** True when the text reads as a number (used to tell a header from data). */
export function isNumeric(text: string): boolean {
  const trimmed = text.trim();
  return Number.isFinite(decimalValue(trimmed));
}

/**
 * Fast path: parse an unsigned/negative plain decimal (`-?\d*\.?\d*`, at most 15 digits) straight from bytes.
 * Returns NaN for anything else so the caller falls back to {@link parseRating}/{@link parseTimestamp}.
 * With <= 15 digits both the digit integer and the power of ten are exact doubles, so the one division
 * rounds correctly and the result equals `Number(text)`.
 */
export function parsePlainDecimal(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && buf[i] === 0x2d) {
    negative = true;
    i++;
  }
  let digits = 0;
  let value = 0;
  for (; i < end; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
    digits++;
  }
  if (i < end && buf[i] === 0x2e) {
    i++;
    let scale = 1;
    for (; i < end; i++) {
      const d = buf[i] - 0x30;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      scale *= 10;
      digits++;
    }
    value /= scale;
  }
  if (i !== end || digits === 0 || digits > 15) return NaN;
  return negative ? -value : value;
}
