/**
 * Exact EASE kernel timing (not part of `npm run bench`): synthetic ratings (users = 2 × items, 40 ratings per
 * user) -> matrix -> computeEase (Gram, blocked Cholesky, inverse, signed top-K 200), one and two threads.
 * Run: `node --import tsx bench/ease.ts [items ...]` (default 2000 5000).
 * Measured on the 2-core machine (shared with other jobs): 2,000 items 3.8 s on 1 thread, 2.4 s on 2;
 * 5,000 items 55.5 s on 1 thread, 27.8 s on 2 (peak RSS 549 MB, the Gram 191 MiB).
 */
import { buildRatingMatrix } from '../functions/engine/data/index.js';
import { computeEase } from '../functions/engine/ease/index.js';
import { syntheticLog } from '../functions/engine/synthetic/index.js';
import { describeMachine, peakRssMb } from './machine.js';

const sizes = process.argv.slice(2).map(Number);
const threadCounts = (process.env.EASE_THREADS ?? '1,2').split(',').map(Number);
console.log(describeMachine());
for (const items of sizes.length > 0 ? sizes : [2000, 5000]) {
  const users = 2 * items;
  const { matrix } = buildRatingMatrix(syntheticLog({ users, items, ratings: 40 * users, seed: 7 }));
  for (const threads of threadCounts) {
    const started = performance.now();
    const block = await computeEase(matrix, { lambda: 200, k: 200 }, { threads });
    const seconds = (performance.now() - started) / 1000;
    const kept = block.count.reduce((sum, c) => sum + c, 0);
    console.log(
      `${matrix.byItem.rows} items, ${matrix.byUser.indices.length} ratings, ${threads} thread(s): ` +
        `${seconds.toFixed(2)} s, ${kept} weights kept, peak RSS ${peakRssMb().toFixed(0)} MB ` +
        `(Gram ${((8 * matrix.byItem.rows ** 2) / 2 ** 20).toFixed(0)} MiB)`,
    );
  }
}
