/**
 * File-system errors on a path the user gave (a ratings file to read; an export or a synthetic data set to write),
 * reworded as a UserInputError that says what went wrong and how to fix it. Every engine feature that touches
 * files words them the same way through these two functions.
 *
 * Safety: an error without a file-system `E…` code (a bug, or a UserInputError already made) is returned
 * unchanged, so a bug is never disguised as a user mistake.
 */
import { UserInputError } from '../types.js';

function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** An error met while opening or reading `label` (the path, or the name a caller gave its stream). */
export function readFileError(error: unknown, label: string): unknown {
  const code = errorCode(error);
  if (code === 'ENOENT') {
    return new UserInputError(
      `file not found: ${label}`,
      label,
      'check the path (relative paths start at the current directory)',
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserInputError(`cannot read ${label}: permission denied`, label, 'make the file readable by this user');
  }
  if (code === 'EISDIR') return directoryError(label);
  if (code?.startsWith('E')) {
    return new UserInputError(
      `cannot read ${label}: ${(error as Error).message}`,
      label,
      'check that the file exists and is readable',
    );
  }
  return error;
}

/** A path to read that names a directory (found by stat before opening, or as EISDIR). */
export function directoryError(label: string): UserInputError {
  return new UserInputError(`${label} is a directory, not a file`, label, 'give the path of a file');
}

/** An error met while creating or writing the file at `path`. */
export function writeFileError(error: unknown, path: string): unknown {
  const code = errorCode(error);
  if (code === 'ENOENT') {
    return new UserInputError(
      `cannot write ${path}: its folder does not exist`,
      path,
      'create the folder first or choose another path',
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserInputError(`cannot write ${path}: permission denied`, path, 'choose a path you can write to');
  }
  if (code === 'EISDIR') {
    return new UserInputError(`cannot write ${path}: it is a folder`, path, 'give a file name, e.g. out.csv');
  }
  return error;
}
