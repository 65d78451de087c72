/**
 * `affinity purge-user --dataset d --user u [--user u2 …] [--users-file f] [--dry-run] [--keep-old-versions]`:
 * rewrites the dataset's source objects without the users' rows (./purge-run.ts), then deletes the old object
 * versions that still hold them (./purge-versions.ts), against the local stack or a deployed one (./target.ts).
 * Prints one line per file (rows removed, bytes before and after, what was done), the old versions deleted and a
 * summary; `--json` prints the report as JSON. Exit code 2 on any failure, with what was done when it stopped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelConfig } from '../engine/model-config.js';
import { ID_HASH_KEY_FILE } from '../local/id-hash-key-file.js';
import { idHashKeyOf } from './id-hash-key-flag.js';
import type { Command } from 'commander';
import { UserInputError } from '../engine/types.js';
import { action } from './errors.js';
import { PurgeStoppedError, purgeUsers, type FileOutcome, type PurgeReport } from './purge-run.js';
import { resolveTarget, s3ClientFor, withTarget, type TargetFlags } from './target.js';

export interface PurgeFlags extends TargetFlags {
  dataset: string;
  user: string[];
  usersFile?: string;
  dryRun?: boolean;
  keepOldVersions?: boolean;
  json?: boolean;
  idHashKeyFile?: string;
}

export function registerPurgeCommand(program: Command, dataDir: string): void {
  withTarget(program.command('purge-user'))
    .description(
      "rewrite the dataset's source objects in the bucket without a user's rows, and delete the old versions that hold them",
    )
    .requiredOption('--dataset <name>', 'dataset name')
    .option('--user <id>', 'a user id as it appears in the files (repeat for several)', collect, [])
    .option('--users-file <file>', 'a file of user ids, one per line')
    .option('--dry-run', 'read everything and say what would be done; write nothing')
    .option('--keep-old-versions', 'leave the old object versions alone (the bucket lifecycle expires them)')
    .option('--json', 'print the report as JSON')
    .option(
      '--id-hash-key-file <file>',
      "a pseudonymised dataset's id hashing key (default: $ID_HASH_KEY, or the local stack's <data dir>/id-hash-key)",
    )
    .action(action(async (flags: PurgeFlags) => purgeUserCommand(flags, dataDir)));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export async function purgeUserCommand(flags: PurgeFlags, dataDir: string): Promise<void> {
  if (flags.dataset.includes('/') || flags.dataset === '')
    throw new UserInputError(`dataset name '${flags.dataset}' must be non-empty and contain no '/'`, '--dataset');
  const users = new Set([...flags.user, ...(flags.usersFile ? readUsersFile(flags.usersFile) : [])]);
  if (users.size === 0)
    throw new UserInputError('no user to purge', '--user', 'pass --user <id> (repeatable) or --users-file <file>');
  const target = resolveTarget(flags, dataDir);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let report: PurgeReport;
  try {
    report = await purgeUsers(s3ClientFor(target), target.bucket, {
      dataset: flags.dataset,
      users,
      dryRun: flags.dryRun,
      keepOldVersions: flags.keepOldVersions,
      idHashKey: purgeKey(flags, target.local, dataDir),
      log: flags.json ? () => undefined : log,
    });
  } catch (error) {
    if (error instanceof PurgeStoppedError) print(error.report, flags.json);
    throw error;
  }
  print(report, flags.json);
  const unread = report.versions?.unread ?? [];
  if (unread.length > 0) {
    throw new UserInputError(
      `${unread.length} old version(s) could not be read, so they may still hold the users: ` +
        unread.map((v) => `${v.key} (version ${v.versionId}: ${v.error})`).join('; '),
      unread[0].key,
      'delete them by hand (aws s3api delete-object --bucket <bucket> --key <key> --version-id <id>) if they hold the users',
    );
  }
}

/** The key from the flag, else ID_HASH_KEY, else (the local stack) its data directory's key file; may be none. */
function purgeKey(flags: PurgeFlags, local: boolean, dataDir: string): Uint8Array | undefined {
  const localFile = join(dataDir, ID_HASH_KEY_FILE);
  const file =
    flags.idHashKeyFile ?? (!process.env.ID_HASH_KEY?.trim() && local && existsSync(localFile) ? localFile : undefined);
  return idHashKeyOf({ pseudonymizeUsers: true } as ModelConfig, { idHashKeyFile: file });
}

function readUsersFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserInputError(`cannot read ${file}: ${(error as Error).message}`, '--users-file');
  }
  // One id a line, exactly as written (ids may hold spaces); a trailing CR and empty lines are not ids.
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line !== '');
}

const ACTION_TEXT: Record<FileOutcome['action'], string> = {
  rewrite: 'rewritten',
  delete: 'deleted (no record left)',
  reorder: 'written again, same bytes (upload order)',
  unchanged: 'unchanged (no row of the users)',
};

function print(report: PurgeReport, json: boolean | undefined): void {
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const lines: string[] = [];
  const title = `Purge of ${report.users.length} user(s) from dataset "${report.dataset}" (s3://${report.bucket})`;
  lines.push(report.dryRun ? `${title}: DRY RUN, nothing written` : title);
  for (const file of report.files) {
    const removed = file.removed + file.removedUnreadable;
    const what = report.dryRun || file.done ? ACTION_TEXT[file.action] : `${ACTION_TEXT[file.action]}: NOT DONE`;
    const unreadable = file.removedUnreadable > 0 ? ` (${file.removedUnreadable} unreadable)` : '';
    const old = report.versions?.deleted.filter((v) => v.key === file.key).length ?? 0;
    const versions = old > 0 ? `, ${old} old version(s) ${report.dryRun ? 'to delete' : 'deleted'}` : '';
    lines.push(
      `  ${file.key}: ${removed} row(s) removed${unreadable}, ${group(file.bytesBefore)} → ${group(file.bytesAfter)} bytes, ${what}${versions}` +
        (file.note ? ` — ${file.note}` : ''),
    );
  }
  lines.push(...summary(report));
  console.log(lines.join('\n'));
}

function summary(report: PurgeReport): string[] {
  const files = report.files;
  const by = (action: FileOutcome['action']) => files.filter((f) => f.action === action).length;
  const rows = files.reduce((sum, f) => sum + f.removed, 0);
  const unreadable = files.reduce((sum, f) => sum + f.removedUnreadable, 0);
  const perUser = new Map(report.users.map((user) => [user, 0]));
  for (const file of files)
    for (const [user, n] of Object.entries(file.removedByUser)) perUser.set(user, n + (perUser.get(user) ?? 0));
  const none = [...perUser].filter(([, n]) => n === 0).map(([user]) => user);
  const verb = report.dryRun ? 'would be' : 'were';
  const lines = [
    `Summary: ${rows} row(s) ${verb} removed from ${by('rewrite') + by('delete')} of ${files.length} file(s): ` +
      `${by('rewrite')} rewritten, ${by('delete')} deleted, ${by('reorder')} written again only to keep the upload order` +
      (unreadable > 0 ? `; plus ${unreadable} record(s) the build cannot read that mention the users` : '') +
      '.',
  ];
  if (none.length > 0) lines.push(`No row of: ${none.join(', ')} (check the ids: they are compared exactly).`);
  const versions = report.versions;
  if (!versions) lines.push('Old versions: left alone (--keep-old-versions); the bucket lifecycle rule expires them.');
  else if (versions.versioning !== 'enabled' && versions.versioning !== 'suspended')
    lines.push(`Old versions: none kept (bucket versioning: ${versions.versioning}).`);
  else {
    const list = versions.deleted.map((v) => `${v.key} version ${v.versionId} (${v.removed} row(s))`).join(', ');
    lines.push(
      `Old versions: ${versions.deleted.length} ${report.dryRun ? 'would be deleted' : 'deleted'}${list ? `: ${list}` : ''}; ` +
        `${versions.kept} kept (no row of the users)` +
        (report.dryRun
          ? '; the current versions of the files rewritten or deleted become old versions, and go too'
          : '') +
        '.',
    );
    if (versions.unread.length > 0)
      lines.push(`Old versions NOT read: ${versions.unread.length} (see the error below).`);
  }
  if (!report.dryRun && report.buildTriggers > 0)
    lines.push(
      `Builds: ${report.buildTriggers} write(s) under uploads/ start builds of "${report.dataset}" (they coalesce); ` +
        'the next version is built without the users.',
    );
  lines.push(
    'Elsewhere: kept model versions in DynamoDB hold the users until an erasure (DELETE …/users/{id}); see README ' +
      '"Purging a user from the raw uploads" for how long backups keep copies.',
  );
  return lines;
}

function group(n: number): string {
  return n.toLocaleString('en-US');
}
