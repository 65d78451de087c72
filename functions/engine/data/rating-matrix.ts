import type { CsrMatrix, RatingMatrix } from '../types.js';
import { IdDictionary } from './id-dictionary.js';
import { combineEvents, type CombineOptions, type CombineReport } from './combine-events.js';
import type { InteractionLog } from './interaction-log.js';

export interface BuildMatrixResult {
  matrix: RatingMatrix;
  /**
   * Interactions dropped because a later one (by timestamp, else by file order) had the same (user, item); with
   * typed events, the events merged into another of the same pair (log rows - pairs).
   */
  duplicatesDropped: number;
  /** Only when combined by combine-events.ts (typed events or time decay). */
  weighting?: CombineReport;
}

/**
 * Builds the user x item matrix in both orientations from a log.
 *
 * Duplicate (user, item) pairs: the one with the latest timestamp wins; without timestamps (or on equal
 * timestamps) the last occurrence in the file wins. Two stable counting sorts (by item, then by user) give
 * O(ratings) time and leave each (user, item) run in file order, which makes the rule above a linear scan.
 */
export function buildRatingMatrix(log: InteractionLog, combine?: CombineOptions): BuildMatrixResult {
  // Typed events and time decay combine a pair's events by their own rule (combine-events.ts).
  if (combine && (combine.rule !== 'latest' || combine.halfLifeDays !== undefined)) return combineEvents(log, combine);
  const { user, item, value, timestamp } = log.columns();
  const n = user.length;
  const nUsers = log.users.size;
  const nItems = log.items.size;

  const byItemOrder = countingSortOrder(item, nItems, identity(n));
  const order = countingSortOrder(user, nUsers, byItemOrder);

  const indptr = new Uint32Array(nUsers + 1);
  const indices = new Uint32Array(n);
  const values = new Float32Array(n);
  const times = timestamp ? new Float64Array(n) : undefined;
  let nnz = 0;
  let p = 0;
  while (p < n) {
    const first = order[p];
    const u = user[first];
    const it = item[first];
    // Find the winner of the run of identical (user, item) pairs.
    let winner = first;
    let q = p + 1;
    while (q < n && user[order[q]] === u && item[order[q]] === it) {
      const candidate = order[q];
      if (!timestamp || !(timestamp[candidate] < timestamp[winner])) winner = candidate;
      q++;
    }
    indices[nnz] = it;
    values[nnz] = value[winner];
    if (times && timestamp) times[nnz] = timestamp[winner];
    indptr[u + 1]++;
    nnz++;
    p = q;
  }
  return { matrix: assembleMatrix(log, { indptr, indices, values, times, nnz }), duplicatesDropped: n - nnz };
}

/**
 * The matrix from per-user row counts (`indptr[u + 1]` = entries of user u, in user order) and the first `nnz`
 * entries: prefix sums, then the by-item copy. Shared by the duplicate rule above and the typed-event combine.
 */
export function assembleMatrix(
  log: InteractionLog,
  rows: { indptr: Uint32Array; indices: Uint32Array; values: Float32Array; times?: Float64Array; nnz: number },
): RatingMatrix {
  const { indptr, indices, values, times, nnz } = rows;
  const nUsers = log.users.size;
  for (let u = 0; u < nUsers; u++) indptr[u + 1] += indptr[u];
  const byUser: CsrMatrix = {
    rows: nUsers,
    cols: log.items.size,
    indptr,
    indices: indices.slice(0, nnz),
    values: values.slice(0, nnz),
  };
  return {
    users: log.users,
    items: log.items,
    byUser,
    byItem: transpose(byUser),
    timestamps: times ? times.slice(0, nnz) : undefined,
  };
}

/** Transpose a CSR matrix (column indices of the result come out sorted, since rows are visited in order). */
export function transpose(m: CsrMatrix): CsrMatrix {
  const nnz = m.indices.length;
  const indptr = new Uint32Array(m.cols + 1);
  for (let k = 0; k < nnz; k++) indptr[m.indices[k] + 1]++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1] += indptr[c];
  const next = indptr.slice(0, m.cols);
  const indices = new Uint32Array(nnz);
  const values = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) {
      const dest = next[m.indices[k]]++;
      indices[dest] = r;
      values[dest] = m.values[k];
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values };
}

/** Build a CSR matrix from dense rows (tests and tiny examples); zeros are treated as "not rated". */
export function csrFromDense(dense: readonly (readonly number[])[], cols = dense[0]?.length ?? 0): CsrMatrix {
  const indptr = new Uint32Array(dense.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  dense.forEach((row, r) => {
    row.forEach((v, c) => {
      if (v !== 0) {
        indices.push(c);
        values.push(v);
      }
    });
    indptr[r + 1] = indices.length;
  });
  return { rows: dense.length, cols, indptr, indices: Uint32Array.from(indices), values: Float32Array.from(values) };
}

export function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Stable counting sort of `order` (a permutation of positions) by key[position]. */
export function countingSortOrder(key: Uint32Array, buckets: number, order: Uint32Array): Uint32Array {
  const start = new Uint32Array(buckets + 1);
  for (let i = 0; i < key.length; i++) start[key[i] + 1]++;
  for (let b = 0; b < buckets; b++) start[b + 1] += start[b];
  const out = new Uint32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const pos = order[i];
    out[start[key[pos]]++] = pos;
  }
  return out;
}

/**
 * A RatingMatrix from dense rows (users x items; 0 = not rated). Users are named u0..., items i0...
 * unless ids are given. For tests and small examples.
 */
export function ratingMatrixFromDense(
  dense: readonly (readonly number[])[],
  userIds: readonly string[] = dense.map((_, u) => `u${u}`),
  itemIds: readonly string[] = (dense[0] ?? []).map((_, i) => `i${i}`),
): RatingMatrix {
  const byUser = csrFromDense(dense, itemIds.length);
  return {
    users: IdDictionary.from(userIds),
    items: IdDictionary.from(itemIds),
    byUser,
    byItem: transpose(byUser),
  };
}
