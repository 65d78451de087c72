/**
 * Deciding the format of a file from the options, its name and its first line: CSV (with its delimiter), tab- or
 * '::'-separated, or JSON Lines. A declared format the first line contradicts is fatal; a guess is corrected.
 */
import { UserInputError } from '../types.js';
import type { IngestFormat, IngestOptions } from './types.js';
import { inputText } from './withheld-text.js';

export const DELIMITERS: Record<Exclude<IngestFormat, 'jsonl'>, string> = { csv: ',', tsv: '\t', dat: '::' };

const EXTENSIONS: Record<string, IngestFormat> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  data: 'tsv',
  txt: 'tsv',
  dat: 'dat',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
};

export function formatFromName(name: string | undefined): IngestFormat | undefined {
  if (name === undefined) return undefined;
  const match = /\.([a-z0-9]+)$/i.exec(name.replace(/\.gz$/i, ''));
  return match ? EXTENSIONS[match[1].toLowerCase()] : undefined;
}

/** Guess from the first line: JSON, then '::', tab, ',', ';', '|'. */
export function sniffFormat(line: string): { format: IngestFormat; delimiter: string } | undefined {
  const start = line.trimStart()[0];
  if (start === '{' || start === '[') return { format: 'jsonl', delimiter: '' };
  // Characters inside CSV quotes say nothing about the delimiter; but a quote may also be an ordinary
  // character (TSV, '::', or a stray one), so the whole line is the fallback.
  return sniffDelimiter(outsideQuotes(line)) ?? sniffDelimiter(line);
}

function outsideQuotes(line: string): string {
  return line.replace(/"(?:[^"]|"")*("|$)/g, '');
}

function sniffDelimiter(text: string): { format: IngestFormat; delimiter: string } | undefined {
  if (text.includes('::')) return { format: 'dat', delimiter: '::' };
  if (text.includes('\t')) return { format: 'tsv', delimiter: '\t' };
  for (const delimiter of [',', ';', '|']) if (text.includes(delimiter)) return { format: 'csv', delimiter };
  return undefined;
}

function fitsFormat(line: string, format: IngestFormat, delimiter: string): boolean {
  if (format === 'jsonl') {
    const start = line.trimStart()[0];
    return start === '{' || start === '[';
  }
  // In CSV a quoted field may hold a line break, so the delimiter can be on a later line.
  return line.includes(delimiter) || (format === 'csv' && line.includes('"'));
}

const FORMAT_NAMES: Record<IngestFormat, string> = {
  csv: 'CSV',
  tsv: 'tab-separated (like MovieLens u.data)',
  dat: "'::'-separated (like MovieLens ratings.dat)",
  jsonl: 'JSON Lines',
};

/**
 * The format and delimiter. A declared format the first line clearly contradicts is fatal; a format guessed
 * from the extension that the line contradicts is replaced by a sniffed one, with a warning.
 */
export function chooseFormat(
  options: IngestOptions,
  label: string,
  firstLine: string,
  firstLineNumber: number,
  warnings: string[],
): { format: IngestFormat; delimiter: string } {
  if (firstLine.includes('\u0000')) {
    throw new UserInputError(
      `${label} does not look like text (line ${firstLineNumber} contains NUL bytes)`,
      `${label}:${firstLineNumber}`,
      'upload a CSV, TSV, ::-separated or JSON Lines file (optionally gzip-compressed)',
    );
  }
  // A delimiter alone implies CSV.
  const declared =
    options.format && options.format !== 'auto' ? options.format : options.delimiter !== undefined ? 'csv' : undefined;
  const sniffed = sniffFormat(firstLine);
  const fixHint = sniffed
    ? `it looks ${FORMAT_NAMES[sniffed.format]}: use format '${sniffed.format}'${sniffed.format === 'csv' && sniffed.delimiter !== ',' ? ` with delimiter '${sniffed.delimiter}'` : ''} (or 'auto')`
    : 'expected one rating per line: user, item[, rating[, timestamp]] separated by , or tab or ::, or JSON objects';
  if (declared) {
    const delimiter =
      declared === 'jsonl' ? '' : declared === 'csv' ? (options.delimiter ?? ',') : DELIMITERS[declared];
    if (!fitsFormat(firstLine, declared, delimiter)) {
      const what =
        declared === 'jsonl' ? 'is not a JSON object or array' : `has no ${JSON.stringify(delimiter)} delimiter`;
      throw new UserInputError(
        `${label} does not look like ${FORMAT_NAMES[declared]}: line ${firstLineNumber} ${what}: ${inputText(JSON.stringify(firstLine.slice(0, 80)))}`,
        `${label}:${firstLineNumber}`,
        fixHint,
      );
    }
    return { format: declared, delimiter };
  }
  const byName = formatFromName(options.fileName ?? label);
  if (byName) {
    let delimiter = byName === 'jsonl' ? '' : DELIMITERS[byName];
    if (byName === 'csv') {
      // Only a delimiter seen outside quotes overrides the usual ','.
      const outside = sniffDelimiter(outsideQuotes(firstLine));
      delimiter = outside?.format === 'csv' ? outside.delimiter : ',';
    }
    if (fitsFormat(firstLine, byName, delimiter)) return { format: byName, delimiter };
    if (sniffed) {
      warnings.push(
        `the name says ${byName} but line ${firstLineNumber} looks ${FORMAT_NAMES[sniffed.format]}: read as ${sniffed.format}`,
      );
      return sniffed;
    }
  } else if (sniffed) {
    return sniffed;
  }
  throw new UserInputError(
    `cannot tell the format of ${label}: line ${firstLineNumber} has no delimiter (, tab :: ; |) and is not JSON: ${inputText(JSON.stringify(firstLine.slice(0, 80)))}`,
    `${label}:${firstLineNumber}`,
    `${fixHint}; or pass format and delimiter explicitly`,
  );
}
