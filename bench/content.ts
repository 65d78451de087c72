/**
 * Content-based item rows (engine/content) on a synthetic catalogue (not part of `npm run bench`): titles and
 * genres from the synthetic generator (syntheticItems), plus ~100-word texts drawn from a seeded vocabulary —
 * half the words from a Zipf-distributed general vocabulary shared by all items, half from a vocabulary of the
 * item's genre — and 0–3 tags per item. Times tokenise + vectorise and the kernel (computeContentNeighbours, the
 * build's path) on 1 thread and on `threads` worker threads, checks that both give the same rows, and reports the
 * process's peak RSS, the vocabulary, the non-zeros and Σ df² (the kernel's pair updates).
 * Run: `node --import tsx bench/content.ts [items] [tfidf|bm25] [maxDfShare] [threads] [--json]` (default 20000
 * tfidf 0.5 2); `npm run bench -- --suite content [--content-items n] [--threads n]` runs it with --json (the
 * figures on stdout as JSON, the text on stderr) and writes the content section of docs/BENCHMARKS.md.
 *
 * Measured 2026-12-02 on the 2-core machine shared with other jobs (load average 2–4), 20,000 items, k 50, before
 * the kernel ran on worker threads (ContentKernel over the whole range; docs/BENCHMARKS.md has 1 vs 2 threads):
 * - tfidf, defaults (minDf 2, maxDfShare 0.5): 28,119 terms, 1.52 M non-zeros (76 per item), Σ df² 1,361 M;
 *   tokenise + vectorise 5.5 s (Intl.Segmenter itself is ~3 s of it), kernel 10.3 s wall / 10.3 s CPU on one
 *   thread, peak RSS 418 MB (the generated catalogue included).
 * - bm25, defaults: the same vocabulary, 4.8 s + 10.4 s, 391 MB.
 * - tfidf, maxDfShare 0.05: 58 non-zeros per item, Σ df² 254 M, 4.9 s + 2.7 s, 382 MB: the kernel's time follows
 *   Σ df², so the share of items a term may reach is its cost knob.
 */
import { loadavg } from 'node:os';
import type { CatalogueEntry } from '../functions/engine/catalogue/types.js';
import {
  computeContentNeighbours,
  resolveContentOptions,
  vectoriseCatalogue,
} from '../functions/engine/content/index.js';
import type { NeighbourBlock } from '../functions/engine/types.js';
import { AliasTable, Random } from '../functions/engine/shared/index.js';
import { clusterGenre, syntheticItems } from '../functions/engine/synthetic/index.js';
import { describeMachine, peakRssMb } from './machine.js';

const json = process.argv.includes('--json');
const args = process.argv.slice(2).filter((arg) => arg !== '--json');
const items = Number(args[0] ?? 20000);
const scheme = args[1] ?? 'tfidf';
const maxDfShare = Number(args[2] ?? 0.5);
const threads = Number(args[3] ?? 2);
const WORDS_PER_TEXT = 100;
const GENERAL_WORDS = 20000;
const GENRE_WORDS = 500;
const CLUSTERS = 16;

const SYLLABLES = 'ka lo mi nu re sa ti vo be da fe gu ha jo ki le mo ne pi ru'.split(' ');
/** A pronounceable pseudo-word for each index (base-20 syllables), so every word is distinct and no stop word. */
function word(index: number): string {
  let text = '';
  let n = index + 20;
  while (n > 0) {
    text += SYLLABLES[n % 20];
    n = Math.floor(n / 20);
  }
  return text;
}

