/**
 * How many ratings each user has (lognormal activity, water-filled to the exact total) and which rows get a
 * duplicate. Unchanged by the taste model: the counts per user are those of every earlier generator version.
 */
import { Random } from '../shared/index.js';
import type { ResolvedSyntheticOptions } from './options.js';

/** Spread (sigma of the underlying normal) of the lognormal user activity. */
const ACTIVITY_SIGMA = 1.1;

/**
 * Ratings per user: lognormal activity weights, every user >= 1, nobody above the catalogue size, and the
 * total exactly `ratings` (water-filling: the share of a capped user goes to the others).
 */
export function userActivity(o: ResolvedSyntheticOptions): Uint32Array {
  const random = new Random(o.seed, 2);
  const weight = new Float64Array(o.users);
  for (let u = 0; u < o.users; u++) weight[u] = Math.exp(ACTIVITY_SIGMA * random.normal());
  const counts = new Uint32Array(o.users).fill(1);
  let remaining = o.ratings - o.users;
  while (remaining > 0) {
    let active = 0;
    for (let u = 0; u < o.users; u++) if (counts[u] < o.items) active += weight[u];
    let given = 0;
    for (let u = 0; u < o.users && given < remaining; u++) {
      if (counts[u] >= o.items) continue;
      const add = Math.min(o.items - counts[u], Math.floor((remaining * weight[u]) / active), remaining - given);
      counts[u] += add;
      given += add;
    }
    if (given === 0) {
      // What is left is smaller than one share: hand it out one by one, heaviest users first.
      const heaviestFirst = Array.from({ length: o.users }, (_, u) => u).sort((a, b) => weight[b] - weight[a] || a - b);
      for (const u of heaviestFirst) {
        if (given === remaining) break;
        if (counts[u] < o.items) {
          counts[u]++;
          given++;
        }
      }
    }
    remaining -= given;
  }
  return counts;
}

/** Rows (positions among the `ratings` distinct rows, per user) that get a duplicate row after them. */
export function duplicatePlan(o: ResolvedSyntheticOptions, counts: Uint32Array): Map<number, Set<number>> {
  const plan = new Map<number, Set<number>>();
  if (o.duplicates === 0) return plan;
  const random = new Random(o.seed, 4);
  // Floyd's algorithm: `duplicates` distinct positions out of `ratings`.
  const chosen = new Set<number>();
  for (let j = o.ratings - o.duplicates; j < o.ratings; j++) {
    const t = random.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  const positions = [...chosen].sort((a, b) => a - b);
  let user = 0;
  let userStart = 0;
  for (const position of positions) {
    while (position >= userStart + counts[user]) userStart += counts[user++];
    let set = plan.get(user);
    if (!set) plan.set(user, (set = new Set()));
    set.add(position - userStart);
  }
  return plan;
}
