/**
 * The files live events are folded into: `events/<dataset>/<from>_<to>.jsonl`, one JSON object per event, holding
 * exactly the events of the dataset received in [from, to) (times in ISO basic form, `20261201T120000.000Z`, so
 * keys sort by time). The range is in the key, so a build knows from a listing alone which arrivals are in files.
 *
 * Each line has the fields the ingest's JSON Lines parser reads — `user`, `item`, `value`, `timestamp`, `type` —
 * plus `receivedAt`, `eventId` and `n` (ignored by the ingest; used to drop an event that two overlapping files
 * hold: functions/model-build/live-fold.ts).
 *
 * Safety property (test/model-build/live-fold.test.ts): a key reads back as exactly the range it was written with,
 * and only keys of this dataset holding a real, non-empty range are event files (anything else is not read).
 */
import { EVENTS_PREFIX } from './bucket-layout.js';

/** The start of the first file's range: every event received before the first fold's cut is in it. */
export const FIRST_LIVE_EVENT = new Date(0).toISOString();

export function liveEventFilesPrefix(dataset: string): string {
  return `${EVENTS_PREFIX}${dataset}/`;
}

export function liveEventFileKey(dataset: string, from: string, to: string): string {
  return `${liveEventFilesPrefix(dataset)}${compact(from)}_${compact(to)}.jsonl`;
}

const COMPACT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z$/;

/** The range of a file of the dataset, or undefined when the key is not one (then no build reads it). */
export function parseLiveEventFileKey(dataset: string, key: string): { from: string; to: string } | undefined {
  const prefix = liveEventFilesPrefix(dataset);
  if (!key.startsWith(prefix) || !key.endsWith('.jsonl')) return undefined;
  const [from, to, ...rest] = key.slice(prefix.length, -'.jsonl'.length).split('_');
  if (rest.length > 0 || from === undefined || to === undefined) return undefined;
  const range = { from: expand(from), to: expand(to) };
  if (range.from === undefined || range.to === undefined || !(range.from < range.to)) return undefined;
  return range as { from: string; to: string };
}

/** One line of a file: what the ingest reads, and what a fold needs to tell events apart. */
export interface LiveEventLine {
  user: string;
  item: string;
  value: number;
  timestamp: string;
  type: string | null;
  receivedAt: string;
  eventId: string;
  n: number;
}

function compact(iso: string): string {
  return iso.replace(/[-:]/g, '');
}

function expand(text: string): string | undefined {
  const match = COMPACT.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, millis] = match;
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}Z`;
  // Only a real instant, written as toISOString writes it (so a key has one reading).
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) || date.toISOString() !== iso ? undefined : iso;
}
