/** The bundled synthetic demo dataset: generated on first use (never committed), same bytes on every machine. */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METADATA_HEADER, writeSyntheticItemMetadata, writeSyntheticRatings } from '../engine/synthetic/index.js';

export const DEMO_DATASET = 'demo';
/**
 * Typed events (view, play, complete, like, skip, dislike: about 145,000 rows for the 60,000 interactions), with
 * timestamps. The catalogue has titles, genres, tags and descriptions (at the default contentSignal), and 40 new
 * releases nobody has interacted with yet (i1000 … i1039), for content-based and hybrid recommendations.
 */
export const DEMO_OPTIONS = Object.freeze({
  users: 2000,
  items: 1000,
  ratings: 60_000,
  seed: 42,
  timestamps: true,
  events: true,
  coldItems: 40,
});
/**
 * The demo's event weights: the set that did best in the evaluation of docs/BENCHMARKS.md ("Combining typed
 * events"); strongly negative weights (a dislike at -5) hurt item-based cosine there.
 */
export const DEMO_EVENT_WEIGHTS = Object.freeze({ view: 1, play: 1, complete: 2, like: 2, skip: -1, dislike: -1 });
/**
 * The demo is built as a new dataset would be (model auto: the build compares item-knn, user-knn and EASE and serves
 * the best) and also lists both row kinds, so the originating method (user-based CF) and similar users work out of
 * the box whichever model wins: on the demo's 60,000 events the user rows add about 0.1 s to the build.
 */
export const DEMO_CONFIG = Object.freeze({
  model: 'auto' as const,
  models: ['item', 'user'] as const,
  eventWeights: DEMO_EVENT_WEIGHTS,
});

/** Writes the demo events and item metadata under `dir` unless already there; returns the ratings path. */
export async function ensureDemoFiles(dir: string): Promise<{ ratings: string; metadata: string }> {
  mkdirSync(dir, { recursive: true });
  // Named apart from the ratings file of earlier versions, so a data folder from before typed events gets the events.
  const ratings = join(dir, 'demo-events.csv');
  const metadata = join(dir, 'demo-items.csv');
  if (!existsSync(ratings)) await writeSyntheticRatings(ratings, DEMO_OPTIONS);
  // A catalogue from before descriptions (header item,title,genres) is written again.
  if (!existsSync(metadata) || firstLine(metadata) !== METADATA_HEADER.join(',')) {
    await writeSyntheticItemMetadata(metadata, DEMO_OPTIONS);
  }
  return { ratings, metadata };
}

function firstLine(path: string): string {
  const text = readFileSync(path, 'utf8');
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}
