import type { LineConsumer } from './delimited.js';
import type { JsonColumns } from './columns.js';
import type { InteractionSink } from './sink.js';
import { show } from './values.js';

/** JSON Lines: one object (fields by name) or array (fields by position) per line. */
export class JsonLinesParser implements LineConsumer {
  blankLines = 0;

  constructor(
    private readonly sink: InteractionSink,
    private readonly columns: JsonColumns,
  ) {}

  line(buf: Buffer, start: number, end: number, lineNumber: number): void {
    const text = buf.toString('utf8', start, end);
    if (text.trim() === '') {
      this.blankLines++;
      return;
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      return this.sink.reject('bad-json', lineNumber, `not valid JSON (${(error as Error).message})`);
    }
    const byPosition = typeof this.columns.user === 'number';
    if (record === null || typeof record !== 'object' || Array.isArray(record) !== byPosition) {
      return this.sink.reject(
        'bad-json',
        lineNumber,
        `expected a JSON ${byPosition ? 'array' : 'object'}, found ${show(text)}`,
      );
    }
    const fields = record as Record<string | number, unknown>;
    const name = (ref: string | number) => (typeof ref === 'number' ? `element ${ref}` : `"${ref}"`);
    const { user: userRef, item: itemRef, rating: ratingRef, timestamp: timeRef } = this.columns;

    const user = idText(fields[userRef]);
    if (user === undefined) return this.sink.reject('missing-field', lineNumber, `no ${name(userRef)} (user id)`);
    if (user === null)
      return this.sink.reject(
        'bad-id',
        lineNumber,
        `user id ${name(userRef)} must be a string or a number, found ${show(JSON.stringify(fields[userRef]))}`,
      );
    const item = idText(fields[itemRef]);
    if (item === undefined) return this.sink.reject('missing-field', lineNumber, `no ${name(itemRef)} (item id)`);
    if (item === null)
      return this.sink.reject(
        'bad-id',
        lineNumber,
        `item id ${name(itemRef)} must be a string or a number, found ${show(JSON.stringify(fields[itemRef]))}`,
      );

    let rating: string | undefined;
    if (!this.columns.implicit && ratingRef !== undefined) {
      const value = fields[ratingRef];
      if (value === undefined || value === null)
        return this.sink.reject('missing-field', lineNumber, `no ${name(ratingRef)} (rating)`);
      rating = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
    }
    let time: string | undefined;
    if (timeRef !== undefined) {
      const value = fields[timeRef];
      if (value !== undefined && value !== null) {
        time = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
      }
    }
    this.sink.addText(user, item, rating, time, lineNumber);
  }

  finish(): void {}
}

/** A JSON id as text: strings as they are, finite numbers in their shortest form; undefined = absent, null = wrong type. */
function idText(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
