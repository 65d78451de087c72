import { UserInputError } from '../types.js';

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
  /**
   * Genres ("clusters"). Default min(10, items). Since the taste model of docs/SYNTHETIC.md a genre is no longer
   * a hard taste cluster: it splits into taste factors of ~50 items each, users like a few factors mostly within
   * one or two genres, and the metadata's first genre is the item's genre.
   */
  clusters?: number;
  /**
   * Zipf exponent of item popularity: weight of the item of popularity rank r is 1 / r^zipf. Default 1. Genres
   * and factors are liked in proportion to their items' weights, so each item's expected share of the draws
   * stays proportional to its weight (up to the one-rating-per-pair cap and series continuations).
   */
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
  /**
   * How much the item descriptions and tags of the metadata (text.ts) say about taste, in [0, 1]: the share of
   * topic words drawn from the item's own taste factor(s) rather than from a factor chosen uniformly. 0 = text
   * independent of taste. Default DEFAULT_CONTENT_SIGNAL (docs/SYNTHETIC.md, "Calibration of `contentSignal`").
   * Interactions do not depend on it.
   */
  contentSignal?: number;
  /**
   * Catalogue items nobody has interacted with (new releases), appended to the metadata after the `items` the
   * interactions draw from (ids `itemPrefix + items` onwards); each belongs to a taste factor. Default 0.
   */
  coldItems?: number;
  /**
   * Share of the `items` that are new releases, in [0, MAX_NEW_RELEASES] (default 0: the data set as before): in
   * every user's timeline the user's new-release items come after all their other items, so a time-based hold-out
   * (each user's latest interactions) is rich in items with few or no earlier interactions, as in real media data.
   * Chosen from their own stream; which items a user has, and their ratings, do not depend on it (new-releases.ts).
   */
  newReleases?: number;
  /**
   * New releases prefer later series parts (sequels are what a catalogue adds over time): in each popularity stratum
   * of new-releases.ts the new release is drawn among the stratum's parts 2.. of a series when it has any. Default
   * false (the picker as before). Only has an effect with `newReleases` > 0.
   */
  newReleaseSequels?: boolean;
  /**
   * Write each item's series (`s17`, empty for items in none) as a `series` column of the metadata, so content can
   * name the item a sequel follows. Default false: the metadata's columns as before. Interactions do not depend on it.
   */
  seriesInCatalogue?: boolean;
  /** Prefix of user ids (`u123`). Default 'u'. */
  userPrefix?: string;
  /** Prefix of item ids (`i456`). Default 'i'. */
  itemPrefix?: string;
}

export type ResolvedSyntheticOptions = Required<SyntheticOptions>;

/** Default `contentSignal`: chosen in docs/SYNTHETIC.md ("Calibration of `contentSignal`"). */
export const DEFAULT_CONTENT_SIGNAL = 0.5;
/** Upper bound of `coldItems` (the metadata is written in one pass; this keeps a typo from writing gigabytes). */
export const MAX_COLD_ITEMS = 1_000_000;
/** Upper bound of `newReleases`: beyond half the catalogue the "new" items are the bulk of every history. */
export const MAX_NEW_RELEASES = 0.5;

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
  const contentSignal = options.contentSignal ?? DEFAULT_CONTENT_SIGNAL;
  if (typeof contentSignal !== 'number' || !(contentSignal >= 0 && contentSignal <= 1)) {
    throw new UserInputError(
      `contentSignal must be a number in [0, 1], got ${String(contentSignal)}`,
      'options.contentSignal',
      "use 0 for text independent of taste, 1 for text drawn from the item's own taste factors only",
    );
  }
  const coldItems = options.coldItems ?? 0;
  if (!Number.isSafeInteger(coldItems) || coldItems < 0 || coldItems > MAX_COLD_ITEMS) {
    throw new UserInputError(
      `coldItems must be an integer in [0, ${MAX_COLD_ITEMS}], got ${String(coldItems)}`,
      'options.coldItems',
      'give the number of catalogue items without interactions, e.g. 50',
    );
  }
  const newReleases = options.newReleases ?? 0;
  if (typeof newReleases !== 'number' || !(newReleases >= 0 && newReleases <= MAX_NEW_RELEASES)) {
    throw new UserInputError(
      `newReleases must be a number in [0, ${MAX_NEW_RELEASES}], got ${String(newReleases)}`,
      'options.newReleases',
      'give the share of items that are new releases, e.g. 0.05 (0 for none)',
    );
  }
  const newReleaseSequels = flag(options.newReleaseSequels, 'newReleaseSequels');
  const seriesInCatalogue = flag(options.seriesInCatalogue, 'seriesInCatalogue');
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
    contentSignal,
    coldItems,
    newReleases,
    newReleaseSequels,
    seriesInCatalogue,
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

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new UserInputError(
      `${name} must be true or false, got ${String(value)}`,
      `options.${name}`,
      'omit it for false',
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
