/**
 * New releases (option `newReleases`): a share of the `items` that came out late, so every user who has one has it
 * after all their other items. Real media data has new items arriving all the time and consumed recently, so a
 * time-based hold-out (each user's latest interactions, engine/evaluate/split.ts) is rich in items with few or no
 * earlier interactions: where content-based scores can help and CF cannot (docs/SYNTHETIC.md, "New releases").
 *
 * One item per stratum of popularity ranks (round(share · items) strata of equal width, a uniform position inside
 * each), so new releases span the head and the tail alike; ranks are shuffled over the ids independently of the
 * taste factors, so they spread over the factors too.
 *
 * With `newReleaseSequels` the new release of a stratum is drawn uniformly among the stratum's later series parts
 * (part >= 2) when it has any, else as without: sequels are what a catalogue adds over time, and a sequel is the
 * new item whose predecessor a user may already have (docs/SYNTHETIC.md, "Series in the catalogue").
 *
 * Safety property (test/engine/synthetic.test.ts): drawn from their own stream (seed, 12), so which items a user has,
 * their ratings and sessions do not change with `newReleases`; 0 gives the data set of before, byte for byte. Without
 * `newReleaseSequels` the draws are those of before, one per stratum (test/engine/synthetic-new-releases.test.ts).
 */
import { Random } from '../shared/index.js';
import type { SyntheticCatalogue } from './catalogue.js';
import type { ResolvedSyntheticOptions } from './options.js';

/** 1 for item indices that are new releases, else 0. */
export function syntheticNewReleases(
  o: ResolvedSyntheticOptions,
  catalogue: Pick<SyntheticCatalogue, 'rank' | 'part'>,
): Uint8Array {
  const flags = new Uint8Array(o.items);
  const count = Math.round(o.newReleases * o.items);
  if (count === 0) return flags;
  const random = new Random(o.seed, 12);
  // byRank[r - 1] = the item of popularity rank r.
  const byRank = new Uint32Array(o.items);
  for (let i = 0; i < o.items; i++) byRank[catalogue.rank[i] - 1] = i;
  const width = o.items / count;
  for (let k = 0; k < count; k++) {
    const u = random.next();
    let position = Math.min(o.items - 1, Math.floor((k + u) * width));
    if (o.newReleaseSequels) {
      // The stratum's ranks [from, to): the same strata as without the option, one item each.
      const from = Math.ceil(k * width);
      const to = Math.min(o.items, Math.ceil((k + 1) * width));
      const sequels: number[] = [];
      for (let r = from; r < to; r++) if (catalogue.part[byRank[r]] >= 2) sequels.push(r);
      // u again (no extra draw), so the stream stays one number per stratum.
      if (sequels.length > 0) position = sequels[Math.min(sequels.length - 1, Math.floor(u * sequels.length))];
    }
    flags[byRank[position]] = 1;
  }
  return flags;
}
