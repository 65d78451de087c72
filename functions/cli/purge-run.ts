/**
 * `affinity purge-user`, against a bucket: read every source of the dataset, plan, write, then delete the old
 * versions that still hold the users.
 *
 * Safety properties (test/cli/purge-user.test.ts against the local s3rver, purge-faults.test.ts with a client mock):
 * - Nothing written for a predictable failure: every file is read and checked (the build's reader must read the
 *   purged file as the original minus the users: purge-verify.ts) before the first write; a file that would fail
 *   stops the purge with every such file named.
 * - Conditional, bounded retries: a file that changed since it was read is read again and purged again, up to
 *   {@link MAX_ATTEMPTS} times, then the purge stops naming it (and what it had done: `PurgeStoppedError`).
 * - Upload order kept (purge-sources.ts): files are written in upload order, and each must list after the one
 *   before it (LastModified, then key; S3 times have one-second steps, so a write may wait for the next second and
 *   be written again).
 * - Precise when it stops: the report lists each file with `done`; every write is one atomic PutObject/DeleteObject.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { ObjectChangedError, ObjectMissingError } from '../adapters/s3-objects.js';
import { readOptionsOf } from '../engine/pipeline.js';
import { UserInputError } from '../engine/types.js';
import { loadConfig } from '../model-build/load-config.js';
import { liveEventFileOptions } from '../model-build/live-fold.js';
import type { ModelConfig } from '../engine/model-config.js';
import { storedUserIdOf } from '../engine/privacy/index.js';
import type { PurgeCheck } from '../engine/ingest/index.js';
import {
  currentETag,
  deleteConditional,
  discard,
  holdsUsers,
  isConditionFailure,
  keepsRecords,
  listedTime,
  prepareFile,
  putConditional,
  type PreparedFile,
  type PurgeContext,
} from './purge-objects.js';
import {
  listSources,
  liveEventsPrefix,
  planActions,
  type PurgeAction,
  type SourceKind,
  type SourceObject,
} from './purge-sources.js';
import { sweepVersions, type VersionSweep } from './purge-versions.js';

/** Reads (and conditional writes) of one file before the purge gives up on it. */
export const MAX_ATTEMPTS = 3;

export interface PurgeOptions {
  dataset: string;
  users: ReadonlySet<string>;
  dryRun?: boolean;
  keepOldVersions?: boolean;
  /** The id hashing key: needed for a pseudonymised dataset (its event files hold pseudonyms). */
  idHashKey?: Uint8Array;
  /** A progress line (stderr). */
  log?: (line: string) => void;
  /** Waiting for S3's clock to pass a second (tests may shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

export interface FileOutcome {
  key: string;
  kind: SourceKind;
  action: PurgeAction;
  removed: number;
  removedUnreadable: number;
  removedByUser: Record<string, number>;
  removedLines: number[];
  /** Stored bytes before and after (0 after a delete). */
  bytesBefore: number;
  bytesAfter: number;
  /** Written (false in a dry run, or when the purge stopped before it). */
  done: boolean;
  /** What to know about it: e.g. that the build cannot read the original, so the check could not compare. */
  note?: string;
}

export interface PurgeReport {
  dataset: string;
  bucket: string;
  users: string[];
  dryRun: boolean;
  files: FileOutcome[];
  versions?: VersionSweep;
  /** Writes under uploads/: each one starts a build of the dataset (they coalesce). */
  buildTriggers: number;
}

/** The purge stopped part-way: `report` says which files were done. */
export class PurgeStoppedError extends UserInputError {
  constructor(
    message: string,
    where: string,
    hint: string,
    readonly report: PurgeReport,
  ) {
    super(message, where, hint);
  }
}

/**
 * The ids to remove: those given and, for a pseudonymised dataset, their stored pseudonyms (the folded live-event
 * files hold those; the uploads hold the raw ids). Without the key such a purge would miss the event files: refused.
 */
function withStoredIds(users: ReadonlySet<string>, config: ModelConfig, key: Uint8Array | undefined): Set<string> {
  if (!config.pseudonymizeUsers) return new Set(users);
  if (key === undefined) {
    throw new UserInputError(
      'the dataset is pseudonymised (pseudonymizeUsers): its folded live events hold pseudonyms, which the purge needs the id hashing key to find',
      '--id-hash-key-file',
      "pass --id-hash-key-file <file> (the local stack's is <data dir>/id-hash-key; a deployed stack's is the secret IdHashKeySecretArn) or set ID_HASH_KEY",
    );
  }
  return new Set([...users].flatMap((user) => [user, storedUserIdOf(key, user)]));
}

