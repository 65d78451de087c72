/**
 * Live events into the next build, each exactly once: the fold turns the events received since the last fold into
 * one event file (../adapters/live-event-files.ts) before the build lists its state, and every build reads every
 * event file as one more interaction source. The build never reads events from the table, only files.
 *
 * The fold, under the dataset's build lease (./build-state.ts calls it while holding it):
 * 1. list events/<dataset>/: W = the largest `to` of the files (the start of time when there are none);
 * 2. C = now − settle margin (LIVE_EVENT_SETTLE_MS: longer than the API function's timeout), so every event with
 *    receivedAt < C is already stored (its request took it at arrival and wrote within the timeout);
 * 3. scan the 16 shards for W <= receivedAt < C; none: no file (the range stays empty, nothing can arrive in it);
 * 4. confirm the lease (a fenced renewal), then write `<W>_<C>.jsonl`;
 * 5. the version records `liveCutoff` = max(W, C): every event received before it is in its files, and the API adds
 *    only the later ones. After the version is activated, events received before min(cutoff, now − dedupe window)
 *    are deleted; younger ones stay, so a late retry of a folded event is still a duplicate and a rollback to an
 *    older version still has them.
 *
 * Safety properties (test/pipeline/live-events.test.ts, test/model-build/live-fold.test.ts):
 * - A crash anywhere leaves either the file (W moved past its events: they are read from it, never folded again)
 *   or the events (no file: the next fold takes them), and never both counted: a build reads files, not the table.
 * - A holder that lost the lease writes nothing: the renewal before the write fails and the fold stops. A holder
 *   stalled for longer than the lease between its renewal and its write could still write a range that overlaps
 *   its successor's; the build therefore reads overlapping files deduplicated by (user, eventId) (so such an event
 *   counts once), and only over the overlap, so the memory this takes is the overlap's.
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  FIRST_LIVE_EVENT,
  liveEventFileKey,
  liveEventFilesPrefix,
  parseLiveEventFileKey,
  type LiveEventLine,
} from '../adapters/live-event-files.js';
import { listObjects, type ListedObject } from '../adapters/s3-objects.js';
import type { LiveEvent, LiveEventFolder, VersionWeighting } from '../adapters/store-contract.js';
import { byArrival, type InteractionSource } from '../engine/ingest/index.js';
import { eventOptionsOf, type ModelConfig } from '../engine/model-config.js';
import type { AppLogger } from '../observability.js';
import { byUploadOrder, type DatasetState } from './dataset-sources.js';

export interface LiveFoldSettings {
  /** How far behind the build's clock the fold's cut is (ms): longer than the API function's timeout. */
  settleMs: number;
  /** How long folded events stay in the table (ms), recognised as duplicates of a late retry. */
  dedupeWindowMs: number;
}

/** The deployed API's longest request (API Gateway's 30 s) plus 5 s of clock skew; the stack sets its own timeout + 5 s. */
export const DEFAULT_LIVE_FOLD: LiveFoldSettings = { settleMs: 35_000, dedupeWindowMs: 24 * 3_600_000 };

/** An event file of the dataset and the range of arrivals it holds. */
export interface LiveEventFile extends ListedObject {
  from: string;
  to: string;
}

export interface LiveFold {
  /** Every event file of the dataset, the one this fold wrote included. */
  files: LiveEventFile[];
  /** Every live event received before this is in `files`: the version's liveCutoff. */
  cutoff: string;
  /** Events this fold wrote, and where. */
  folded: number;
  written?: string;
  /** Objects under events/<dataset>/ that are not event files (not read; logged). */
  ignored: string[];
}

export interface FoldContext {
  s3: S3Client;
  store: LiveEventFolder;
  bucket: string;
  dataset: string;
  now: () => Date;
  settings: LiveFoldSettings;
  /** Throws unless this build still holds the dataset's lease (and extends it): called right before the write. */
  fence: () => Promise<void>;
  logger: AppLogger;
}

