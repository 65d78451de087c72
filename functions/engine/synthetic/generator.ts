import { UserInputError } from '../types.js';
import { AliasTable, Random } from '../shared/index.js';

/**
 * Options of the synthetic, media-shaped data set. The same options (including `seed`) always give the
 * same interactions, in the same order.
 */
export interface SyntheticOptions {
  users: number;
  items: number;
  /** Distinct (user, item) interactions. Must be between `users` (everyone rates >= 1) and `users * items`. */
  ratings: number;
  /** Default 1. Any safe integer. */
  seed?: number;
  /** Latent taste clusters ("genres"). Default min(10, items). */
  clusters?: number;
  /** Zipf exponent of item popularity: weight of the item of popularity rank r is 1 / r^zipf. Default 1. */
  zipf?: number;
  /** Emit timestamps (epoch seconds, increasing per user). Default true. */
  timestamps?: boolean;
  /** Implicit feedback: every value is 1 and files have no rating column. Default false. */
  implicit?: boolean;
  /**
   * Extra rows that repeat an earlier (user, item) pair with a different rating and a later timestamp, right
   * after the original (for de-duplication tests). Not counted in `ratings`. Default 0.
   */
  duplicates?: number;
  /**
   * Typed events instead of ratings (events.ts): files have columns user, item, type, timestamp, each interaction
   * giving a view and maybe play, complete, like, skip or dislike. Default false (ratings, as before).
   */
  events?: boolean;
  /** Prefix of user ids (`u123`). Default 'u'. */
  userPrefix?: string;
  /** Prefix of item ids (`i456`). Default 'i'. */
  itemPrefix?: string;
}

export type ResolvedSyntheticOptions = Required<SyntheticOptions>;

/**
 * Share of a user's draws taken from their preferred clusters; the rest follow global popularity, which keeps
 * the popular head popular across clusters (with 0.85 the clusters split the head and the tail grew as fat).
 */
const FOCUS = 0.6;
/** Weight boost of preferred-cluster items when a heavy user's history is completed by weighted sampling. */
const PREFERRED_BOOST = 8;
/** Spread (sigma of the underlying normal) of the lognormal user activity. */
const ACTIVITY_SIGMA = 1.1;
/** First timestamp of the data set: 2015-01-01T00:00:00Z. Users start within the following ~6 years. */
const EPOCH_START = 1_420_070_400;
const START_SPREAD_SECONDS = 6 * 365 * 86_400;
/** A user's history spans at most ~2 years. */
const MAX_SPAN_SECONDS = 2 * 365 * 86_400;
const MEAN_GAP_SECONDS = 6 * 3_600;

const PREFIX_PATTERN = /^[A-Za-z0-9_.-]*$/;

export function resolveSyntheticOptions(options: SyntheticOptions): ResolvedSyntheticOptions {
  if (options === null || typeof options !== 'object') {
    throw new UserInputError('synthetic options must be an object', 'options', 'pass { users, items, ratings }');
  }
  const users = positiveInteger(options.users, 'users');
  const items = positiveInteger(options.items, 'items');
  const ratings = positiveInteger(options.ratings, 'ratings');
  if (ratings < users) {
    throw new UserInputError(
      `ratings (${ratings}) is smaller than users (${users}); every user gets at least one rating`,
      'options.ratings',
      `use ratings >= ${users} or fewer users`,
    );
  }
  if (ratings > users * items) {
    throw new UserInputError(
      `ratings (${ratings}) exceeds users x items (${users * items}), so pairs would repeat`,
      'options.ratings',
      `use ratings <= ${users * items}, or more users or items`,
    );
  }
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed)) {
    throw new UserInputError(`seed must be an integer, got ${String(seed)}`, 'options.seed', 'use e.g. --seed 42');
  }
  const clusters = options.clusters === undefined ? Math.min(10, items) : positiveInteger(options.clusters, 'clusters');
  if (clusters > items) {
    throw new UserInputError(
      `clusters (${clusters}) exceeds items (${items}); each cluster needs at least one item`,
      'options.clusters',
      `use clusters <= ${items}`,
    );
  }
  const zipf = options.zipf ?? 1;
  if (typeof zipf !== 'number' || !Number.isFinite(zipf) || zipf < 0 || zipf > 5) {
    throw new UserInputError(
      `zipf must be a number in [0, 5], got ${String(zipf)}`,
      'options.zipf',
      'media data is usually near 1',
    );
  }
  const duplicates = options.duplicates ?? 0;
  if (!Number.isSafeInteger(duplicates) || duplicates < 0 || duplicates > ratings) {
    throw new UserInputError(
      `duplicates must be an integer in [0, ratings], got ${String(duplicates)}`,
      'options.duplicates',
      'use 0 unless testing de-duplication',
    );
  }
  const userPrefix = prefix(options.userPrefix ?? 'u', 'userPrefix');
  const itemPrefix = prefix(options.itemPrefix ?? 'i', 'itemPrefix');
  return {
    users,
    items,
    ratings,
    seed,
    clusters,
    zipf,
    timestamps: options.timestamps ?? true,
    implicit: options.implicit ?? false,
    events: options.events ?? false,
    duplicates,
    userPrefix,
    itemPrefix,
  };
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new UserInputError(
      `${name} must be a positive integer, got ${String(value)}`,
      `options.${name}`,
      `give ${name} as a whole number >= 1`,
    );
  }
  return value;
}

