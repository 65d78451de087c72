/**
 * Content-based item rows (engine/content) on a synthetic catalogue (not part of `npm run bench`): titles and
 * genres from the synthetic generator (syntheticItems), plus ~100-word texts drawn from a seeded vocabulary —
 * half the words from a Zipf-distributed general vocabulary shared by all items, half from a vocabulary of the
 * item's genre — and 0–3 tags per item. Times tokenise + vectorise and the kernel (one thread, whole range) and
 * reports the process's peak RSS, the vocabulary, the non-zeros and Σ df² (the kernel's pair updates).
 * Run: `node --import tsx bench/content.ts [items] [tfidf|bm25] [maxDfShare]` (default 20000 tfidf 0.5).
 *
 * Measured 2026-12-02 on the 2-core machine shared with other jobs (load average 2–4), 20,000 items, k 50:
 * - tfidf, defaults (minDf 2, maxDfShare 0.5): 28,119 terms, 1.52 M non-zeros (76 per item), Σ df² 1,361 M;
 *   tokenise + vectorise 5.5 s (Intl.Segmenter itself is ~3 s of it), kernel 10.3 s wall / 10.3 s CPU on one
 *   thread, peak RSS 418 MB (the generated catalogue included).
 * - bm25, defaults: the same vocabulary, 4.8 s + 10.4 s, 391 MB.
 * - tfidf, maxDfShare 0.05: 58 non-zeros per item, Σ df² 254 M, 4.9 s + 2.7 s, 382 MB: the kernel's time follows
 *   Σ df², so the share of items a term may reach is its cost knob.
 */
import type { CatalogueEntry } from '../functions/engine/catalogue/types.js';
import { ContentKernel, resolveContentOptions, vectoriseCatalogue } from '../functions/engine/content/index.js';
import { AliasTable, Random } from '../functions/engine/shared/index.js';
import { clusterGenre, syntheticItems } from '../functions/engine/synthetic/index.js';
import { describeMachine, peakRssMb } from './machine.js';

const items = Number(process.argv[2] ?? 20000);
const scheme = process.argv[3] ?? 'tfidf';
const maxDfShare = Number(process.argv[4] ?? 0.5);
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

console.log(describeMachine());
let started = performance.now();
const entries = catalogue();
console.log(`${items} items generated in ${seconds(started)} s`);
const options = resolveContentOptions({ scheme, maxDfShare });
started = performance.now();
const vectors = vectoriseCatalogue(entries, options);
const vectoriseSeconds = seconds(started);
let pairUpdates = 0;
for (const d of vectors.df) pairUpdates += d * d;
console.log(
  `${options.scheme}, minDf ${options.minDf}, maxDfShare ${options.maxDfShare}: ${vectors.terms.length} terms, ` +
    `${vectors.weight.length} non-zeros (${(vectors.weight.length / items).toFixed(1)} per item), ` +
    `Σ df² ${(pairUpdates / 1e6).toFixed(0)} M; tokenise + vectorise ${vectoriseSeconds} s, peak RSS ${peakRssMb().toFixed(0)} MB`,
);
started = performance.now();
const cpu = process.cpuUsage();
const block = new ContentKernel(vectors, options.k).computeRange(0, items);
const used = process.cpuUsage(cpu);
let kept = 0;
for (const c of block.count) kept += c;
console.log(
  `kernel (k ${options.k}, 1 thread): ${seconds(started)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU, ` +
    `${(kept / items).toFixed(1)} neighbours per item, peak RSS ${peakRssMb().toFixed(0)} MB`,
);

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(2);
}
