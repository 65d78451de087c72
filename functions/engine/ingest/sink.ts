import type { IdDictionary, InteractionLog } from '../data/index.js';
import type { EventTypeCounter } from './event-types.js';
import type { Rejections } from './rejections.js';
import type { RejectionReason } from './types.js';
import {
  MAX_ABS_VALUE,
  MAX_ID_BYTES,
  parseId,
  parsePlainDecimal,
  parseRating,
  parseTimestamp,
  show,
} from './values.js';

/**
 * Validates one record and appends it to the log, or counts it as rejected. Everything is validated before
 * any id is interned, so a rejected line never leaves a user or item without ratings behind.
 *
 * `addBytes` is the fast path for simple unquoted records (plain decimals, ASCII/UTF-8 ids without blanks);
 * it returns false for anything else and the caller re-submits the record as text via `addText`, which owns
 * every rule and every message. Canonical decimal ids skip string creation through a number -> index cache.
 *
 * Typed events (`events`): the value is rating × the type's weight (the weight alone without a rating column);
 * a row of weight 0 is accepted and counted but never reaches the log (nor interns its ids). With
 * `requireTimestamps` (time decay) a row without a timestamp is rejected as bad-timestamp.
 */
export class InteractionSink {
  rowsRead = 0;
  accepted = 0;
  withTimestamp = 0;
  private readonly userByNumber = new NumberIndex();
  private readonly itemByNumber = new NumberIndex();

  constructor(
    private readonly log: InteractionLog,
    private readonly rejections: Rejections,
    /** Value 1 for every row, rating ignored. */
    readonly implicit: boolean,
    private readonly events?: EventTypeCounter,
    private readonly requireTimestamps = false,
  ) {}

  /** Rows accepted but not in the log: their event type weighs 0. */
  get ignored(): number {
    return this.events?.ignoredRows ?? 0;
  }

  reject(reason: RejectionReason, line: number, problem: string): void {
    this.rowsRead++;
    this.rejections.add(reason, line, problem);
  }

  /** Fast path; `ratingStart < 0` = no rating field, `timeStart < 0` = no timestamp field. */
  addBytes(
    buf: Buffer,
    userStart: number,
    userEnd: number,
    itemStart: number,
    itemEnd: number,
    ratingStart: number,
    ratingEnd: number,
    timeStart: number,
    timeEnd: number,
    typeStart = -1,
    typeEnd = -1,
  ): boolean {
    let value = 1;
    if (!this.implicit && ratingStart >= 0) {
      value = parsePlainDecimal(buf, ratingStart, ratingEnd);
      // NaN (not a plain decimal) and out-of-range values: addText rejects them with the message.
      if (!(Math.abs(value) <= MAX_ABS_VALUE)) return false;
    }
    let timestamp = NaN;
    if (timeStart >= 0 && timeEnd > timeStart) {
      timestamp = parsePlainDecimal(buf, timeStart, timeEnd);
      if (Number.isNaN(timestamp)) return false;
    }
    if (this.requireTimestamps && timestamp !== timestamp) return false;
    let type: string | undefined;
    if (this.events) {
      if (typeStart < 0) return false;
      type = simpleId(buf, typeStart, typeEnd);
      if (type === undefined) return false;
    }
    const userNumber = canonicalDecimal(buf, userStart, userEnd);
    let user = userNumber >= 0 ? this.userByNumber.get(userNumber) : undefined;
    let userText: string | undefined;
    if (user === undefined) {
      userText = simpleId(buf, userStart, userEnd);
      if (userText === undefined) return false;
    }
    const itemNumber = canonicalDecimal(buf, itemStart, itemEnd);
    let item = itemNumber >= 0 ? this.itemByNumber.get(itemNumber) : undefined;
    let itemText: string | undefined;
    if (item === undefined) {
      itemText = simpleId(buf, itemStart, itemEnd);
      if (itemText === undefined) return false;
    }
    if (type !== undefined && this.events) {
      // Validated before it is counted: addText rejects an out-of-range product with the message.
      if (!(Math.abs(value * this.events.weightOf(type)) <= MAX_ABS_VALUE)) return false;
      const weight = this.events.accept(type);
      if (weight === 0) return this.countAccepted(timestamp);
      value *= weight;
    }
    if (user === undefined) user = internCached(this.log.users, this.userByNumber, userNumber, userText as string);
    if (item === undefined) item = internCached(this.log.items, this.itemByNumber, itemNumber, itemText as string);
    this.countAccepted(timestamp);
    this.log.addIndexed(user, item, value, timestamp);
    return true;
  }