export async function foldLiveEvents(context: FoldContext): Promise<LiveFold> {
  const { s3, store, bucket, dataset, now, settings, fence, logger } = context;
  const { files, ignored } = await listLiveEventFiles(s3, bucket, dataset);
  if (ignored.length > 0) logger.warn('objects under the live-event prefix that are not event files', { ignored });
  const from = files.reduce((latest, file) => (file.to > latest ? file.to : latest), FIRST_LIVE_EVENT);
  const to = new Date(now().getTime() - settings.settleMs).toISOString();
  if (!(from < to)) return { files, cutoff: from, folded: 0, ignored };

  const events: LiveEvent[] = [];
  for await (const page of store.scanLiveEvents(dataset, { from, to })) events.push(...page);
  if (events.length === 0) return { files, cutoff: to, folded: 0, ignored };
  events.sort((a, b) => byArrival(a, b) || (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  const body = Buffer.from(events.map((event) => `${JSON.stringify(lineOf(event))}\n`).join(''), 'utf8');

  const key = liveEventFileKey(dataset, from, to);
  await fence();
  const written = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }),
  );
  const file: LiveEventFile = {
    key,
    eTag: (written.ETag ?? '').replace(/^"|"$/g, ''),
    size: body.length,
    lastModified: now(),
    from,
    to,
  };
  logger.info('live events folded into a file', { dataset, key, events: events.length });
  return { files: [...files, file], cutoff: to, folded: events.length, written: key, ignored };
}

/** The fold of one build, with the deployment's settings (BuildDeps.live over the defaults). */
export async function foldForBuild(
  deps: Omit<FoldContext, 'bucket' | 'dataset' | 'now' | 'settings' | 'fence'> & { live?: Partial<LiveFoldSettings> },
  attempt: Pick<FoldContext, 'bucket' | 'dataset' | 'now' | 'fence'>,
): Promise<{ fold: LiveFold; settings: LiveFoldSettings }> {
  const settings = { ...DEFAULT_LIVE_FOLD, ...deps.live };
  const { bucket, dataset, now, fence } = attempt;
  return { fold: await foldLiveEvents({ ...deps, bucket, dataset, now, settings, fence }), settings };
}

/** The dataset's event files, with their ranges; other objects under the prefix are named in `ignored`. */
export async function listLiveEventFiles(
  s3: S3Client,
  bucket: string,
  dataset: string,
): Promise<{ files: LiveEventFile[]; ignored: string[] }> {
  const files: LiveEventFile[] = [];
  const ignored: string[] = [];
  for (const object of await listObjects(s3, bucket, liveEventFilesPrefix(dataset))) {
    const range = parseLiveEventFileKey(dataset, object.key);
    if (range) files.push({ ...object, ...range });
    else ignored.push(object.key);
  }
  return { files, ignored };
}

/**
 * The state with the event files among its interaction files, in upload order (a snapshot replaces the uploads,
 * not the live events), so its digest, its sources and the version's record of them include them.
 */
export function withLiveEventFiles(state: DatasetState, files: readonly LiveEventFile[]): DatasetState {
  if (files.length === 0) return state;
  const all = new Map(state.all);
  for (const file of files) all.set(file.key, file);
  return { ...state, interactions: [...state.interactions, ...files].sort(byUploadOrder), all };
}

/** After the version is active: deletes its folded events older than the dedupe window (best effort: logged). */
export async function deleteFolded(
  store: LiveEventFolder,
  dataset: string,
  fold: Pick<LiveFold, 'cutoff'>,
  now: Date,
  settings: LiveFoldSettings,
  logger: AppLogger,
): Promise<number> {
  try {
    return (await store.deleteFoldedLiveEvents(dataset, deleteBefore(fold.cutoff, now, settings))).deleted;
  } catch (error) {
    logger.warn('could not delete folded live events', { dataset, error: String(error) });
    return 0;
  }
}

/** When the version's events are deleted after its activation: the cut, or the dedupe window, whichever is older. */
export function deleteBefore(cutoff: string, now: Date, settings: LiveFoldSettings): string {
  const window = new Date(now.getTime() - settings.dedupeWindowMs).toISOString();
  return window < cutoff ? window : cutoff;
}

/** How the config reads values, recorded in the version so the API treats live events the same way. */
export function versionWeighting(config: ModelConfig): VersionWeighting {
  const { events, halfLifeDays } = eventOptionsOf(config);
  const columns = config.input.columns;
  return {
    rule: events ? 'sign-log1p' : 'latest',
    ...(config.implicit || columns?.rating === null ? { implicit: true } : {}),
    ...(columns?.timestamp === null ? { ignoreTimestamps: true } : {}),
    ...(events ? { eventWeights: { ...events.weights }, defaultEventWeight: events.defaultWeight } : {}),
    ...(halfLifeDays !== undefined ? { halfLifeDays } : {}),
  };
}

