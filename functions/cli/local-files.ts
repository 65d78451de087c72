/**
 * Files named on the command line (a file to upload, --config, --stack-outputs), opened so that their errors
 * read like the engine's, through the same functions (engine/shared/file-errors.ts): "file not found: <path>",
 * "cannot read <path>: permission denied", "<path> is a directory, not a file". Every such error names the
 * path as its `where`.
 */
import { accessSync, constants, readFileSync, statSync, type Stats } from 'node:fs';
import { directoryError, readFileError } from '../engine/shared/index.js';
import { UserInputError } from '../engine/types.js';

/** The size of a file about to be streamed, checked readable first so that a bad path fails before any upload. */
export function readableFileSize(path: string): number {
  let stats: Stats;
  try {
    stats = statSync(path);
    if (!stats.isDirectory()) accessSync(path, constants.R_OK);
  } catch (error) {
    throw readFileError(error, path);
  }
  if (stats.isDirectory()) throw directoryError(path);
  return stats.size;
}

/** The parsed content of a JSON file; `hint` says what the file should hold, for when it is not valid JSON. */
export function readJsonFile(path: string, hint: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw readFileError(error, path);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserInputError(`${path} is not valid JSON: ${(error as Error).message}`, path, hint);
  }
}
