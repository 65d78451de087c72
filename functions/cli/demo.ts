/** The bundled synthetic demo dataset: generated on first use (never committed), same bytes on every machine. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeSyntheticItemMetadata, writeSyntheticRatings } from '../engine/synthetic/index.js';

export const DEMO_DATASET = 'demo';
export const DEMO_OPTIONS = Object.freeze({ users: 2000, items: 1000, ratings: 60_000, seed: 42, timestamps: true });

/** Writes demo ratings and item metadata under `dir` unless already there; returns the ratings path. */
export async function ensureDemoFiles(dir: string): Promise<{ ratings: string; metadata: string }> {
  mkdirSync(dir, { recursive: true });
  const ratings = join(dir, 'demo-ratings.csv');
  const metadata = join(dir, 'demo-items.csv');
  if (!existsSync(ratings)) await writeSyntheticRatings(ratings, DEMO_OPTIONS);
  if (!existsSync(metadata)) await writeSyntheticItemMetadata(metadata, DEMO_OPTIONS);
  return { ratings, metadata };
}