  /** The general path: ids already trimmed (or quoted), rating/timestamp text undefined when the column is absent. */
  addText(
    user: string,
    item: string,
    rating: string | undefined,
    time: string | undefined,
    line: number,
    type?: string,
  ): void {
    const userId = parseId(user, 'user');
    if (!userId.ok) return this.reject(userId.reason ?? 'bad-id', line, userId.problem);
    const itemId = parseId(item, 'item');
    if (!itemId.ok) return this.reject(itemId.reason ?? 'bad-id', line, itemId.problem);
    let value = 1;
    if (!this.implicit && rating !== undefined) {
      const parsed = parseRating(rating);
      if (!parsed.ok) return this.reject('bad-rating', line, parsed.problem);
      value = parsed.value;
    }
    let timestamp = NaN;
    if (time !== undefined) {
      const parsed = parseTimestamp(time);
      if (!parsed.ok) return this.reject('bad-timestamp', line, parsed.problem);
      timestamp = parsed.value;
    }
    if (this.requireTimestamps && timestamp !== timestamp) {
      return this.reject('bad-timestamp', line, 'no timestamp: halfLifeDays (time decay) needs one on every row');
    }
    if (this.events) {
      const typeText = (type ?? '').trim();
      const problem = type === undefined ? 'no event type field' : this.events.problemWith(typeText);
      if (problem !== undefined) return this.reject('missing-field', line, problem);
      if (!(Math.abs(value * this.events.weightOf(typeText)) <= MAX_ABS_VALUE)) {
        const problem = `rating ${value} × the weight of event type ${show(typeText)} is outside ±${MAX_ABS_VALUE}`;
        return this.reject('bad-rating', line, problem);
      }
      const weight = this.events.accept(typeText);
      if (weight === 0) {
        this.countAccepted(timestamp);
        return;
      }
      value *= weight;
    }
    this.countAccepted(timestamp);
    this.log.add(userId.value, itemId.value, value, timestamp);
  }

  private countAccepted(timestamp: number): true {
    this.rowsRead++;
    this.accepted++;
    if (timestamp === timestamp) this.withTimestamp++;
    return true;
  }
}

/** The value of a canonical decimal id ("0" or no leading zero, <= 15 digits), else -1. */
function canonicalDecimal(buf: Buffer, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || length > 15 || (buf[start] === 0x30 && length > 1)) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** The id text when it needs no checks beyond the fast path's; undefined sends the record to `addText`. */
function simpleId(buf: Buffer, start: number, end: number): string | undefined {
  const length = end - start;
  if (length === 0 || length > MAX_ID_BYTES) return undefined;
  const first = buf[start];
  const last = buf[end - 1];
  if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) return undefined;
  const text = buf.toString('utf8', start, end);
  if (text.includes('\uFFFD')) return undefined; // invalid UTF-8: addText rejects it
  return text;
}

/**
 * Decimal id value -> dictionary index. Values up to a few times the number of ids seen (the usual dense
 * integer ids) live in a typed array grown on demand, markedly cheaper than a Map lookup per field; others
 * go to a Map. Dense slots hold index + 1, so 0 means "not cached" and new arrays need no fill.
 */
class NumberIndex {
  private static readonly DENSE_LIMIT = 1 << 22;
  private dense = new Int32Array(1024);
  private readonly sparse = new Map<number, number>();
  private stored = 0;

  get(value: number): number | undefined {
    if (value < this.dense.length) {
      const slot = this.dense[value];
      if (slot > 0) return slot - 1;
    }
    return this.sparse.size === 0 ? undefined : this.sparse.get(value);
  }

  set(value: number, index: number): void {
    this.stored++;
    if (value >= this.dense.length) {
      if (value >= NumberIndex.DENSE_LIMIT || value > 4 * this.stored + 65536) {
        this.sparse.set(value, index);
        return;
      }
      const grown = new Int32Array(Math.min(NumberIndex.DENSE_LIMIT, Math.max(value + 1, this.dense.length * 2)));
      grown.set(this.dense);
      this.dense = grown;
    }
    this.dense[value] = index + 1;
  }
}

function internCached(dictionary: IdDictionary, cache: NumberIndex, number: number, text: string): number {
  const index = dictionary.intern(text);
  if (number >= 0) cache.set(number, index);
  return index;
}
