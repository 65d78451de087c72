import { transpose } from '../data/index.js';
import { UserInputError, type CsrMatrix, type RatingMatrix } from '../types.js';
import { Random } from '../shared/index.js';

/** A train/test split: train keeps the dictionaries of the original matrix; test holds item indices per user index. */
export interface Split {
  train: RatingMatrix;
  test: Map<number, Set<number>>;
}

export interface HoldoutOptions {
  /** Share of each user's ratings held out. Default 0.2; must be in (0, 1). */
  ratio?: number;
  /** Default 1. */
  seed?: number;
}

/**
 * Per-user random holdout. A user with n >= 2 ratings gets h = clamp(round(ratio * n), 1, n - 1) of them
 * (chosen uniformly with the seeded generator) in test, the rest in train; users with one rating stay in
 * train only. Deterministic by seed.
 */
export function holdoutSplit(matrix: RatingMatrix, options: HoldoutOptions = {}): Split {
  const ratio = options.ratio ?? 0.2;
  if (typeof ratio !== 'number' || !(ratio > 0 && ratio < 1)) {
    throw new UserInputError(
      `holdout ratio must be a number between 0 and 1 (exclusive), got ${String(ratio)}`,
      'ratio',
      "use e.g. ratio 0.2 to hold out 20% of each user's ratings",
    );
  }
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed))
    throw new UserInputError(`seed must be an integer, got ${String(seed)}`, 'seed', 'use e.g. seed 42');
  const random = new Random(seed, 101);
  const { indptr } = matrix.byUser;
  const held = new Uint8Array(matrix.byUser.indices.length);
  let positions = new Uint32Array(16);
  for (let u = 0; u < matrix.byUser.rows; u++) {
    const start = indptr[u];
    const n = indptr[u + 1] - start;
    if (n < 2) continue;
    const h = Math.min(n - 1, Math.max(1, Math.round(ratio * n)));
    if (positions.length < n) positions = new Uint32Array(n * 2);
    for (let j = 0; j < n; j++) positions[j] = start + j;
    // Partial Fisher-Yates: the first h positions become a uniform sample.
    for (let j = 0; j < h; j++) {
      const pick = j + random.int(n - j);
      const chosen = positions[pick];
      positions[pick] = positions[j];
      positions[j] = chosen;
      held[chosen] = 1;
    }
  }
  return splitByMask(matrix, held);
}

/**
 * Leave-last-out: each user with >= 2 ratings holds out the one with the latest timestamp (ties: the one
 * stored last, i.e. the highest item index); ratings without a timestamp never count as latest, and a user
 * with no timestamped rating stays in train only. Needs a matrix with timestamps.
 */
export function leaveLastOutSplit(matrix: RatingMatrix): Split {
  const timestamps = matrix.timestamps;
  if (!timestamps) {
    throw new UserInputError(
      'leave-last-out needs timestamps, but these ratings have none',
      'split',
      'use the random holdout split (split: "holdout") or load a file with a timestamp column',
    );
  }
  const { indptr } = matrix.byUser;
  const held = new Uint8Array(matrix.byUser.indices.length);
  for (let u = 0; u < matrix.byUser.rows; u++) {
    if (indptr[u + 1] - indptr[u] < 2) continue;
    let latest = -1;
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      if (!Number.isNaN(timestamps[p]) && (latest < 0 || timestamps[p] >= timestamps[latest])) latest = p;
    }
    if (latest >= 0) held[latest] = 1;
  }
  return splitByMask(matrix, held);
}

export interface ValidationSplitOptions {
  /** Users held out from (a seeded sample of those with >= 2 interactions). */
  users: number;
  seed: number;
  /** Share of each sampled user's interactions held out. Default 0.2. */
  share?: number;
}

export interface ValidationSplit extends Split {
  /** 'time': each sampled user's latest interactions (the matrix has timestamps); 'random': a seeded random share. */
  kind: 'time' | 'random';
  share: number;
  /** The sampled users, ascending: each has >= 1 held-out and >= 1 training interaction. */
  users: number[];
}

