/**
 * Typed events and time decay: the log -> the user x item matrix when a pair's value is more than its latest row.
 *
 * - Decay (`halfLifeDays`): each row's value × 0.5^(age / halfLifeDays), age = newest timestamp of the log - the
 *   row's timestamp. Measured from the data, not the wall clock, so the same files always give the same matrix.
 *   Numeric timestamps are seconds unless the newest is above 1e11 (then milliseconds: 1e11 s is the year 5138,
 *   1e11 ms is 1973). A row without a timestamp is a UserInputError (ingest rejects such rows first).
 * - Rules for the rows of one (user, item) pair:
 *   `latest`: the row with the latest timestamp (the last in the log on a tie) wins, then decays — the rule of
 *   plain ratings; `sum`: the sum of the decayed values; `sign-log1p`: sign(s)·log1p(|s|) of that sum s (the rule of
 *   typed events, {@link TYPED_EVENTS_RULE}, chosen by the evaluation in docs/BENCHMARKS.md); `clamp`: s limited
 *   to ±{@link CLAMP_AT}.
 * - A pair whose combined value is exactly 0 (a view cancelled by a skip) is left out and counted.
 * - Sums run in float64 in log order per pair, so the result is bit-identical run after run.
 *
 * Safety properties, each tested in test/engine/combine-events.test.ts: the same log gives the same bits; a
 * row without a timestamp under decay fails naming halfLifeDays; values stay finite and within ±MAX_ABS_VALUE.
 */
import { MAX_ABS_VALUE, UserInputError } from '../types.js';
import type { InteractionLog } from './interaction-log.js';
import { assembleMatrix, countingSortOrder, identity, type BuildMatrixResult } from './rating-matrix.js';

export const COMBINE_RULES = ['latest', 'sum', 'sign-log1p', 'clamp'] as const;
export type CombineRule = (typeof COMBINE_RULES)[number];
/** How typed events combine (see the evaluation in docs/BENCHMARKS.md, "Combining typed events"). */
export const TYPED_EVENTS_RULE: CombineRule = 'sign-log1p';
/** The bound of the `clamp` rule (about the weight of a like in the demo's eventWeights). */
export const CLAMP_AT = 4;
/** Above this the newest numeric timestamp is read as milliseconds. */
const MILLISECONDS_ABOVE = 1e11;
const SECONDS_PER_DAY = 86_400;

export interface CombineOptions {
  rule: CombineRule;
  halfLifeDays?: number;
}

export interface CombineReport {
  rule: CombineRule;
  halfLifeDays?: number;
  newestTimestamp?: number;
  timestampUnit?: 'seconds' | 'milliseconds';
  /** Pairs whose combined value was exactly 0: not in the matrix. */
  cancelledPairs: number;
  /** Each log row's value × decay (before combining): for the report's histogram. */
  effectiveWeights: Float32Array;
}

const TRANSFORMS: Record<CombineRule, (sum: number) => number> = {
  latest: (value) => value,
  sum: (sum) => sum,
  'sign-log1p': (sum) => Math.sign(sum) * Math.log1p(Math.abs(sum)),
  clamp: (sum) => Math.max(-CLAMP_AT, Math.min(CLAMP_AT, sum)),
};

export function combineEvents(log: InteractionLog, options: CombineOptions): BuildMatrixResult {
  const { user, item, value, timestamp } = log.columns();
  const n = user.length;
  const nUsers = log.users.size;
  const nItems = log.items.size;
  const decay = decayOf(timestamp, n, options.halfLifeDays);
  const effective = new Float32Array(n);
  for (let k = 0; k < n; k++) effective[k] = decay.factors ? value[k] * decay.factors[k] : value[k];

  // Stable counting sorts (by item, then user): each pair's rows are adjacent and in log order.
  const order = countingSortOrder(user, nUsers, countingSortOrder(item, nItems, identity(n)));
  const transform = TRANSFORMS[options.rule];
  const latestOnly = options.rule === 'latest';
  const indptr = new Uint32Array(nUsers + 1);
  const indices = new Uint32Array(n);
  const values = new Float32Array(n);
  const times = timestamp ? new Float64Array(n) : undefined;
  let nnz = 0;
  let pairs = 0;
  let cancelledPairs = 0;
  for (let p = 0; p < n;) {
    const first = order[p];
    const u = user[first];
    const it = item[first];
    let latest = first;
    let sum = 0;
    let q = p;
    for (; q < n && user[order[q]] === u && item[order[q]] === it; q++) {
      const row = order[q];
      sum += effective[row];
      if (!timestamp || !(timestamp[row] < timestamp[latest])) latest = row;
    }
    p = q;
    pairs++;
    const combined = latestOnly ? effective[latest] : transform(sum);
    if (combined === 0) {
      cancelledPairs++;
      continue;
    }
    if (!(Math.abs(combined) <= MAX_ABS_VALUE)) {
      throw new UserInputError(
        `the events of user ${log.users.idAt(u)} on item ${log.items.idAt(it)} sum to ${combined}, outside ±${MAX_ABS_VALUE}`,
        'eventWeights',
        'use smaller weights or ratings',
      );
    }
    indices[nnz] = it;
    values[nnz] = combined;
    if (times && timestamp) times[nnz] = timestamp[latest];
    indptr[u + 1]++;
    nnz++;
  }
  const weighting: CombineReport = { rule: options.rule, cancelledPairs, effectiveWeights: effective };
  if (options.halfLifeDays !== undefined) {
    Object.assign(weighting, {
      halfLifeDays: options.halfLifeDays,
      newestTimestamp: decay.newest,
      timestampUnit: decay.unit,
    });
  }
  return {
    matrix: assembleMatrix(log, { indptr, indices, values, times, nnz }),
    duplicatesDropped: n - pairs,
    weighting,
  };
}

/** The decay factor of every row (undefined without decay), the newest timestamp and its unit. */
function decayOf(
  timestamp: Float64Array | null,
  n: number,
  halfLifeDays: number | undefined,
): { factors?: Float64Array; newest?: number; unit?: 'seconds' | 'milliseconds' } {
  if (halfLifeDays === undefined || n === 0) return {};
  if (!(halfLifeDays > 0 && Number.isFinite(halfLifeDays))) {
    throw new UserInputError(
      `halfLifeDays must be a number of days > 0 (got ${halfLifeDays})`,
      'halfLifeDays',
      'e.g. 30',
    );
  }
  let newest = -Infinity;
  for (let k = 0; k < n; k++) {
    const t = timestamp ? timestamp[k] : NaN;
    if (t !== t) {
      throw new UserInputError(
        `halfLifeDays (time decay) is set, but row ${k + 1} of the interactions has no timestamp`,
        'halfLifeDays',
        'give every row a timestamp, or remove halfLifeDays',
      );
    }
    if (t > newest) newest = t;
  }
  const unit = newest > MILLISECONDS_ABOVE ? 'milliseconds' : 'seconds';
  const halfLife = halfLifeDays * SECONDS_PER_DAY * (unit === 'milliseconds' ? 1000 : 1);
  const factors = new Float64Array(n);
  for (let k = 0; k < n; k++) factors[k] = Math.pow(0.5, (newest - (timestamp as Float64Array)[k]) / halfLife);
  return { factors, newest, unit };
}
