import {
  MAX_ABS_VALUE,
  UserInputError,
  type Contribution,
  type HistoryEntry,
  type Recommendation,
  type RecommendOptions,
} from '../types.js';
import { topN } from './top-n.js';

/**
 * A history as item -> value. Duplicate items: the last entry wins (the same rule as the matrix builder's
 * "latest occurrence wins"). Throws UserInputError on a malformed entry or a non-finite value.
 */
export function historyValues(history: readonly HistoryEntry[], where = 'history'): Map<string, number> {
  if (!Array.isArray(history)) {
    throw new UserInputError(
      `${where} must be a list of { item, value } entries`,
      where,
      'Pass an array such as [{ "item": "m1", "value": 4 }].',
    );
  }
  const values = new Map<string, number>();
  history.forEach((entry: HistoryEntry, index) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.item !== 'string') {
      throw new UserInputError(
        `${where}[${index}] must be an object with a string "item"`,
        `${where}[${index}].item`,
        'Give each history entry an item id string and a numeric value.',
      );
    }
    if (typeof entry.value !== 'number' || !Number.isFinite(entry.value)) {
      throw new UserInputError(
        `${where}[${index}] (item ${JSON.stringify(entry.item)}) has value ${String(entry.value)}, which is not a finite number`,
        `${where}[${index}].value`,
        'Give each history entry a finite numeric value (1 for implicit feedback).',
      );
    }
    values.set(entry.item, entry.value);
  });
  return values;
}

/** The candidate filters shared by every algorithm and the popularity fallback: seen, `exclude`, `allow`. */
export class CandidateFilter {
  private readonly blocked = new Set<string>();
  private readonly allowed: ReadonlySet<string> | undefined;

  constructor(options: RecommendOptions, seen?: Iterable<string>) {
    if (options.excludeSeen && seen) for (const item of seen) this.blocked.add(item);
    for (const item of options.exclude ?? []) this.blocked.add(item);
    this.allowed = options.allow ? new Set(options.allow) : undefined;
  }

  accepts(item: string): boolean {
    return !this.blocked.has(item) && (this.allowed === undefined || this.allowed.has(item));
  }
}

/**
 * A score that is not a finite number: the values scored overflowed a double (far beyond MAX_ABS_VALUE, which
 * ingest and the API refuse) or a similarity was NaN. Thrown rather than answered: Infinity would go out as JSON
 * null and a NaN candidate would silently vanish from the ranking.
 */
export class NonFiniteScoreError extends RangeError {
  override readonly name = 'NonFiniteScoreError';
  constructor(
    readonly item: string,
    readonly score: number,
  ) {
    super(
      `the score of item ${JSON.stringify(item)} is ${score}: the values being scored are too large ` +
        `(interaction values are bounded by ±${MAX_ABS_VALUE})`,
    );
  }
}

interface Ranked {
  item: string;
  score: number;
  /** The un-normalised score Σ similarity·value, the denominator of each contribution's share. */
  raw: number;
}

const betterRanked = (a: Ranked, b: Ranked): boolean => a.score > b.score || (a.score === b.score && a.item < b.item);
const betterContribution = (a: Contribution, b: Contribution): boolean =>
  a.contribution > b.contribution || (a.contribution === b.contribution && a.id < b.id);

/**
 * Reports one contributor (history item or neighbour user) of a candidate item; `terms`: the catalogue terms the
 * pair shares (content and hybrid rows), carried into the contribution.
 */
export type AddContributor = (
  item: string,
  contributor: string,
  similarity: number,
  value: number,
  terms?: readonly string[],
) => void;

/**
 * Accumulates Σ similarity·value and Σ |similarity| per candidate item (one Map entry per candidate), so a
 * request costs O(contributions) plus O(C log N) for the top-N.
 */
export class ScoreBoard {
  private readonly candidates = new Map<string, Ranked & { absSimilarity: number }>();

  add(item: string, similarity: number, value: number): void {
    const candidate = this.candidates.get(item);
    if (candidate === undefined) {
      this.candidates.set(item, { item, score: 0, raw: similarity * value, absSimilarity: Math.abs(similarity) });
    } else {
      candidate.raw += similarity * value;
      candidate.absSimilarity += Math.abs(similarity);
    }
  }

  /**
   * The top `options.limit` items with a score > 0 (score desc, item id asc), each explained by its
   * `options.explainTop` largest positive contributors, each with its share of all positive contributions. `visitContributors` reports the (item, contributor) pairs of
   * the selected items (pairs of other items are ignored); it runs only when explanations are wanted.
   */
  rank(
    options: RecommendOptions,
    kind: Contribution['kind'],
    visitContributors: (selected: readonly string[], add: AddContributor) => void,
  ): Recommendation[] {
    const ranked = topN(this.positiveCandidates(options.normalise), options.limit, betterRanked);
    if (options.explainTop === 0 || ranked.length === 0)
      return ranked.map(({ item, score }) => ({ item, score, because: [] }));

    // Only what pushed an item up explains it: with signed weights (EASE) or negative values a contributor can push
    // it down, and a share of the net score could then exceed 1. Shares are of the positive contributions' sum.
    const contributors = new Map<string, { positive: number; list: Contribution[] }>();
    for (const { item } of ranked) contributors.set(item, { positive: 0, list: [] });
    const add: AddContributor = (item, id, similarity, value, terms) => {
      const entry = contributors.get(item);
      const contribution = similarity * value;
      if (entry === undefined || !(contribution > 0)) return;
      entry.positive += contribution;
      entry.list.push({ id, kind, similarity, value, contribution, share: 0, ...(terms ? { terms: [...terms] } : {}) });
    };
    visitContributors(
      ranked.map((r) => r.item),
      add,
    );
    return ranked.map(({ item, score }) => {
      const entry = contributors.get(item);
      const because = topN(entry?.list ?? [], options.explainTop, betterContribution);
      for (const contribution of because) contribution.share = contribution.contribution / entry!.positive;
      return { item, score, because };
    });
  }

  private *positiveCandidates(normalise: boolean): Generator<Ranked> {
    for (const candidate of this.candidates.values()) {
      if (!Number.isFinite(candidate.raw)) throw new NonFiniteScoreError(candidate.item, candidate.raw);
      if (!(candidate.raw > 0)) continue;
      candidate.score = normalise ? candidate.raw / candidate.absSimilarity : candidate.raw;
      if (!Number.isFinite(candidate.score)) throw new NonFiniteScoreError(candidate.item, candidate.score);
      yield candidate;
    }
  }
}