export async function purgeUsers(s3: S3Client, bucket: string, options: PurgeOptions): Promise<PurgeReport> {
  const { dataset, users } = options;
  const log = options.log ?? (() => undefined);
  const config = await loadConfig(s3, bucket, dataset);
  const sources = await listSources(s3, bucket, dataset);
  if (sources.length === 0) {
    throw new UserInputError(
      `the dataset "${dataset}" has no interaction files (under uploads/${dataset}/ or events/${dataset}/)`,
      '--dataset',
      'check the dataset name (affinity status --dataset <name>)',
    );
  }
  const tempDir = await mkdtemp(join(tmpdir(), 'affinity-purge-'));
  const read = readOptionsOf(config);
  const ctx: PurgeContext = {
    s3,
    bucket,
    users: withStoredIds(users, config, options.idHashKey),
    read,
    readEvents: { ...read, ...liveEventFileOptions(config) },
    eventsPrefix: liveEventsPrefix(dataset),
    tempDir,
  };
  const report: PurgeReport = {
    dataset,
    bucket,
    users: [...users],
    dryRun: !!options.dryRun,
    files: [],
    buildTriggers: 0,
  };
  try {
    const { outcomes, objects, checks } = await plan(ctx, sources, log);
    report.files = outcomes;
    if (!options.dryRun) await write(ctx, objects, checks, report, options, log);
    if (!options.keepOldVersions) {
      log(options.dryRun ? 'reading the old versions…' : 'deleting the old versions that hold the users…');
      report.versions = await sweepVersions(ctx, dataset, !!options.dryRun);
    }
    return report;
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

/** Reads every file as listed; fails, before anything is written, when a purged file would not read as it should. */
async function plan(
  ctx: PurgeContext,
  sources: SourceObject[],
  log: (line: string) => void,
): Promise<{ outcomes: FileOutcome[]; objects: SourceObject[]; checks: Checks }> {
  const outcomes: FileOutcome[] = [];
  const objects: SourceObject[] = [];
  const facts: { holdsUsers: boolean; keepsRecords: boolean }[] = [];
  const problems: string[] = [];
  const checks: Checks = new Map();
  for (const [index, listed] of sources.entries()) {
    log(`reading ${index + 1}/${sources.length}: ${listed.key}`);
    const file = await readWithRetries(ctx, listed);
    if (file === undefined) continue; // deleted since the listing: nothing to purge
    try {
      const problem = file.check && 'problem' in file.check ? file.check.problem : undefined;
      if (problem) problems.push(`${file.object.key}: ${problem}`);
      objects.push(file.object);
      outcomes.push(outcomeOf(file));
      checks.set(file.object.key, { eTag: file.object.eTag, check: file.check });
      facts.push({ holdsUsers: holdsUsers(file.result), keepsRecords: keepsRecords(file.result) });
    } finally {
      await discard(file);
    }
  }
  if (problems.length > 0) {
    throw new UserInputError(
      `nothing was written: removing the users' rows would break ${problems.length} file(s) for the build:\n  ${problems.join('\n  ')}`,
      problems.map((p) => p.split(': ')[0]).join(', '),
      'fix those files first (e.g. add a header line, or put a complete record first), upload them, and run the purge again',
    );
  }
  planActions(facts).forEach((action, k) => (outcomes[k].action = action));
  return { outcomes, objects, checks };
}

/** A file's outcome as read (its action is planned once every file is read). */
function outcomeOf(file: PreparedFile): FileOutcome {
  const outcome = { key: file.object.key, kind: file.object.kind, action: 'unchanged', done: false } as FileOutcome;
  return counted(outcome, file);
}

/** The counts of the file as read (again, when it changed between the plan and the write). */
function counted(outcome: FileOutcome, file: PreparedFile): FileOutcome {
  const { result, check } = file;
  const holds = holdsUsers(result);
  outcome.removed = result.removed;
  outcome.removedUnreadable = result.removedUnreadable;
  outcome.removedByUser = result.removedByUser;
  outcome.removedLines = result.removedLines;
  outcome.bytesBefore = file.bytesBefore;
  outcome.bytesAfter = !holds ? file.bytesBefore : keepsRecords(result) ? file.bytesAfter : 0;
  if (check && !check.compared) outcome.note = `the build cannot read the original as it is (${check.reason})`;
  return outcome;
}

/** The file read as it is now (re-reading after a change, up to MAX_ATTEMPTS); undefined once it is deleted. */
async function readWithRetries(
  ctx: PurgeContext,
  listed: SourceObject,
  checked?: Checked,
): Promise<PreparedFile | undefined> {
  let object = listed;
  for (let attempt = 1; ; attempt++) {
    try {
      return await prepareFile(ctx, object, checked);
    } catch (error) {
      if (!(error instanceof ObjectChangedError || error instanceof ObjectMissingError)) throw error;
      const eTag = await currentETag(ctx, object.key);
      if (eTag === undefined) return undefined;
      if (attempt >= MAX_ATTEMPTS) throw changing(object.key, error.message);
      object = { ...object, eTag };
    }
  }
}

function changing(key: string, detail: string): Error {
  return new Error(`${key} kept changing while it was read (${MAX_ATTEMPTS} reads): ${detail}`);
}

/** The plan's check of a file, with the ETag it was made on; by key. */
type Checked = { eTag: string; check: PurgeCheck | undefined };
type Checks = Map<string, Checked>;

/** Where the last file in upload order lists: the next written file must list after it. */
interface Placed {
  key: string;
  time: Date;
  /** When this purge wrote it (local clock), if it did. */
  writtenAt?: number;
}

/** Writes the planned files in upload order; a failure part-way is a PurgeStoppedError with the report so far. */
async function write(
  ctx: PurgeContext,
  objects: SourceObject[],
  checks: Checks,
  report: PurgeReport,
  options: PurgeOptions,
  log: (line: string) => void,
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let previous: Placed | undefined;
  for (const [index, outcome] of report.files.entries()) {
    const object = objects[index];
    if (outcome.action === 'unchanged') {
      previous = { key: object.key, time: object.lastModified };
      continue;
    }
    try {
      const placed = await writeOne(ctx, object, outcome, { previous, checked: checks.get(object.key), sleep, log });
      if (placed) previous = placed;
      // A put or delete under uploads/ is an S3 event: a build of the dataset (folded live events build nothing).
      if (outcome.done && object.kind !== 'live-events') report.buildTriggers++;
    } catch (error) {
      const done = report.files.filter((f) => f.done).map((f) => f.key);
      const left = report.files.filter((f) => !f.done && f.action !== 'unchanged').map((f) => f.key);
      const why = error instanceof Error ? error.message : String(error);
      throw new PurgeStoppedError(
        `the purge stopped at ${object.key}: ${why}\n  done (${done.length}): ${done.join(', ') || 'none'}` +
          `\n  not done (${left.length}): ${left.join(', ')}`,
        object.key,
        'run the same command again: files already purged hold no row of the users and are only re-put for the order',
        report,
      );
    }
    log(`${outcome.action === 'reorder' ? 'written again (order)' : outcome.action}: ${object.key}`);
  }
}

/** One planned write, conditional on the object read; read again (MAX_ATTEMPTS) when it changed meanwhile. */
async function writeOne(
  ctx: PurgeContext,
  listed: SourceObject,
  outcome: FileOutcome,
  how: {
    previous: Placed | undefined;
    checked: Checked | undefined;
    sleep: (ms: number) => Promise<void>;
    log: (line: string) => void;
  },
): Promise<Placed | undefined> {
  const { previous, sleep, log } = how;
  let object = listed;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const file = await readWithRetries(ctx, object, how.checked);
    if (file === undefined) {
      outcome.note = 'deleted by someone else during the purge: nothing left to purge';
      return undefined;
    }
    try {
      counted(outcome, file);
      const holds = holdsUsers(file.result);
      const action: PurgeAction = holds ? (keepsRecords(file.result) ? 'rewrite' : 'delete') : 'reorder';
      const problem = file.check && 'problem' in file.check ? file.check.problem : undefined;
      if (action === 'rewrite' && problem) throw new UserInputError(`${object.key} changed since the plan: ${problem}`);
      outcome.action = action;
      if (action === 'delete') {
        await deleteConditional(ctx, file);
        outcome.done = true;
        return undefined;
      }
      await waitForOrder(previous, object.key, sleep);
      const bytes = action === 'rewrite' ? 'purged' : 'as-read';
      let written = await putConditional(ctx, file, bytes);
      for (let placing = 1; ; placing++) {
        const time = await listedTime(ctx, object.key);
        if (time === undefined) throw new Error(`${object.key} is not listed right after it was written`);
        if (!previous || sortsAfter(time, object.key, previous)) {
          outcome.done = true;
          return { key: object.key, time, writtenAt: Date.now() };
        }
        if (placing >= MAX_ATTEMPTS)
          throw new Error(`${object.key} could not be written to list after ${previous.key} (upload order)`);
        log(`${object.key} lists at the same second as ${previous.key}: writing it again after a second`);
        await sleep(1100);
        written = await putConditional(ctx, { ...file, object: { ...file.object, eTag: written.eTag } }, bytes);
      }
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const eTag = await currentETag(ctx, object.key);
      if (eTag === undefined) {
        outcome.note = 'deleted by someone else during the purge: nothing left to purge';
        return undefined;
      }
      log(`${object.key} changed since it was read: reading it again`);
      object = { ...object, eTag };
    } finally {
      await discard(file);
    }
  }
  throw changing(object.key, 'every conditional write was refused (412/409)');
}

function sortsAfter(time: Date, key: string, previous: Placed): boolean {
  const t = time.getTime();
  const p = previous.time.getTime();
  return t > p || (t === p && key > previous.key);
}

/** S3 lists times in whole seconds: a key that sorts before the previous one must land in a later second. */
async function waitForOrder(previous: Placed | undefined, key: string, sleep: (ms: number) => Promise<void>) {
  if (previous?.writtenAt === undefined || key > previous.key) return;
  const now = Date.now();
  if (Math.floor(now / 1000) === Math.floor(previous.writtenAt / 1000)) await sleep(1000 - (now % 1000) + 20);
}