/**
 * A build's validation split: a seeded sample of at most `users` users with >= 2 interactions each hold out
 * h = clamp(round(share·n), 1, n − 1) of their n interactions — the latest by timestamp when the matrix has
 * timestamps (untimed ones count as oldest; ties: the one stored later), else a seeded uniform choice. Every other
 * user's interactions all stay in train, so the candidates train on nearly all the data.
 */
export function validationSplit(matrix: RatingMatrix, options: ValidationSplitOptions): ValidationSplit {
  const share = options.share ?? 0.2;
  const { indptr } = matrix.byUser;
  const eligible: number[] = [];
  for (let u = 0; u < matrix.byUser.rows; u++) if (indptr[u + 1] - indptr[u] >= 2) eligible.push(u);
  const users = sampleUsers(eligible, options.users, options.seed);
  const held = new Uint8Array(matrix.byUser.indices.length);
  const times = matrix.timestamps;
  const random = new Random(options.seed, 303);
  for (const u of users) {
    const start = indptr[u];
    const n = indptr[u + 1] - start;
    const h = Math.min(n - 1, Math.max(1, Math.round(share * n)));
    const positions = Array.from({ length: n }, (_, j) => start + j);
    if (times) {
      const time = (p: number): number => (Number.isNaN(times[p]) ? -Infinity : times[p]);
      positions.sort((a, b) => time(a) - time(b) || a - b);
      for (let j = n - h; j < n; j++) held[positions[j]] = 1;
    } else {
      for (let j = 0; j < h; j++) {
        const pick = j + random.int(n - j);
        [positions[j], positions[pick]] = [positions[pick], positions[j]];
        held[positions[j]] = 1;
      }
    }
  }
  return { ...splitByMask(matrix, held), kind: times ? 'time' : 'random', share, users };
}

/** All of `users`, or `maxUsers` of them chosen uniformly by seed, in ascending order. */
export function sampleUsers(users: readonly number[], maxUsers: number | undefined, seed: number): number[] {
  if (maxUsers === undefined || maxUsers >= users.length) return users.slice();
  const pool = users.slice();
  const random = new Random(seed, 202);
  for (let j = 0; j < maxUsers; j++) {
    const pick = j + random.int(pool.length - j);
    [pool[j], pool[pick]] = [pool[pick], pool[j]];
  }
  return pool.slice(0, maxUsers).sort((a, b) => a - b);
}

/** Train = the entries not held (CSR filtered, timestamps kept aligned); test = the held entries per user. */
function splitByMask(matrix: RatingMatrix, held: Uint8Array): Split {
  const source = matrix.byUser;
  const nnz = source.indices.length;
  let heldCount = 0;
  for (let p = 0; p < nnz; p++) heldCount += held[p];
  const keep = nnz - heldCount;
  const indptr = new Uint32Array(source.rows + 1);
  const indices = new Uint32Array(keep);
  const values = new Float32Array(keep);
  const timestamps = matrix.timestamps ? new Float64Array(keep) : undefined;
  const test = new Map<number, Set<number>>();
  let next = 0;
  for (let u = 0; u < source.rows; u++) {
    for (let p = source.indptr[u]; p < source.indptr[u + 1]; p++) {
      if (held[p]) {
        let items = test.get(u);
        if (!items) test.set(u, (items = new Set()));
        items.add(source.indices[p]);
      } else {
        indices[next] = source.indices[p];
        values[next] = source.values[p];
        if (timestamps && matrix.timestamps) timestamps[next] = matrix.timestamps[p];
        next++;
      }
    }
    indptr[u + 1] = next;
  }
  const byUser: CsrMatrix = { rows: source.rows, cols: source.cols, indptr, indices, values };
  const train: RatingMatrix = {
    users: matrix.users,
    items: matrix.items,
    byUser,
    byItem: transpose(byUser),
    timestamps,
  };
  return { train, test };
}
