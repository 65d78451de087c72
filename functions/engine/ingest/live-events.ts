/**
 * Live events (POST /v1/datasets/{dataset}/events) by the rules of a row of an interaction file, and the values the
 * build gives a user's events when they are the only rows: the API checks each event with the first and scores a
 * user's events that no build has folded in yet with the second.
 *
 * Safety properties (test/engine/live-events.test.ts):
 * - The same rules as a file row: ids by parseId (non-empty, at most MAX_ID_BYTES UTF-8 bytes, valid UTF-8),
 *   timestamps by parseTimestamp (a number, kept as given, or an ISO-8601 date), values finite within ±MAX_ABS_VALUE,
 *   event types trimmed, non-empty, at most MAX_EVENT_TYPE_BYTES; with event weights the type must be one the
 *   weights name (a typo would otherwise get the default weight unnoticed), and value × weight stays in bounds.
 * - The build's values: {@link liveHistory} puts the events, in arrival order, through the build's own steps (value
 *   or 1, × the type's weight, weight 0 ignored, the timestamp or else the arrival time) and its own combine
 *   (buildRatingMatrix with the version's rule and decay), so a pair's value is what a build of these events alone
 *   would store (checked against a brute force written from the documented rules).
 */
import { buildRatingMatrix, InteractionLog } from '../data/index.js';
import type { HistoryEntry } from '../types.js';
import { MAX_EVENT_TYPE_BYTES, type EventWeighting } from './event-types.js';
import { MAX_ABS_VALUE, parseId, parseTimestamp, show } from './values.js';
import { combineOptionsOf } from './weighting.js';

/** How a version reads values: what the API needs to score live events as its build would. */
export interface LiveWeighting {
  /** Every value is 1 (the config's `implicit`, or no rating column). */
  implicit?: boolean;
  /** Timestamps are not read (the config's `input.columns.timestamp: null`): order is arrival order. */
  ignoreTimestamps?: boolean;
  events?: EventWeighting;
  halfLifeDays?: number;
}

/** One live event as the API stores it (the fields liveHistory reads). */
export interface LiveEventFields {
  item: string;
  type?: string;
  value?: number;
  /** The client's timestamp as text; absent: `receivedAt`. */
  timestamp?: string;
  receivedAt: string;
  /** Place in its request's batch. */
  n: number;
  eventId: string;
}

/** Why an id (user, item or eventId) cannot be stored, or undefined. */
export function liveIdProblem(text: string, kind: string): string | undefined {
  const parsed = parseId(text, kind);
  return parsed.ok ? undefined : parsed.problem;
}

/** Why a timestamp cannot be read as the ingest reads one, or undefined. */
export function liveTimestampProblem(timestamp: number | string): string | undefined {
  if (typeof timestamp === 'number' && !Number.isFinite(timestamp)) return 'timestamp must be a finite number';
  const parsed = parseTimestamp(String(timestamp));
  if (!parsed.ok) return parsed.problem;
  if (Number.isNaN(parsed.value)) return 'timestamp is empty: leave it out to use the time the event is received';
  return undefined;
}

/** Why a value cannot be stored, or undefined. */
export function liveValueProblem(value: number): string | undefined {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_ABS_VALUE)
    return `value must be a finite number from -${MAX_ABS_VALUE} to ${MAX_ABS_VALUE}`;
  return undefined;
}

/** Why an event type is unusable: its text, and with event weights whether they name it. */
export function liveTypeProblem(type: string | undefined, weighting: LiveWeighting | undefined): string | undefined {
  const weights = weighting?.events?.weights;
  if (type === undefined) {
    if (!weights) return undefined;
    return `type is required: the dataset weighs events by type (${describeTypes(weights)})`;
  }
  const trimmed = type.trim();
  if (trimmed.length === 0) return 'type must not be empty';
  const bytes = Buffer.byteLength(trimmed, 'utf8');
  if (bytes > MAX_EVENT_TYPE_BYTES) return `type is ${bytes} UTF-8 bytes; the limit is ${MAX_EVENT_TYPE_BYTES}`;
  if (trimmed.includes('\uFFFD')) return `type ${show(trimmed)} is not valid UTF-8`;
  if (weights && !Object.hasOwn(weights, trimmed))
    return `type ${show(trimmed)} is not one of the dataset's event types (${describeTypes(weights)})`;
  return undefined;
}

