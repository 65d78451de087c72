/**
 * The item side of the synthetic data set: popularity (Zipf over shuffled ranks), a genre ("cluster") per item,
 * taste factors (sub-genres of each genre; some items load on a second factor), series (sequels, parts in order of
 * popularity) and a quality bias. See docs/SYNTHETIC.md for the model and its calibration.
 *
 * Safety properties (test/engine/synthetic.test.ts): deterministic by seed; every cluster and every factor has at
 * least one item; a series lies inside one factor, its parts numbered 1.. and linked by `next`; `cluster`, `rank`,
 * `weight` and `bias` are drawn first from their own stream, so the genres of the metadata do not depend on the
 * factor and series knobs.
 */
import { Random } from '../shared/index.js';
import { TASTE } from './model.js';
import { resolveSyntheticOptions, type SyntheticOptions } from './options.js';

export interface SyntheticCatalogue {
  /** Cluster (genre) of item index i. */
  readonly cluster: Uint32Array;
  /** Zipf weight of item index i (1 / rank^zipf; ranks are shuffled over the ids). */
  readonly weight: Float64Array;
  /** Popularity rank (1 = most popular) of item index i. */
  readonly rank: Uint32Array;
  /** Quality bias of item index i, added to every rating of it. */
  readonly bias: Float64Array;
  /** Number of taste factors; each holds at least one item. */
  readonly factors: number;
  /** Taste factor of item index i (a sub-genre of its cluster). */
  readonly factor: Uint32Array;
  /** Second factor of item index i, or -1. */
  readonly secondFactor: Int32Array;
  /** Genre of each factor. */
  readonly factorCluster: Uint32Array;
  /** Series of item index i, or -1; `part` is 1-based; `next` the item of the next part, or -1. */
  readonly series: Int32Array;
  readonly part: Uint8Array;
  readonly next: Int32Array;
}

export function syntheticCatalogue(options: SyntheticOptions): SyntheticCatalogue {
  const o = resolveSyntheticOptions(options);
  const random = new Random(o.seed, 1);
  // Which item id gets which popularity rank: a shuffle, so ids carry no popularity signal.
  const byRank = new Uint32Array(o.items);
  for (let i = 0; i < o.items; i++) byRank[i] = i;
  random.shuffle(byRank);
  const rank = new Uint32Array(o.items);
  const weight = new Float64Array(o.items);
  for (let r = 0; r < o.items; r++) {
    rank[byRank[r]] = r + 1;
    weight[byRank[r]] = 1 / Math.pow(r + 1, o.zipf);
  }
  // Every cluster gets at least one item (the first `clusters` ids in shuffled order), the rest at random.
  const cluster = new Uint32Array(o.items);
  const order = random.shuffle(Uint32Array.from(byRank));
  for (let k = 0; k < o.items; k++) cluster[order[k]] = k < o.clusters ? k : random.int(o.clusters);
  const bias = new Float64Array(o.items);
  for (let i = 0; i < o.items; i++) bias[i] = 0.35 * random.normal();

  // Factors: each cluster's members, in shuffled order, dealt round-robin over its sub-genres (none left empty).
  const factorRandom = new Random(o.seed, 6);
  const members: number[][] = Array.from({ length: o.clusters }, () => []);
  for (const i of factorRandom.shuffle(Uint32Array.from(byRank))) members[cluster[i]].push(i);
  const factor = new Uint32Array(o.items);
  const factorCluster: number[] = [];
  const byFactor: number[][] = [];
  for (let c = 0; c < o.clusters; c++) {
    const count = Math.max(1, Math.round(members[c].length / TASTE.factorSize));
    const base = factorCluster.length;
    for (let f = 0; f < count; f++) {
      factorCluster.push(c);
      byFactor.push([]);
    }
    members[c].forEach((i, position) => {
      factor[i] = base + (position % count);
      byFactor[base + (position % count)].push(i);
    });
  }
  const factors = factorCluster.length;
  const secondFactor = new Int32Array(o.items).fill(-1);
  for (let i = 0; i < o.items; i++) {
    if (factors > 1 && factorRandom.next() < TASTE.secondFactorShare) {
      secondFactor[i] = (factor[i] + 1 + factorRandom.int(factors - 1)) % factors;
    }
  }

  // Series: runs of consecutive members of one factor; part 1 is the most popular, sequels less so.
  const series = new Int32Array(o.items).fill(-1);
  const part = new Uint8Array(o.items);
  const next = new Int32Array(o.items).fill(-1);
  let seriesCount = 0;
  for (const list of byFactor) {
    for (let p = 0; p + 1 < list.length;) {
      if (factorRandom.next() >= TASTE.seriesStart) {
        p++;
        continue;
      }
      const length = Math.min(2 + factorRandom.int(TASTE.seriesMaxParts - 1), list.length - p);
      const parts = list.slice(p, p + length).sort((a, b) => rank[a] - rank[b]);
      parts.forEach((item, k) => {
        series[item] = seriesCount;
        part[item] = k + 1;
        next[item] = k + 1 < parts.length ? parts[k + 1] : -1;
      });
      seriesCount++;
      p += length;
    }
  }
  return {
    cluster,
    weight,
    rank,
    bias,
    factors,
    factor,
    secondFactor,
    factorCluster: Uint32Array.from(factorCluster),
    series,
    part,
    next,
  };
}
