/**
 * Typed events of the synthetic data set (option `events`): each (user, item) interaction of the generator becomes
 * the events a media service logs for it, drawn from its latent 1-5 rating: always a `view`; a `play` (likelier
 * the better the rating); a `complete` after most plays of liked items; a `like` on some 4s and 5s; a `skip` on
 * most unplayed or poorly rated items; a `dislike` on some 1s and 2s. All events of one interaction carry its
 * timestamp. Shares on the demo's data: see {@link EVENT_TYPES} and test/engine/synthetic-events.test.ts.
 *
 * Safety properties (test/engine/synthetic-events.test.ts): deterministic by seed; events draw from their own
 * random stream per user, so the pairs, ratings and timestamps are those of the data set without events (and the
 * outputs without `events` are byte-identical to before the option existed).
 */
import { Random } from '../shared/index.js';
import { UserInputError } from '../types.js';
import { ByteChunker } from './bytes.js';
import { SyntheticSource } from './generator.js';
import type { ResolvedSyntheticOptions, SyntheticOptions } from './options.js';

export const EVENT_TYPES = ['view', 'play', 'complete', 'like', 'skip', 'dislike'] as const;
export type SyntheticEventType = (typeof EVENT_TYPES)[number];
const VIEW = 0;
const PLAY = 1;
const COMPLETE = 2;
const LIKE = 3;
const SKIP = 4;
const DISLIKE = 5;

/** Chance of each event given the latent rating (index 1-5; index 0 unused). */
const PLAY_CHANCE = [0, 0.25, 0.4, 0.7, 0.9, 0.95];
const COMPLETE_AFTER_PLAY = [0, 0.05, 0.15, 0.4, 0.7, 0.85];
const LIKE_CHANCE = [0, 0, 0, 0, 0.2, 0.5];
const SKIP_CHANCE = [0, 0.7, 0.5, 0.15, 0.03, 0];
const DISLIKE_CHANCE = [0, 0.4, 0.1, 0, 0, 0];
/** The most events one interaction yields: view, play, complete, like (a skip or dislike replaces the others). */
const MAX_EVENTS_PER_INTERACTION = 4;

/** Rejects options under which typed events cannot be drawn. */
export function checkSyntheticEventOptions(options: ResolvedSyntheticOptions): void {
  if (!options.events) return;
  if (options.implicit) {
    throw new UserInputError(
      'events are drawn from the latent ratings, which implicit data has not',
      'options.implicit',
      'leave implicit off with events: true (the event files have no rating column either way)',
    );
  }
}

/**
 * The events of each user in turn: `fillUser(u)` writes user u's events into `item` / `type` / `timestamp` (and
 * the latent `rating` of the interaction each came from) and returns how many there are.
 */
export class SyntheticEventSource {
  readonly source: SyntheticSource;
  readonly item: Uint32Array;
  readonly type: Uint8Array;
  readonly timestamp: Float64Array;
  readonly rating: Uint8Array;

  constructor(options: SyntheticOptions) {
    this.source = new SyntheticSource({ ...options, events: true });
    checkSyntheticEventOptions(this.source.options);
    const size = this.source.item.length * MAX_EVENTS_PER_INTERACTION;
    this.item = new Uint32Array(size);
    this.type = new Uint8Array(size);
    this.timestamp = new Float64Array(size);
    this.rating = new Uint8Array(size);
  }

  fillUser(u: number): number {
    const source = this.source;
    const rows = source.fillUser(u);
    const random = new Random(source.options.seed, 5, u);
    let n = 0;
    const push = (row: number, type: number): void => {
      this.item[n] = source.item[row];
      this.type[n] = type;
      this.timestamp[n] = source.timestamp[row];
      this.rating[n] = source.value[row];
      n++;
    };
    for (let row = 0; row < rows; row++) {
      const rating = source.value[row];
      push(row, VIEW);
      if (random.next() < DISLIKE_CHANCE[rating]) {
        push(row, DISLIKE);
        continue;
      }
      const played = random.next() < PLAY_CHANCE[rating];
      if (!played) {
        if (random.next() < SKIP_CHANCE[rating]) push(row, SKIP);
        continue;
      }
      push(row, PLAY);
      if (random.next() < COMPLETE_AFTER_PLAY[rating]) push(row, COMPLETE);
      else if (random.next() < SKIP_CHANCE[rating]) {
        push(row, SKIP);
        continue;
      }
      if (random.next() < LIKE_CHANCE[rating]) push(row, LIKE);
    }
    return n;
  }
}

/** The typed events as file chunks: csv / tsv with a header `user,item,type,timestamp`, or jsonl objects. */
export function* syntheticEventChunks(
  options: SyntheticOptions,
  format: 'csv' | 'tsv' | 'jsonl',
  chunkBytes: number,
  onRows?: (rows: number) => void,
): Generator<Buffer> {
  const events = new SyntheticEventSource(options);
  const { users, timestamps } = events.source.options;
  const out = new ByteChunker(chunkBytes);
  const separator = format === 'tsv' ? '\t' : ',';
  const columns = ['user', 'item', 'type', ...(timestamps ? ['timestamp'] : [])];
  if (format !== 'jsonl') out.ascii(columns.join(separator) + '\n');
  let rowsInChunk = 0;
  for (let u = 0; u < users; u++) {
    const rows = events.fillUser(u);
    const user = events.source.userId(u);
    for (let r = 0; r < rows; r++) {
      const item = events.source.itemId(events.item[r]);
      const type = EVENT_TYPES[events.type[r]];
      if (format === 'jsonl') {
        out.ascii(`{"user":"${user}","item":"${item}","type":"${type}"`);
        if (timestamps) {
          out.ascii(',"timestamp":');
          out.uint(events.timestamp[r]);
        }
        out.ascii('}\n');
      } else {
        out.ascii(`${user}${separator}${item}${separator}${type}`);
        if (timestamps) {
          out.ascii(separator);
          out.uint(events.timestamp[r]);
        }
        out.byte(10);
      }
      rowsInChunk++;
      if (out.needsFlush()) {
        yield out.take();
        onRows?.(rowsInChunk);
        rowsInChunk = 0;
      }
    }
  }
  if (out.filled > 0) yield out.take();
  onRows?.(rowsInChunk);
}
