/**
 * Deciding how to read a file from its name, the options and its first line: format, delimiter, header,
 * and which column holds the user, item, rating and timestamp.
 */
import { UserInputError } from '../types.js';
import type { ColumnRef, IngestFormat, IngestOptions } from './types.js';
import { isNumeric, parseTimestamp } from './values.js';

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

/** Header names recognised for each role, compared lower-case without punctuation ("user_id" = "userid"). */
const ALIASES = {
  user: [
    'user',
    'userid',
    'uid',
    'users',
    'customer',
    'customerid',
    'member',
    'memberid',
    'account',
    'accountid',
    'viewer',
    'viewerid',
    'visitor',
    'visitorid',
    'subscriber',
    'subscriberid',
    'profile',
    'profileid',
    'reviewer',
    'reviewerid',
  ],
  item: [
    'item',
    'itemid',
    'iid',
    'items',
    'movie',
    'movieid',
    'product',
    'productid',
    'content',
    'contentid',
    'asset',
    'assetid',
    'video',
    'videoid',
    'title',
    'titleid',
    'show',
    'showid',
    'track',
    'trackid',
    'song',
    'songid',
    'article',
    'articleid',
    'sku',
    'episode',
    'episodeid',
    'program',
    'programid',
    'book',
    'bookid',
    'isbn',
    'asin',
  ],
  rating: ['rating', 'ratings', 'score', 'value', 'stars', 'weight', 'preference', 'rate', 'grade', 'overall'],
  timestamp: [
    'timestamp',
    'time',
    'ts',
    'date',
    'datetime',
    'when',
    'createdat',
    'ratedat',
    'watchedat',
    'epoch',
    'unixtime',
    'unixreviewtime',
    'eventtime',
  ],
} as const;

type Role = keyof typeof ALIASES;

function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function aliasIndex(names: readonly string[], role: Role): number {
  const aliases: readonly string[] = ALIASES[role];
  return names.findIndex((name) => aliases.includes(normalise(name)));
}

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
        `${label} does not look like ${FORMAT_NAMES[declared]}: line ${firstLineNumber} ${what}: ${JSON.stringify(firstLine.slice(0, 80))}`,
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
    `cannot tell the format of ${label}: line ${firstLineNumber} has no delimiter (, tab :: ; |) and is not JSON: ${JSON.stringify(firstLine.slice(0, 80))}`,
    `${label}:${firstLineNumber}`,
    `${fixHint}; or pass format and delimiter explicitly`,
  );
}

/** Positions of each role in a delimited record; -1 = absent. */
export interface DelimitedColumns {
  user: number;
  item: number;
  rating: number;
  timestamp: number;
  implicit: boolean;
}

function ratingWanted(options: IngestOptions): boolean {
  return !options.implicit && options.columns?.rating !== null;
}

/** Whether the first line of a delimited file is a header. */
export function detectHeader(options: IngestOptions, fields: readonly string[]): boolean {
  const header = options.header ?? 'auto';
  if (header !== 'auto') return header;
  const columns = options.columns ?? {};
  if (Object.values(columns).some((ref) => typeof ref === 'string')) return true;
  const userAt = typeof columns.user === 'number' ? columns.user : 0;
  const itemAt = typeof columns.item === 'number' ? columns.item : 1;
  if (aliasIndex([fields[userAt] ?? ''], 'user') === 0 && aliasIndex([fields[itemAt] ?? ''], 'item') === 0) return true;
  const ratingAt = typeof columns.rating === 'number' ? columns.rating : 2;
  if (ratingWanted(options) && fields[ratingAt] !== undefined && !isNumeric(fields[ratingAt])) return true;
  const timeAt = typeof columns.timestamp === 'number' ? columns.timestamp : 3;
  if (columns.timestamp !== null && fields[timeAt] !== undefined && !parseTimestamp(fields[timeAt]).ok) return true;
  return false;
}

/**
 * Resolve columns for a delimited file. `names` is the header (undefined without one); `fieldCount` is the
 * number of fields on the first line. Unknown names and impossible positions are fatal.
 */