/**
 * How an event file is parsed, over the dataset's options: JSON Lines with the event's own fields, whatever the
 * config says of the uploads' columns (the build, and `affinity purge-user`, read them so).
 */
export function liveEventFileOptions(config: ModelConfig): NonNullable<InteractionSource['options']> {
  return {
    format: 'jsonl',
    header: undefined,
    delimiter: undefined,
    columns: {
      user: 'user',
      item: 'item',
      rating: config.input.columns?.rating === null ? null : 'value',
      timestamp: config.input.columns?.timestamp === null ? null : 'timestamp',
      ...(config.eventWeights !== undefined ? { type: 'type' } : {}),
    },
  };
}

/**
 * The build's sources with the event files parsed as what they are (JSON Lines with their own fields, whatever the
 * config says of the uploads' columns), and, where files overlap, deduplicated by (user, eventId) over the overlap.
 */
export function liveEventSources(
  sources: readonly InteractionSource[],
  files: readonly LiveEventFile[],
  config: ModelConfig,
  logger: AppLogger,
): InteractionSource[] {
  const byKey = new Map(files.map((file) => [file.key, file]));
  const overlaps = overlapsOf(files);
  const seen = new Set<string>();
  const options = liveEventFileOptions(config);
  return sources.map((source) => {
    const file = byKey.get(source.name);
    if (!file) return source;
    const inOverlap = overlaps.filter((o) => o.from < file.to && file.from < o.to);
    if (inOverlap.length === 0) return { ...source, options };
    return {
      ...source,
      options,
      open: async () => {
        const body = (await source.open()) as NodeJS.ReadableStream;
        return Readable.from(dropRepeated(body, inOverlap, seen, (dropped) => logDropped(logger, file.key, dropped)));
      },
    };
  });
}

function logDropped(logger: AppLogger, key: string, dropped: number): void {
  if (dropped > 0) logger.warn('events of overlapping live-event files read once', { key, dropped });
}

/** Ranges of arrivals that two or more files hold (a takeover's leftover: see the header). */
export function overlapsOf(files: readonly { from: string; to: string }[]): { from: string; to: string }[] {
  const edges = files.flatMap((file) => [
    { at: file.from, delta: 1 },
    { at: file.to, delta: -1 },
  ]);
  // Ends before starts at the same instant: [a, b) and [b, c) do not overlap.
  edges.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.delta - b.delta));
  const overlaps: { from: string; to: string }[] = [];
  let depth = 0;
  let start = '';
  for (const edge of edges) {
    const before = depth;
    depth += edge.delta;
    if (before < 2 && depth >= 2) start = edge.at;
    if (before >= 2 && depth < 2 && start < edge.at) overlaps.push({ from: start, to: edge.at });
  }
  return overlaps;
}

/** The file's lines, without events already read (same user and eventId) whose arrival is in an overlap. */
async function* dropRepeated(
  body: AsyncIterable<Buffer | string>,
  overlaps: readonly { from: string; to: string }[],
  seen: Set<string>,
  done: (dropped: number) => void,
): AsyncIterable<Buffer> {
  let rest = '';
  let dropped = 0;
  const decoder = new StringDecoder('utf8'); // a chunk may end inside a character
  const keep = (line: string): boolean => {
    let parsed: Partial<LiveEventLine>;
    try {
      parsed = JSON.parse(line) as Partial<LiveEventLine>;
    } catch {
      return true; // not an event: the ingest reports it
    }
    const at = parsed.receivedAt;
    if (typeof at !== 'string' || !overlaps.some((o) => o.from <= at && at < o.to)) return true;
    const key = JSON.stringify([parsed.user, parsed.eventId]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  for await (const chunk of body) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    const kept = lines.filter((line) => keep(line) || (dropped++, false));
    if (kept.length > 0) yield Buffer.from(`${kept.join('\n')}\n`, 'utf8');
  }
  rest += decoder.end();
  if (rest !== '' && keep(rest)) yield Buffer.from(rest, 'utf8');
  else if (rest !== '') dropped++;
  done(dropped);
}

function lineOf(event: LiveEvent): LiveEventLine {
  return {
    user: event.user,
    item: event.item,
    value: event.value ?? 1,
    timestamp: event.timestamp ?? event.receivedAt,
    type: event.type ?? null,
    receivedAt: event.receivedAt,
    eventId: event.eventId,
    n: event.n,
  };
}
