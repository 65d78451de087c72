/**
 * Cold items (option `coldItems`): catalogue entries nobody has interacted with yet (new releases), appended after
 * the `items` the interactions draw from, with ids `itemPrefix + items`, `itemPrefix + items + 1`, … Each belongs to
 * a taste factor (uniform over factors; some load on a second one, as catalogue items do), so its description
 * (text.ts) matches that factor as much as `contentSignal` says and a content model can place it.
 *
 * Safety property (test/engine/synthetic-content.test.ts): cold items appear in the metadata and never in the
 * interactions; they are drawn from their own stream (seed, 10), so the rest of the data set is the same with or
 * without them.
 */
import { Random } from '../shared/index.js';
import type { SyntheticCatalogue } from './catalogue.js';
import { TASTE } from './model.js';
import type { ResolvedSyntheticOptions } from './options.js';

export interface SyntheticColdItems {
  /** Taste factor, second factor (or -1) and cluster (genre) of cold item k (id index items + k). */
  readonly factor: Uint32Array;
  readonly secondFactor: Int32Array;
  readonly cluster: Uint32Array;
}

export function syntheticColdItems(
  o: ResolvedSyntheticOptions,
  catalogue: Pick<SyntheticCatalogue, 'factors' | 'factorCluster'>,
): SyntheticColdItems {
  const random = new Random(o.seed, 10);
  const { factors, factorCluster } = catalogue;
  const factor = new Uint32Array(o.coldItems);
  const secondFactor = new Int32Array(o.coldItems).fill(-1);
  const cluster = new Uint32Array(o.coldItems);
  for (let k = 0; k < o.coldItems; k++) {
    factor[k] = random.int(factors);
    cluster[k] = factorCluster[factor[k]];
    const loads = random.next() < TASTE.secondFactorShare;
    const other = random.int(Math.max(1, factors - 1));
    if (factors > 1 && loads) secondFactor[k] = (factor[k] + 1 + other) % factors;
  }
  return { factor, secondFactor, cluster };
}
