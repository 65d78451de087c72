/**
 * Checks a purged file against its original with the build's own reader: the build must read the purged file as
 * the original minus the purged users' rows, row for row. Removing records can change how the rest of a file is
 * read (the first record of a headerless file decides its columns; of a JSON Lines file, whether it has ratings),
 * and can push a file over the rejection threshold; both are caught here, before anything is written.
 *
 * Safety properties (test/engine/purge-rows.test.ts, "verification"):
 * - Row for row: every accepted row of the original whose user is not purged is in the purged file's log, in the
 *   same order, with the same user, item, value and timestamp, and nothing else is.
 * - Same reading: the same format, delimiter, header decision and columns (the purge's own reading, so this holds
 *   even where the build cannot read the original), and the same implicit/explicit values.
 * - A purged file the build would refuse (no usable rows, too many rejected) is a problem, named.
 * - An original the build already refuses cannot be compared: said so (`compared: false`), never passed silently.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ingestToLog, type IngestSource } from './load-ratings.js';
import { purgeRows } from './purge-rows.js';
import type { InteractionLog } from '../data/index.js';
import type { IngestOptions, LogReport } from './types.js';
import { UserInputError } from '../types.js';

export type PurgeCheck =
  | { compared: true; rowsBefore: number; rowsAfter: number }
  /** The build cannot read the original as it is: nothing to compare with. */
  | { compared: false; reason: string }
  /** The build would read the purged file differently (or refuse it): it must not be written. */
  | { compared: true; problem: string };

export async function verifyPurge(
  original: () => Promise<IngestSource>,
  purged: () => Promise<IngestSource>,
  users: ReadonlySet<string>,
  options: IngestOptions & { fileName: string },
): Promise<PurgeCheck> {
  const layouts = await Promise.all(
    [original(), purged()].map(async (source) => layoutOf(await source, users, options)),
  );
  if (layouts[0] !== layouts[1]) {
    return {
      compared: true,
      problem: `its first record would change how the build reads the rest: ${layouts[0]} before, ${layouts[1]} after`,
    };
  }
  const read = { ...options, maxErrorLines: 1 };
  let before: { log: InteractionLog; report: LogReport };
  try {
    before = await ingestToLog(await original(), read);
  } catch (error) {
    if (error instanceof UserInputError) return { compared: false, reason: error.message };
    throw error;
  }
  let after: { log: InteractionLog; report: LogReport };
  try {
    after = await ingestToLog(await purged(), read);
  } catch (error) {
    if (error instanceof UserInputError)
      return { compared: true, problem: `the build would refuse it: ${error.message}` };
    throw error;
  }
  for (const field of ['format', 'header', 'implicit'] as const) {
    if (before.report[field] !== after.report[field]) {
      return {
        compared: true,
        problem: `the build would read it differently: ${field} ${String(before.report[field])} before, ${String(after.report[field])} after`,
      };
    }
  }
  const mismatch = compareLogs(before.log, after.log, users);
  if (mismatch) return { compared: true, problem: `the build would read it differently: ${mismatch}` };
  return { compared: true, rowsBefore: before.log.length, rowsAfter: after.log.length };
}

/** Where `after` differs from `before` without the users' rows; undefined when it does not. */
function compareLogs(before: InteractionLog, after: InteractionLog, users: ReadonlySet<string>): string | undefined {
  const a = before.columns();
  const b = after.columns();
  let j = 0;
  for (let i = 0; i < before.length; i++) {
    const user = before.users.idAt(a.user[i]);
    if (users.has(user)) continue;
    if (j >= after.length) return `row ${i + 1} of the original (user ${user}) is missing`;
    const item = before.items.idAt(a.item[i]);
    const time = a.timestamp ? a.timestamp[i] : NaN;
    const otherTime = b.timestamp ? b.timestamp[j] : NaN;
    const same =
      after.users.idAt(b.user[j]) === user &&
      after.items.idAt(b.item[j]) === item &&
      Object.is(a.value[i], b.value[j]) &&
      (time === otherTime || (Number.isNaN(time) && Number.isNaN(otherTime)));
    if (!same) {
      const got = `${after.users.idAt(b.user[j])}, ${after.items.idAt(b.item[j])}, ${b.value[j]}`;
      return `row ${i + 1} of the original (${user}, ${item}, ${a.value[i]}) is read as (${got})`;
    }
    j++;
  }
  // Every row of `after` up to j matched a kept row of `before`: so none is a purged user's.
  if (j < after.length) return `${after.length - j} row(s) that the original does not have`;
  return undefined;
}

/** How the purge reads a file (format, delimiter, header, columns), as text to compare. */
async function layoutOf(
  source: IngestSource,
  users: ReadonlySet<string>,
  options: IngestOptions & { fileName: string },
) {
  const input = typeof source === 'string' ? createReadStream(source) : (source as Readable);
  const { layout } = await purgeRows(input, { users, ingest: options, label: options.fileName, layoutOnly: true });
  return JSON.stringify(layout ?? null);
}
