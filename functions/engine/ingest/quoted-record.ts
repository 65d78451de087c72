/**
 * RFC 4180 record assembly for CSV lines that contain a double quote (the rare case; plain lines take the
 * byte-level fast path). Fed one physical line at a time, so a quoted field may span lines.
 *
 * Rules: a field whose first non-blank character is `"` is quoted; inside it `""` is a quote and the
 * delimiter and line breaks are literal (a CRLF inside a field becomes LF); after the closing quote only
 * blanks may precede the delimiter or the end of the line. A quote inside an unquoted field is literal
 * (csv-parse's `relax_quotes`). Unquoted fields are trimmed of spaces and tabs; quoted fields are kept as is.
 */
import { inputText } from './withheld-text.js';

export type FeedResult = 'done' | 'more' | { problem: string };

/** A multi-line record is abandoned past this size: almost always a stray quote that is never closed. */
export const MAX_RECORD_CHARS = 1 << 20;

export class QuotedRecord {
  fields: string[] = [];
  firstLine = 0;
  private current = '';
  private inQuotes = false;
  private chars = 0;

  private readonly blanks: string;

  constructor(private readonly delimiter: string) {
    // Spaces and tabs around fields are padding, except a character that is the delimiter itself.
    this.blanks = [' ', '\t'].filter((c) => !delimiter.includes(c)).join('');
  }

  get open(): boolean {
    return this.inQuotes;
  }

  start(line: number): void {
    this.fields = [];
    this.current = '';
    this.inQuotes = false;
    this.chars = 0;
    this.firstLine = line;
  }

  /** Feed the next physical line (without its line break). */
  feed(line: string): FeedResult {
    const delimiter = this.delimiter;
    const n = line.length;
    this.chars += n + 1;
    let i = 0;
    if (this.inQuotes) {
      if (this.chars > MAX_RECORD_CHARS) {
        return {
          problem: `a quoted field opened on line ${this.firstLine} is still open after ${MAX_RECORD_CHARS} characters`,
        };
      }
      this.current += '\n';
    }
    for (;;) {
      if (this.inQuotes) {
        const quote = line.indexOf('"', i);
        if (quote < 0) {
          this.current += line.slice(i);
          return 'more';
        }
        this.current += line.slice(i, quote);
        if (line.charCodeAt(quote + 1) === 0x22) {
          this.current += '"';
          i = quote + 2;
          continue;
        }
        this.inQuotes = false;
        i = quote + 1;
        while (i < n && this.blanks.includes(line[i])) i++;
        if (i === n) {
          this.fields.push(this.current);
          return 'done';
        }
        if (!line.startsWith(delimiter, i)) {
          return {
            problem: `unexpected ${inputText(JSON.stringify(line[i]))} after the closing quote of field ${this.fields.length + 1}`,
          };
        }
        this.fields.push(this.current);
        this.current = '';
        i += delimiter.length;
        continue;
      }
      // At the start of a field.
      let j = i;
      while (j < n && this.blanks.includes(line[j])) j++;
      if (line.charCodeAt(j) === 0x22) {
        this.inQuotes = true;
        this.current = '';
        i = j + 1;
        continue;
      }
      const end = line.indexOf(delimiter, i);
      const text = line.slice(i, end < 0 ? n : end);
      this.fields.push(trimChars(text, this.blanks));
      if (end < 0) return 'done';
      i = end + delimiter.length;
    }
  }
}

/** `text` without leading and trailing characters from `chars`. */
export function trimChars(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text[start])) start++;
  while (end > start && chars.includes(text[end - 1])) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
