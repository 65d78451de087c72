/**
 * Engine benchmark: synthetic file -> parse -> matrix -> item-item top-K cosine -> neighbour rows in memory.
 * The headline target (issue "Foundation"): 4.5M ratings, 30,000 users x 15,000 items, top-50 cosine,
 * <= 10 s wall and <= 1 GB peak RSS on the 2-core reference machine.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildRatingMatrix } from '../functions/engine/data/index.js';
import { ingestToLog } from '../functions/engine/ingest/index.js';
import { computeNeighbours, neighbourRow, prestartWorkers } from '../functions/engine/similarity/index.js';
import { writeSyntheticRatings } from '../functions/engine/synthetic/index.js';
import { peakRssMb } from './machine.js';

export interface PhaseResult {
  phase: string;
  seconds: number;
  ratingsPerSecond: number;
  peakRssMb: number;
}

export interface EngineBenchResult {
  ratings: number;
  users: number;
  items: number;
  fileMb: number;
  threads: number;
  phases: PhaseResult[];
  totalSeconds: number;
  peakRssMb: number;
  neighbourRows: number;
}

export interface DatasetSize {
  users: number;
  items: number;
  ratings: number;
}

/** The benchmark's input file, generated once (deterministic) and kept under the git-ignored bench/data/. */
export async function ensureBenchFile(size: DatasetSize, dataDir: string): Promise<string> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, `synthetic-${size.users}u-${size.items}i-${size.ratings}r.csv`);
  if (!existsSync(file)) {
    console.error(`generating ${file} …`);
    await writeSyntheticRatings(file, { ...size, seed: 7, timestamps: true });
  }
  return file;
}

/** Run in a fresh process (bench/engine-child.ts) so that peak RSS covers these phases only. */
export async function benchEngine(file: string, options: { k: number; threads: number }): Promise<EngineBenchResult> {
  const phases: PhaseResult[] = [];
  let ratings = 0;
  const timed = async <T>(phase: string, run: () => Promise<T> | T): Promise<T> => {
    const start = performance.now();
    const value = await run();
    const seconds = (performance.now() - start) / 1000;
    phases.push({ phase, seconds, ratingsPerSecond: ratings / seconds, peakRssMb: peakRssMb() });
    return value;
  };

  const wallStart = performance.now();
  prestartWorkers(options.threads); // as buildModel does for large files: workers load while the parse runs
  const { log } = await timed('parse', async () => {
    const result = await ingestToLog(file);
    ratings = result.log.length;
    return result;
  });
  phases[0].ratingsPerSecond = ratings / phases[0].seconds;
  const { matrix } = await timed('matrix', () => buildRatingMatrix(log));
  const block = await timed('similarity + top-K', () =>
    computeNeighbours(matrix, 'items', { measure: 'cosine', k: options.k }, { threads: options.threads }),
  );
  const rows = await timed('rows (external ids)', () => {
    let n = 0;
    for (let i = 0; i < matrix.items.size; i++) if (neighbourRow(block, i, matrix.items).length > 0) n++;
    return n;
  });
  const totalSeconds = (performance.now() - wallStart) / 1000;
  return {
    ratings: matrix.byUser.indices.length,
    users: matrix.users.size,
    items: matrix.items.size,
    fileMb: statSync(file).size / 1e6,
    threads: options.threads,
    phases,
    totalSeconds,
    peakRssMb: peakRssMb(),
    neighbourRows: rows,
  };
}