function prefix(value: unknown, name: string): string {
  if (typeof value !== 'string' || !PREFIX_PATTERN.test(value)) {
    throw new UserInputError(
      `${name} may only contain letters, digits, '_', '.' and '-', got ${JSON.stringify(value)}`,
      `options.${name}`,
      'choose a plain prefix such as "user-"',
    );
  }
  return value;
}

/** The item side of a data set: which cluster each item belongs to and how popular it is. */
export interface SyntheticCatalogue {
  /** Cluster of item index i. */
  readonly cluster: Uint32Array;
  /** Zipf weight of item index i (1 / rank^zipf; ranks are shuffled over the ids). */
  readonly weight: Float64Array;
  /** Popularity rank (1 = most popular) of item index i. */
  readonly rank: Uint32Array;
  /** Quality bias of item index i, added to every rating of it. */
  readonly bias: Float64Array;
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
  return { cluster, weight, rank, bias };
}

/**
 * Ratings per user: lognormal activity weights, every user >= 1, nobody above the catalogue size, and the
 * total exactly `ratings` (water-filling: the share of a capped user goes to the others).
 */
function userActivity(o: ResolvedSyntheticOptions): Uint32Array {
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
function duplicatePlan(o: ResolvedSyntheticOptions, counts: Uint32Array): Map<number, Set<number>> {
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

/**
 * The generator's state. `fillUser(u)` writes user u's rows into the `item` / `value` / `timestamp`
 * buffers and returns how many there are. Each user draws from its own random stream, so any user can be
 * generated alone and the output does not depend on how it is consumed.
 */
export class SyntheticSource {
  readonly options: ResolvedSyntheticOptions;
  readonly catalogue: SyntheticCatalogue;
  /** Distinct ratings of each user. */
  readonly counts: Uint32Array;
  /** Row buffers of the last filled user. */
  readonly item: Uint32Array;
  readonly value: Uint8Array;
  readonly timestamp: Float64Array;

  private readonly global: AliasTable;
  private readonly byCluster: AliasTable[];
  private readonly duplicates: Map<number, Set<number>>;
  /** seenBy[i] === u + 1 when user u already has item i. */
  private readonly seenBy: Uint32Array;

  constructor(options: SyntheticOptions) {
    this.options = resolveSyntheticOptions(options);
    const o = this.options;
    this.catalogue = syntheticCatalogue(o);
    this.counts = userActivity(o);
    this.duplicates = duplicatePlan(o, this.counts);
    this.global = new AliasTable(this.catalogue.weight);
    const members: number[][] = Array.from({ length: o.clusters }, () => []);
    for (let i = 0; i < o.items; i++) members[this.catalogue.cluster[i]].push(i);
    this.byCluster = members.map(
      (ids) =>
        new AliasTable(
          ids.map((i) => this.catalogue.weight[i]),
          Uint32Array.from(ids),
        ),
    );
    let maxRows = 0;
    for (let u = 0; u < o.users; u++) maxRows = Math.max(maxRows, this.counts[u] + (this.duplicates.get(u)?.size ?? 0));
    this.item = new Uint32Array(maxRows);
    this.value = new Uint8Array(maxRows);
    this.timestamp = new Float64Array(maxRows);
    this.seenBy = new Uint32Array(o.items);
  }

  /** The clusters user u prefers (1 or 2), the first one the stronger. */
  preferredClusters(u: number): number[] {
    return this.preferences(new Random(this.options.seed, 3, u)).clusters;
  }

  private preferences(random: Random): { clusters: number[]; bias: number } {
    const k = this.options.clusters;
    const first = random.int(k);
    const clusters = [first];
    if (k > 1 && random.next() < 0.6) clusters.push((first + 1 + random.int(k - 1)) % k);
    return { clusters, bias: 0.4 * random.normal() };
  }

  fillUser(u: number): number {
    const o = this.options;
    const random = new Random(o.seed, 3, u);
    const { clusters, bias } = this.preferences(random);
    const count = this.counts[u];
    const stamp = u + 1;
    const seen = this.seenBy;
    const picked = new Uint32Array(count);
    let n = 0;
    // Rejection sampling against the user's own seen set; heavy users who exhaust it fall back below.
    const budget = 4 * count + 64;
    for (let attempt = 0; n < count && attempt < budget; attempt++) {
      let item: number;
      if (random.next() < FOCUS) {
        const c = clusters.length === 1 || random.next() < 0.65 ? clusters[0] : clusters[1];
        item = this.byCluster[c].sample(random);
      } else {
        item = this.global.sample(random);
      }
      if (seen[item] === stamp) continue;
      seen[item] = stamp;
      picked[n++] = item;
    }
    if (n < count) {
      this.fillRest(random, clusters, picked, n, stamp);
      random.shuffle(picked); // fillRest appends by weight; keep the history in random order
    }

    // Timestamps: a start date, then exponential gaps (at least 2 s, so a duplicate fits at t + 1).
    const meanGap = Math.min(MEAN_GAP_SECONDS, MAX_SPAN_SECONDS / count);
    let time = EPOCH_START + random.int(START_SPREAD_SECONDS);
    const dupes = this.duplicates.get(u);
    let rows = 0;
    for (let p = 0; p < count; p++) {
      const item = picked[p];
      const value = o.implicit ? 1 : this.rate(random, item, bias, clusters);
      time += 2 + Math.floor(random.exponential(meanGap));
      this.item[rows] = item;
      this.value[rows] = value;
      this.timestamp[rows] = time;
      rows++;
      if (dupes?.has(p)) {
        this.item[rows] = item;
        this.value[rows] = o.implicit ? 1 : 1 + ((value + random.int(4)) % 5); // always a different rating
        this.timestamp[rows] = time + 1;
        rows++;
      }
    }
    return rows;
  }

  /** Ratings 1-5: user and item bias, a bonus inside the user's clusters, a penalty outside, noise. */
  private rate(random: Random, item: number, userBias: number, clusters: number[]): number {
    const inTaste = clusters.includes(this.catalogue.cluster[item]);
    const mean = 3.3 + userBias + this.catalogue.bias[item] + (inTaste ? 0.6 : -0.6);
    const rating = Math.round(mean + 0.9 * random.normal());
    return rating < 1 ? 1 : rating > 5 ? 5 : rating;
  }

  /**
   * Weighted sampling without replacement (Efraimidis-Spirakis keys) over the items the user does not
   * have yet, preferred clusters boosted: O(items log items), only for the few very heavy users.
   */
  private fillRest(random: Random, clusters: number[], picked: Uint32Array, n: number, stamp: number): void {
    const { cluster, weight } = this.catalogue;
    const items = this.options.items;
    const keys = new Float64Array(items).fill(-Infinity);
    for (let i = 0; i < items; i++) {
      if (this.seenBy[i] === stamp) continue;
      const w = weight[i] * (clusters.includes(cluster[i]) ? PREFERRED_BOOST : 1);
      keys[i] = Math.log(1 - random.next()) / w; // larger is better; -Infinity never wins
    }
    // The (picked.length - n)-th largest key is the threshold; a native sort of a copy finds it.
    const needed = picked.length - n;
    const threshold = Float64Array.from(keys).sort()[items - needed];
    for (let i = 0; i < items && n < picked.length; i++) {
      if (keys[i] >= threshold && keys[i] !== -Infinity) {
        this.seenBy[i] = stamp;
        picked[n++] = i;
      }
    }
  }

  userId(u: number): string {
    return this.options.userPrefix + u;
  }

  itemId(i: number): string {
    return this.options.itemPrefix + i;
  }
}
