/**
 * Which rule should combine a user's typed events on one item (data/combine-events.ts)? An offline comparison on
 * the synthetic generator's typed events, whose latent ratings give a ground truth no combine rule can see.
 *
 * Split: per user, each interaction (all its events together) is held out with probability `ratio` (seeded; at
 * least one interaction stays in train). Relevant = held-out interactions whose latent rating is >= 4 (liked), so
 * the test set is the same for every rule. Train: the remaining events weighted by `weights` (weight 0 dropped),
 * one matrix per rule from the same log (same dictionaries), plus an `unweighted` row (every pair 1: the types
 * ignored). Each is scored with the same recommender (item- or user-based, default similarity) at k.
 *
 * Deterministic: the same options give the same table (tested in test/engine/synthetic-events.test.ts).
 */
import { InteractionLog, buildRatingMatrix, COMBINE_RULES, type CombineRule } from '../data/index.js';
import { InMemoryModel } from '../recommend/index.js';
import { Random } from '../shared/random.js';
import { EVENT_TYPES, SyntheticEventSource, type SyntheticOptions } from '../synthetic/index.js';
import type { Algorithm, RatingMatrix } from '../types.js';
import { scoreRecommender } from './score.js';
import type { EvaluationReport, EvaluationRow } from './types.js';

export interface CombineRuleEvaluationOptions {
  synthetic: SyntheticOptions;
  /** Weight of each synthetic event type (view, play, complete, like, skip, dislike). */
  weights: Readonly<Record<string, number>>;
  rules?: readonly CombineRule[];
  algorithms?: readonly Exclude<Algorithm, 'popularity'>[];
  halfLifeDays?: number;
  ratio?: number;
  k?: number;
  seed?: number;
}

export async function evaluateCombineRules(options: CombineRuleEvaluationOptions): Promise<EvaluationReport> {
  const { ratio = 0.2, k = 10, seed = 1 } = options;
  const events = new SyntheticEventSource(options.synthetic);
  const { users } = events.source.options;
  const weightOf = EVENT_TYPES.map((type) => options.weights[type] ?? 0);
  const train = new InteractionLog();
  const unweighted = new InteractionLog();
  const heldLiked = new Map<string, string[]>(); // user id -> liked held-out item ids
  let trainPairs = 0;
  let testPairs = 0;
  for (let u = 0; u < users; u++) {
    const rows = events.fillUser(u);
    const user = events.source.userId(u);
    const random = new Random(seed, 303, u);
    const held = new Map<number, boolean>(); // item -> held out (decided once per interaction)
    for (let r = 0; r < rows; r++) {
      const item = events.item[r];
      let out = held.get(item);
      if (out === undefined) {
        // The first interaction always trains, so every user is known to the model.
        out = held.size > 0 && random.next() < ratio;
        held.set(item, out);
        if (out) testPairs++;
        else trainPairs++;
        if (out && events.rating[r] >= 4) {
          const liked = heldLiked.get(user) ?? [];
          liked.push(events.source.itemId(item));
          heldLiked.set(user, liked);
        }
      }
      if (out) continue;
      const itemId = events.source.itemId(item);
      const weight = weightOf[events.type[r]];
      if (weight !== 0) train.add(user, itemId, weight, events.timestamp[r]);
      unweighted.add(user, itemId, 1, events.timestamp[r]);
    }
  }

  const rows: EvaluationRow[] = [];
  const algorithms = options.algorithms ?? ['item'];
  const matrices: [string, RatingMatrix][] = [
    ['unweighted', buildRatingMatrix(unweighted).matrix],
    ...(options.rules ?? COMBINE_RULES).map((rule): [string, RatingMatrix] => [
      rule,
      buildRatingMatrix(train, { rule, halfLifeDays: options.halfLifeDays }).matrix,
    ]),
  ];
  for (const algorithm of algorithms) {
    for (const [name, matrix] of matrices) {
      const started = performance.now();
      const model = await InMemoryModel.build(matrix, { models: [algorithm] });
      const buildSeconds = (performance.now() - started) / 1000;
      const test = new Map<number, Set<number>>();
      for (const [user, items] of heldLiked) {
        const index = matrix.users.indexOf(user);
        const known = items.map((item) => matrix.items.indexOf(item)).filter((i): i is number => i !== undefined);
        if (index !== undefined && known.length > 0) test.set(index, new Set(known));
      }
      const testUsers = [...test.keys()].sort((a, b) => a - b);
      const recommendStarted = performance.now();
      const metrics = scoreRecommender({ train: matrix, test }, testUsers, k, (user) => {
        const result = model.recommendForUser(matrix.users.idAt(user), { limit: k, algorithm, explainTop: 0 });
        return {
          items: result.items.map(({ item }) => matrix.items.indexOf(item) as number),
          fallback: result.fallback !== undefined,
        };
      });
      rows.push({
        name,
        algorithm,
        ...metrics,
        buildSeconds,
        recommendSeconds: (performance.now() - recommendStarted) / 1000,
      });
    }
  }
  return {
    k,
    dataset: { users, items: events.source.options.items, ratings: trainPairs + testPairs },
    split: {
      kind: 'holdout',
      ratio,
      seed,
      trainRatings: trainPairs,
      testRatings: testPairs,
      testUsers: heldLiked.size,
    },
    evaluatedUsers: rows[0]?.users ?? 0,
    rows,
  };
}