export function resolveDelimitedColumns(
  options: IngestOptions,
  names: readonly string[] | undefined,
  fieldCount: number,
  label: string,
  warnings: string[],
): DelimitedColumns {
  const columns = options.columns ?? {};
  const lookup = (role: Role, ref: ColumnRef): number => {
    if (typeof ref === 'number') {
      if (!Number.isInteger(ref) || ref < 0) {
        throw new UserInputError(
          `columns.${role} = ${ref} is not a valid position`,
          `columns.${role}`,
          'positions are 0-based integers',
        );
      }
      if (ref >= fieldCount) {
        throw new UserInputError(
          `columns.${role} = ${ref} is past the end of the first line of ${label}, which has ${fieldCount} fields (positions 0-${fieldCount - 1})`,
          `columns.${role}`,
          'positions are 0-based: the first column is 0',
        );
      }
      return ref;
    }
    if (names === undefined) {
      throw new UserInputError(
        `columns.${role} = '${ref}' names a column, but ${label} is read without a header`,
        `columns.${role}`,
        'set header: true (or auto) when the first line has column names, or give a 0-based position',
      );
    }
    let index = names.indexOf(ref);
    if (index < 0) index = names.findIndex((name) => name.toLowerCase() === ref.toLowerCase());
    if (index < 0) {
      throw new UserInputError(
        `unknown column '${ref}' for columns.${role}: the header of ${label} has ${names.map((n) => `'${n}'`).join(', ')}`,
        `columns.${role}`,
        'use one of the header names above (or a 0-based position)',
      );
    }
    return index;
  };

  const recognised =
    names !== undefined &&
    (['user', 'item', 'rating', 'timestamp'] as Role[]).some((role) => aliasIndex(names, role) >= 0);
  const byDefault = (role: Role, position: number): number => {
    if (names !== undefined && recognised) {
      const index = aliasIndex(names, role);
      if (index >= 0 || role === 'rating' || role === 'timestamp') return index;
      warnings.push(
        `no ${role} column recognised in the header (${names.join(', ')}): using column ${position} '${names[position]}'`,
      );
    } else if (names !== undefined && role === 'user') {
      warnings.push(
        `header names not recognised (${names.join(', ')}): columns read by position (user, item, rating, timestamp)`,
      );
    }
    return position < fieldCount ? position : -1;
  };

  const user = columns.user !== undefined ? lookup('user', columns.user) : byDefault('user', 0);
  const item = columns.item !== undefined ? lookup('item', columns.item) : byDefault('item', 1);
  let rating = -1;
  if (ratingWanted(options))
    rating = columns.rating != null ? lookup('rating', columns.rating) : byDefault('rating', 2);
  const timestamp =
    columns.timestamp === null
      ? -1
      : columns.timestamp !== undefined
        ? lookup('timestamp', columns.timestamp)
        : byDefault('timestamp', 3);

  if (user < 0 || item < 0) {
    throw new UserInputError(
      `${label} needs at least two columns (user and item); line 1 has ${fieldCount}`,
      label,
      'write one interaction per line: user, item[, rating[, timestamp]]',
    );
  }
  const used = [user, item, rating, timestamp].filter((p) => p >= 0);
  if (new Set(used).size !== used.length) {
    throw new UserInputError(
      `two roles read the same column (user ${user}, item ${item}, rating ${rating}, timestamp ${timestamp})`,
      'columns',
      'give each of user, item, rating and timestamp its own column',
    );
  }
  const implicit = rating < 0;
  if (implicit && ratingWanted(options)) {
    warnings.push('no rating column: every interaction counts as 1 (implicit feedback)');
  }
  return { user, item, rating, timestamp, implicit };
}

/** Keys (objects) or positions (arrays) of each role in a JSON Lines record; undefined = absent. */
export interface JsonColumns {
  user: string | number;
  item: string | number;
  rating: string | number | undefined;
  timestamp: string | number | undefined;
  implicit: boolean;
}

/** Resolve columns for JSON Lines from the first record (its keys play the role of a header). */
export function resolveJsonColumns(
  options: IngestOptions,
  first: unknown,
  label: string,
  warnings: string[],
): JsonColumns {
  const columns = options.columns ?? {};
  if (Array.isArray(first)) {
    const positional = resolveDelimitedColumns({ ...options, header: false }, undefined, first.length, label, warnings);
    const pos = (p: number) => (p >= 0 ? p : undefined);
    return {
      user: positional.user,
      item: positional.item,
      rating: pos(positional.rating),
      timestamp: pos(positional.timestamp),
      implicit: positional.implicit,
    };
  }
  const keys = Object.keys(first as object);
  const list = keys.map((k) => `'${k}'`).join(', ') || '(none)';
  const lookup = (role: Role, ref: ColumnRef): string => {
    if (typeof ref === 'number') {
      throw new UserInputError(
        `columns.${role} = ${ref} is a position, but the records of ${label} are JSON objects`,
        `columns.${role}`,
        `name the field instead; the first record has ${list}`,
      );
    }
    if (!keys.includes(ref)) {
      throw new UserInputError(
        `unknown field '${ref}' for columns.${role}: the first record of ${label} has ${list}`,
        `columns.${role}`,
        'use one of the field names above',
      );
    }
    return ref;
  };
  const byDefault = (role: Role): string | undefined => {
    const index = aliasIndex(keys, role);
    return index >= 0 ? keys[index] : undefined;
  };
  const required = (role: 'user' | 'item'): string => {
    const ref = columns[role];
    if (ref !== undefined) return lookup(role, ref);
    const key = byDefault(role);
    if (key === undefined) {
      throw new UserInputError(
        `the first record of ${label} has no ${role} field (it has ${list})`,
        `${label}:1`,
        `name it "${role}", or set columns.${role} to the field holding the ${role} id`,
      );
    }
    return key;
  };
  const user = required('user');
  const item = required('item');
  let rating: string | undefined;
  if (ratingWanted(options)) {
    rating = columns.rating != null ? lookup('rating', columns.rating) : byDefault('rating');
    if (rating === undefined)
      warnings.push('no rating field in the first record: every interaction counts as 1 (implicit feedback)');
  }
  const timestamp =
    columns.timestamp === null
      ? undefined
      : columns.timestamp !== undefined
        ? lookup('timestamp', columns.timestamp)
        : (byDefault('timestamp') ?? 'timestamp');
  return { user, item, rating, timestamp, implicit: rating === undefined };
}
