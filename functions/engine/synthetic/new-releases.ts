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
 * Safety property (test/engine/synthetic.test.ts): drawn from their own stream (seed, 12), so which items a user has,
 * their ratings and sessions do not change with `newReleases`; 0 gives the data set of before, byte for byte.
 */
import { Random } from '../shared/index.js';
import type { SyntheticCatalogue } from './catalogue.js';
import type { ResolvedSyntheticOptions } from './options.js';

/** 1 for item indices that are new releases, else 0. */
export function syntheticNewReleases(
  o: ResolvedSyntheticOptions,
  catalogue: Pick<SyntheticCatalogue, 'rank'>,
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
    const position = Math.min(o.items - 1, Math.floor((k + random.next()) * width));
    flags[byRank[position]] = 1;
  }
  return flags;
}
