/**
 * Which column (delimited) or key (JSON Lines) holds the user, item, rating and timestamp, and whether a delimited
 * file's first line is a header: from the options' columns where given, else from recognised header names, else by
 * position (user, item, rating, timestamp). Unknown names and impossible positions are fatal.
 *
 * The event type column is resolved only for typed events (`options.events`): `columns.type`, else a recognised
 * header name (type, event, action...); a typed file without one is fatal, as is a file without a timestamp
 * column when time decay needs timestamps (`halfLifeDays`).
 */
import { UserInputError } from '../types.js';
import { aliasIndex, type Role } from './column-aliases.js';
import type { ColumnRef, IngestOptions } from './types.js';
import { isNumeric, parseTimestamp } from './values.js';
import { inputText } from './withheld-text.js';

/** Positions of each role in a delimited record; -1 = absent. */
export interface DelimitedColumns {
  user: number;
  item: number;
  rating: number;
  timestamp: number;
  /** The event type's position (typed events only); -1 = not read. */
  type: number;
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
        `unknown column '${ref}' for columns.${role}: the header of ${label} has ${names.map((n) => `'${inputText(n)}'`).join(', ')}`,
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
        `no ${role} column recognised in the header (${names.map(inputText).join(', ')}): using column ${position} '${inputText(names[position])}'`,
      );
    } else if (names !== undefined && role === 'user') {
      warnings.push(
        `header names not recognised (${names.map(inputText).join(', ')}): columns read by position (user, item, rating, timestamp)`,
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

  const type = options.events === undefined ? -1 : typeColumn(options, names, label, (ref) => lookup('type', ref));
  if (options.halfLifeDays !== undefined && timestamp < 0) throw noTimestampColumn(label);

  if (user < 0 || item < 0) {
    throw new UserInputError(
      `${label} needs at least two columns (user and item); line 1 has ${fieldCount}`,
      label,
      'write one interaction per line: user, item[, rating[, timestamp]]',
    );
  }
  const used = [user, item, rating, timestamp, type].filter((p) => p >= 0);
  if (new Set(used).size !== used.length) {
    const typePart = type >= 0 ? `, type ${type}` : '';
    throw new UserInputError(
      `two roles read the same column (user ${user}, item ${item}, rating ${rating}, timestamp ${timestamp}${typePart})`,
      'columns',
      'give each of user, item, rating, timestamp and type its own column',
    );
  }
  const implicit = rating < 0;
  if (implicit && ratingWanted(options)) {
    warnings.push(
      options.events
        ? "no rating column: each event's value is its type's weight"
        : 'no rating column: every interaction counts as 1 (implicit feedback)',
    );
  }
  return { user, item, rating, timestamp, type, implicit };
}

/** Where a typed file's event type is: `columns.type`, else a recognised header name; fatal when neither. */
function typeColumn<T>(
  options: IngestOptions,
  names: readonly string[] | undefined,
  label: string,
  lookup: (ref: ColumnRef) => T,
): T | number {
  if (options.columns?.type !== undefined) return lookup(options.columns.type);
  const index = names === undefined ? -1 : aliasIndex(names, 'type');
  if (index >= 0) return index;
  throw new UserInputError(
    `eventWeights is set, but ${label} has no event type column${names ? ` (its header has ${names.map((n) => `'${inputText(n)}'`).join(', ')})` : ' (it has no header)'}`,
    'input.columns.type',
    'name the column "type" (or event, action), or set input.columns.type to its name or 0-based position',
  );
}

function noTimestampColumn(label: string): UserInputError {
  return new UserInputError(
    `halfLifeDays (time decay) is set, but ${label} has no timestamp column`,
    'halfLifeDays',
    'add a timestamp to every row (epoch seconds or ISO-8601), or remove halfLifeDays',
  );
}

/** `columns.type` names a column that nothing reads unless the rows are typed events. */
export function checkTypeColumnUse(options: IngestOptions): void {
  if (options.columns?.type === undefined || options.events !== undefined) return;
  throw new UserInputError(
    'columns.type is set, but event types are read only with eventWeights',
    'input.columns.type',
    'add eventWeights to the config (it may be {}), or remove columns.type',
  );
}

/** Keys (objects) or positions (arrays) of each role in a JSON Lines record; undefined = absent. */
export interface JsonColumns {
  user: string | number;
  item: string | number;
  rating: string | number | undefined;
  timestamp: string | number | undefined;
  type: string | number | undefined;
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
      type: pos(positional.type),
      implicit: positional.implicit,
    };
  }
  const keys = Object.keys(first as object);
  const list = keys.map((k) => `'${inputText(k)}'`).join(', ') || '(none)';
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
      warnings.push(
        options.events
          ? "no rating field in the first record: each event's value is its type's weight"
          : 'no rating field in the first record: every interaction counts as 1 (implicit feedback)',
      );
  }
  const timestamp =
    columns.timestamp === null
      ? undefined
      : columns.timestamp !== undefined
        ? lookup('timestamp', columns.timestamp)
        : (byDefault('timestamp') ?? 'timestamp');
  if (options.halfLifeDays !== undefined && timestamp === undefined) throw noTimestampColumn(label);
  const type =
    options.events === undefined
      ? undefined
      : (typeColumn(options, keys, label, (ref) => lookup('type', ref)) as string | number);
  if (typeof type === 'number') {
    // typeColumn found a recognised key's position among the keys: records are read by key.
    return { user, item, rating, timestamp, type: keys[type], implicit: rating === undefined };
  }
  return { user, item, rating, timestamp, type, implicit: rating === undefined };
}