function catalogue(): CatalogueEntry[] {
  const random = new Random(11, 1);
  const zipf = (n: number): AliasTable => new AliasTable(Float64Array.from({ length: n }, (_, r) => 1 / (r + 1)));
  const general = zipf(GENERAL_WORDS);
  const genre = zipf(GENRE_WORDS);
  const clusterOf = new Map(Array.from({ length: CLUSTERS }, (_, c) => [clusterGenre(c), c]));
  const entries: CatalogueEntry[] = [];
  for (const { item, title, genres } of syntheticItems({
    users: items,
    items,
    ratings: items,
    clusters: CLUSTERS,
    seed: 5,
  })) {
    const cluster = clusterOf.get(genres[0])!;
    const words: string[] = [];
    for (let w = 0; w < WORDS_PER_TEXT; w++)
      words.push(
        random.next() < 0.5
          ? word(general.sample(random))
          : word(GENERAL_WORDS + cluster * GENRE_WORDS + genre.sample(random)),
      );
    const tags = Array.from({ length: random.int(4) }, () => `tag${random.int(200)}`);
    entries.push({ item, title, text: words.join(' '), categories: genres, ...(tags.length ? { tags } : {}) });
  }
  return entries;
}

/** The figures `npm run bench -- --suite content` reads. */
export interface ContentBenchResult {
  items: number;
  scheme: string;
  minDf: number;
  maxDfShare: number;
  k: number;
  terms: number;
  nonZeros: number;
  pairUpdatesM: number;
  vectoriseSeconds: number;
  runs: { threads: number; seconds: number; cpuSeconds: number }[];
  neighboursPerItem: number;
  peakRssMb: number;
  loadAverage: number;
}

const say = (line: string): void => (json ? console.error(line) : console.log(line));

say(describeMachine());
let started = performance.now();
const entries = catalogue();
say(`${items} items generated in ${seconds(started).toFixed(2)} s`);
const options = resolveContentOptions({ scheme, maxDfShare });
started = performance.now();
const vectors = vectoriseCatalogue(entries, options);
const vectoriseSeconds = seconds(started);
let pairUpdates = 0;
for (const d of vectors.df) pairUpdates += d * d;
say(
  `${options.scheme}, minDf ${options.minDf}, maxDfShare ${options.maxDfShare}: ${vectors.terms.length} terms, ` +
    `${vectors.weight.length} non-zeros (${(vectors.weight.length / items).toFixed(1)} per item), ` +
    `Σ df² ${(pairUpdates / 1e6).toFixed(0)} M; tokenise + vectorise ${vectoriseSeconds.toFixed(2)} s, peak RSS ${peakRssMb().toFixed(0)} MB`,
);

const runs: ContentBenchResult['runs'] = [];
let first: NeighbourBlock | undefined;
for (const t of [...new Set([1, threads])]) {
  started = performance.now();
  // process.cpuUsage covers the worker threads too (one process).
  const cpu = process.cpuUsage();
  const block = await computeContentNeighbours(vectors, options.k, { threads: t });
  const used = process.cpuUsage(cpu);
  const run = { threads: t, seconds: seconds(started), cpuSeconds: (used.user + used.system) / 1e6 };
  runs.push(run);
  if (first === undefined) first = block;
  else if (!sameBlock(first, block)) throw new Error(`${t} threads gave other rows than 1 thread`);
  say(
    `kernel (k ${options.k}, ${t} thread${t > 1 ? 's' : ''}): ${run.seconds.toFixed(2)} s wall, ${run.cpuSeconds.toFixed(1)} s CPU, ` +
      `peak RSS ${peakRssMb().toFixed(0)} MB`,
  );
}
let kept = 0;
for (const c of first!.count) kept += c;
say(`${(kept / items).toFixed(1)} neighbours per item; the same rows on every thread count`);

if (json) {
  const result: ContentBenchResult = {
    items,
    scheme: options.scheme,
    minDf: options.minDf,
    maxDfShare: options.maxDfShare,
    k: options.k,
    terms: vectors.terms.length,
    nonZeros: vectors.weight.length,
    pairUpdatesM: pairUpdates / 1e6,
    vectoriseSeconds,
    runs,
    neighboursPerItem: kept / items,
    peakRssMb: peakRssMb(),
    loadAverage: loadavg()[0],
  };
  console.log(JSON.stringify(result));
}

function sameBlock(a: NeighbourBlock, b: NeighbourBlock): boolean {
  const same = (x: ArrayLike<number>, y: ArrayLike<number>): boolean => {
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  };
  return (
    same(a.count, b.count) &&
    same(a.neighbour, b.neighbour) &&
    same(a.similarity, b.similarity) &&
    same(a.support, b.support)
  );
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}