/** Why value × the type's weight is out of bounds, or undefined (checked after the type itself). */
export function liveWeightedValueProblem(
  value: number | undefined,
  type: string | undefined,
  weighting: LiveWeighting | undefined,
): string | undefined {
  if (!weighting?.events || type === undefined) return undefined;
  const weighted = (weighting.implicit ? 1 : (value ?? 1)) * weightOf(type.trim(), weighting.events);
  if (Math.abs(weighted) <= MAX_ABS_VALUE) return undefined;
  return `value × the weight of type ${show(type.trim())} is ${weighted}, outside ±${MAX_ABS_VALUE}`;
}

/**
 * A user's live events as history entries, most recent first (by the pair's latest timestamp, then by latest
 * arrival), with the values a build of these events alone would give them. Events without a usable type (under
 * event weights) are left out, as the build leaves such rows out.
 */
export function liveHistory(events: readonly LiveEventFields[], weighting: LiveWeighting = {}): HistoryEntry[] {
  const ordered = [...events].sort(byArrival);
  const log = new InteractionLog();
  const recency = new Map<string, { time: number; arrival: number }>();
  ordered.forEach((event, arrival) => {
    let value = weighting.implicit ? 1 : (event.value ?? 1);
    if (weighting.events) {
      if (event.type === undefined) return;
      const weight = weightOf(event.type.trim(), weighting.events);
      if (weight === 0) return; // the build accepts such rows and leaves them out of the matrix
      value *= weight;
    }
    const time = weighting.ignoreTimestamps ? NaN : timeOf(event.timestamp ?? event.receivedAt);
    if (weighting.halfLifeDays !== undefined && Number.isNaN(time)) return; // the build rejects it
    log.add('user', event.item, value, time);
    const seen = recency.get(event.item);
    const t = Number.isNaN(time) ? -Infinity : time;
    recency.set(event.item, { time: Math.max(seen?.time ?? -Infinity, t), arrival });
  });
  if (log.length === 0) return [];
  const combine = combineOptionsOf({ events: weighting.events, halfLifeDays: weighting.halfLifeDays });
  const { matrix } = buildRatingMatrix(log, combine);
  const { indptr, indices, values } = matrix.byUser;
  const entries: { item: string; value: number; time: number; arrival: number }[] = [];
  for (let p = indptr[0]; p < indptr[1]; p++) {
    const item = matrix.items.idAt(indices[p]);
    entries.push({ item, value: values[p], ...(recency.get(item) as { time: number; arrival: number }) });
  }
  entries.sort((a, b) => b.time - a.time || b.arrival - a.arrival);
  return entries.map(({ item, value }) => ({ item, value }));
}

/** Arrival order: when the request came, then the event's place in its batch (then its id, for a total order). */
export function byArrival(
  a: Pick<LiveEventFields, 'receivedAt' | 'n' | 'eventId'>,
  b: Pick<LiveEventFields, 'receivedAt' | 'n' | 'eventId'>,
): number {
  if (a.receivedAt !== b.receivedAt) return a.receivedAt < b.receivedAt ? -1 : 1;
  if (a.n !== b.n) return a.n - b.n;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** A timestamp's value as the ingest reads it (NaN when it has none). */
function timeOf(text: string): number {
  const parsed = parseTimestamp(text);
  return parsed.ok ? parsed.value : NaN;
}

function weightOf(type: string, events: EventWeighting): number {
  return Object.hasOwn(events.weights, type) ? events.weights[type] : events.defaultWeight;
}

function describeTypes(weights: Readonly<Record<string, number>>): string {
  const types = Object.keys(weights);
  if (types.length === 0) return 'eventWeights names none';
  const shown = types.slice(0, 10).map((type) => show(type));
  return `${shown.join(', ')}${types.length > 10 ? ` and ${types.length - 10} more` : ''}`;
}
