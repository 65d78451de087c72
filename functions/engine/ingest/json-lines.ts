/**
 * JSON Lines: one object (fields by name) or array (fields by position) per line.
 *
 * Safety: a line is a rejected line whatever it holds. Values are never walked recursively (a value nested
 * 100,000 deep would overflow the stack); a RangeError while reading one line (the stack, nothing else: reading a
 * line allocates nothing lasting) rejects that line as bad-json. Tested in test/engine/ingest-hostile-lines.test.ts.
 */
import type { LineConsumer } from './delimited.js';
import type { JsonColumns } from './columns.js';
import type { InteractionSink } from './sink.js';
import type { RejectionReason } from './types.js';
import { show } from './values.js';
import { inputText } from './withheld-text.js';

/** The fields of one record as the sink takes them, or why the line is rejected. */
type Extracted =
  | { user: string; item: string; rating: string | undefined; time: string | undefined; type: string | undefined }
  | { reason: RejectionReason; problem: string };

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
    let record: Extracted;
    try {
      record = this.extract(text);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      record = { reason: 'bad-json', problem: `cannot be read (${inputText(error.message)}): nested too deeply?` };
    }
    if ('reason' in record) return this.sink.reject(record.reason, lineNumber, record.problem);
    this.sink.addText(record.user, record.item, record.rating, record.time, lineNumber, record.type);
  }

  private extract(text: string): Extracted {
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      return { reason: 'bad-json', problem: `not valid JSON (${inputText((error as Error).message)})` };
    }
    const byPosition = typeof this.columns.user === 'number';
    if (record === null || typeof record !== 'object' || Array.isArray(record) !== byPosition) {
      return { reason: 'bad-json', problem: `expected a JSON ${byPosition ? 'array' : 'object'}, found ${show(text)}` };
    }
    const fields = record as Record<string | number, unknown>;
    const name = (ref: string | number) => (typeof ref === 'number' ? `element ${ref}` : `"${ref}"`);
    const { user: userRef, item: itemRef, rating: ratingRef, timestamp: timeRef, type: typeRef } = this.columns;

    const user = idText(fields[userRef]);
    if (user === undefined) return { reason: 'missing-field', problem: `no ${name(userRef)} (user id)` };
    if (user === null) {
      const found = describe(fields[userRef]);
      return { reason: 'bad-id', problem: `user id ${name(userRef)} must be a string or a number, found ${found}` };
    }
    const item = idText(fields[itemRef]);
    if (item === undefined) return { reason: 'missing-field', problem: `no ${name(itemRef)} (item id)` };
    if (item === null) {
      const found = describe(fields[itemRef]);
      return { reason: 'bad-id', problem: `item id ${name(itemRef)} must be a string or a number, found ${found}` };
    }

    let rating: string | undefined;
    if (!this.columns.implicit && ratingRef !== undefined) {
      const value = fields[ratingRef];
      if (value === undefined || value === null)
        return { reason: 'missing-field', problem: `no ${name(ratingRef)} (rating)` };
      rating = scalarText(value);
      if (rating === undefined) {
        const found = describe(value);
        return { reason: 'bad-rating', problem: `rating ${name(ratingRef)} must be a number, found ${found}` };
      }
    }
    let time: string | undefined;
    if (timeRef !== undefined) {
      const value = fields[timeRef];
      if (value !== undefined && value !== null) {
        time = scalarText(value);
        if (time === undefined) {
          const found = describe(value);
          return {
            reason: 'bad-timestamp',
            problem: `timestamp ${name(timeRef)} must be a number or an ISO-8601 date, found ${found}`,
          };
        }
      }
    }
    let type: string | undefined;
    if (typeRef !== undefined) {
      const value = fields[typeRef];
      if (value === undefined || value === null)
        return { reason: 'missing-field', problem: `no ${name(typeRef)} (event type)` };
      type = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
      if (type === undefined) {
        const found = describe(value);
        return { reason: 'missing-field', problem: `event type ${name(typeRef)} must be a string, found ${found}` };
      }
    }
    return { user, item, rating, time, type };
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

/** A rating or timestamp as text for the value parsers; undefined for arrays and objects. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A value for a message, shortened; one too deeply nested to serialise is named by its type. */
function describe(value: unknown): string {
  try {
    return show(JSON.stringify(value));
  } catch {
    return Array.isArray(value) ? 'an array (nested too deeply to show)' : 'an object (nested too deeply to show)';
  }
}
