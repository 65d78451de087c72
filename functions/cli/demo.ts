/** The bundled synthetic demo dataset: generated on first use (never committed), same bytes on every machine. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeSyntheticItemMetadata, writeSyntheticRatings } from '../engine/synthetic/index.js';

export const DEMO_DATASET = 'demo';
export const DEMO_OPTIONS = Object.freeze({ users: 2000, items: 1000, ratings: 60_000, seed: 42, timestamps: true });
/**
 * The demo builds both model kinds, so the originating method (user-based CF) and similar users work out of the box:
 * on the demo's 60,000 ratings the user rows add about 0.1 s to the build. The default config stays item-only,
 * because on large data user-user rows cost several times the item-item ones (docs/BENCHMARKS.md) while item rows
 * alone serve known users, posted histories and similar items.
 */
export const DEMO_CONFIG = Object.freeze({ models: ['item', 'user'] as const });

/** Writes demo ratings and item metadata under `dir` unless already there; returns the ratings path. */
export async function ensureDemoFiles(dir: string): Promise<{ ratings: string; metadata: string }> {
  mkdirSync(dir, { recursive: true });
  const ratings = join(dir, 'demo-ratings.csv');
  const metadata = join(dir, 'demo-items.csv');
  if (!existsSync(ratings)) await writeSyntheticRatings(ratings, DEMO_OPTIONS);
  if (!existsSync(metadata)) await writeSyntheticItemMetadata(metadata, DEMO_OPTIONS);
  return { ratings, metadata };
}
