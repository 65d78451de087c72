/**
 * The evaluation inside every build: hold out a validation split (split.ts `validationSplit`), train each candidate
 * model on the rest, score NDCG@10, Recall@10, HitRate@10 and catalogue coverage against popularity, and choose the
 * best candidate by NDCG@10. With a promotion gate, the active version's model is retrained on the same training
 * part and scored on the same users, so the two are compared on the same new data.
 *
 * Safety properties (tests in test/engine/model-selection.test.ts):
 * - the chosen candidate has the highest validation NDCG@10 (ties: the earlier, cheaper candidate);
 * - widening tries one more candidate at a time, while `next` names one, at most maxSteps;
 * - popularity is always scored and never chosen; the table lists every candidate in the order given;
 * - the gate fails exactly when new < active·(1 − maxNdcgDrop), and says both scores; an active content or hybrid
 *   model the build cannot retrain (its catalogue is gone) is not compared, and the reason says so;
 * - the same matrix, candidates and seed give the same table;
 * - with a hybrid stage, one hybrid per γ × β is scored after the CF candidates (and the widening), on the best item-row
 *   CF candidate (EASE or item-knn); a required stage (named hybrid) chooses among the hybrids only; under auto
 *   the best hybrid is chosen only when it beats the best other candidate by HYBRID_MIN_GAIN
 *   (test/engine/content-selection.test.ts).
 *
 * Content and hybrid candidates score cold items: an item whose interactions were all held out has none in the
 * training part, so only content rows can recommend it. The catalogue is vectorised once per validation (the
 * training part keeps the matrix's item dictionary, so every candidate shares the row dictionary), and the hybrids
 * reuse the best CF candidate's item rows rather than training them again.
 */
import type { CatalogueEntry } from '../catalogue/types.js';
import { contentItemIds } from '../content/rows.js';
import { DEFAULT_EVALUATION_USERS } from '../model-config.js';
import { hybridCount, hybridSpecs, type HybridStage } from '../models/candidates.js';
import { describeSpec, sameSpec, servedKind, usesContent, type ModelSpec } from '../models/spec.js';
import {
  computeModelBlocks,
  InMemoryModel,
  newModelBuildCache,
  popularityRanking,
  recommendPopular,
  type ModelBuildCache,
} from '../recommend/index.js';
import { UserInputError, type IdDictionaryView, type NeighbourBlock, type RatingMatrix } from '../types.js';
import { scoreRecommender } from './score.js';
import { validationSplit, type ValidationSplit } from './split.js';
import type { RankedList } from './types.js';

/**
 * Under auto a hybrid replaces the best other candidate only when its NDCG@10 is at least this share higher. A
 * hybrid keeps its CF part whole (recommend/hybrid-rows.ts), so where the catalogue says nothing about taste it
 * scores within about ±0.1% of its CF model on the generator's data (docs/SYNTHETIC.md), and a strict `>` would
 * pick it by noise; the near-tie goes to the model that does not depend on the catalogue.
 */
export const HYBRID_MIN_GAIN = 0.01;

/** Validation lists are scored at 10, the cut-off the published comparisons use. */
export const VALIDATION_K = 10;

export interface CandidateScore {
  /** `popularity`, or the candidate's label (describeSpec). */
  name: string;
  /** Absent for the popularity baseline. */
  spec?: ModelSpec;
  ndcg: number;
  recall: number;
  hitRate: number;
  /** Distinct items recommended to the validation users / items in the catalogue. */
  coverage: number;
  /** Validation users whose list came from the popularity fallback. */
  fallbackUsers: number;
  trainSeconds: number;
  scoreSeconds: number;
}

export interface GateDecision {
  passed: boolean;
  maxNdcgDrop: number;
  activeNdcg: number;
  newNdcg: number;
  message: string;
}

export interface ValidationReport {
  k: number;
  split: {
    kind: ValidationSplit['kind'];
    share: number;
    seed: number;
    users: number;
    heldOut: number;
    trainInteractions: number;
  };
  /** Popularity first, then the candidates in the order given. */
  candidates: CandidateScore[];
  /** The name of the best candidate by NDCG@10. */
  chosen: string;
  /** Why it was chosen, in one sentence with the figures. */
  reason: string;
  /** The active version's model retrained on the same data (only with a promotion gate and an active model). */
  active?: CandidateScore;
  gate?: GateDecision;
}

export interface ValidateModelsOptions {
  candidates: readonly ModelSpec[];
  /** Validation users sampled. Default DEFAULT_EVALUATION_USERS. */
  users?: number;
  seed?: number;
  threads?: number;
  /** With `active`: score the active version's model too, and decide whether the best candidate may replace it. */
  gate?: { maxNdcgDrop: number; active: ModelSpec };
  /**
   * Candidates beyond the list: `next(scored)` names one more to try given every score so far (e.g. EASE's λ past
   * the grid's edge while the best EASE is there), up to `maxSteps` times; undefined stops.
   */
  widen?: { maxSteps: number; next(scored: readonly CandidateScore[]): ModelSpec | undefined };
  /** `done` of `total` candidates trained and scored (popularity and the active model included; widening not). */
  onProgress?(done: number, total: number): void;
  /** The dataset's catalogue entries: content and hybrid candidates are built from them. */
  catalogue?: ReadonlyMap<string, CatalogueEntry>;
  /** Hybrids after the CF stage (models/candidates.ts hybridStageOf). */
  hybrid?: HybridStage;
}

export interface ValidationOutcome {
  report: ValidationReport;
  /** The spec of the chosen candidate. */
  chosen: ModelSpec;
}

export async function validateModels(matrix: RatingMatrix, options: ValidateModelsOptions): Promise<ValidationOutcome> {
  if (options.candidates.length === 0)
    throw new UserInputError('no candidate models to validate', 'model', 'name a model or use "auto"');
  const seed = options.seed ?? 1;
  const split = validationSplit(matrix, { users: options.users ?? DEFAULT_EVALUATION_USERS, seed });
  if (split.users.length === 0) {
    throw new UserInputError(
      'the build cannot evaluate its model: no user has 2 or more interactions to hold one out',
      'evaluate',
      'Upload more interactions per user, or set "evaluate": false and name a model.',
    );
  }
  const active = options.gate?.active;
  const needsActive = active !== undefined && !options.candidates.some((spec) => sameSpec(spec, active));
  const hybrids = options.hybrid ? hybridCount(options.hybrid) : 0;
  const total = 1 + options.candidates.length + hybrids + (needsActive ? 1 : 0);
  let done = 0;
  const progress = (): void => options.onProgress?.(++done, total);
  // Coverage is of every item a list could hold: with a catalogue, its items nobody interacted with too (content and
  // hybrid lists may hold them), the same denominator for every candidate so their coverage compares.
  const catalogueItems = options.catalogue
    ? contentItemIds(split.train.items, options.catalogue).size
    : split.train.items.size;
  const build: BuildContext = {
    threads: options.threads,
    catalogue: options.catalogue,
    cache: newModelBuildCache(),
    catalogueItems,
  };
  // The best item-row CF candidate so far (its rows kept in the cache): what the hybrids blend.
  let bestCf: CandidateScore | undefined;
  const scoreAndKeep = async (spec: ModelSpec): Promise<CandidateScore> => {
    const { scored, itemBlock } = await scoreSpec(split, spec, build);
    if ((spec.model === 'ease' || spec.model === 'item-knn') && (bestCf === undefined || scored.ndcg > bestCf.ndcg)) {
      bestCf = scored;
      build.cache.cf = { spec, block: itemBlock! };
    }
    return scored;
  };

  const candidates: CandidateScore[] = [scorePopularity(split, catalogueItems)];
  progress();
  for (const spec of options.candidates) {
    candidates.push(await scoreAndKeep(spec));
    progress();
  }
  let best = candidates[1];
  for (const candidate of candidates.slice(2)) if (candidate.ndcg > best.ndcg) best = candidate;
  // Candidates past the list (EASE's λ past the grid's edge): one at a time while `next` names one.
  for (let step = 0; step < (options.widen?.maxSteps ?? 0); step++) {
    const next = options.widen?.next(candidates);
    if (next === undefined) break;
    const scored = await scoreAndKeep(next);
    candidates.push(scored);
    if (scored.ndcg > best.ndcg) best = scored;
  }
  // A hybrid that scored above the chosen model but by less than HYBRID_MIN_GAIN (named in the reason).
  let nearTie: CandidateScore | undefined;
  if (options.hybrid && bestCf) {
    let bestHybrid: CandidateScore | undefined;
    for (const spec of hybridSpecs(bestCf.spec!, options.hybrid)) {
      const { scored } = await scoreSpec(split, spec, build);
      candidates.push(scored);
      progress();
      if (bestHybrid === undefined || scored.ndcg > bestHybrid.ndcg) bestHybrid = scored;
    }
    if (options.hybrid.required) best = bestHybrid!;
    else if (bestHybrid!.ndcg > best.ndcg * (1 + HYBRID_MIN_GAIN)) best = bestHybrid!;
    else if (bestHybrid!.ndcg > best.ndcg) nearTie = bestHybrid;
  } else if (options.hybrid?.required) {
    throw new UserInputError(
      'model hybrid blends EASE or item-knn rows, but the validation had no such candidate to build it on',
      'model',
      'Leave "models" out or include "item" in it.',
    );
  }
  build.cache.cf = undefined;

  const report: ValidationReport = {
    k: VALIDATION_K,
    split: {
      kind: split.kind,
      share: split.share,
      seed,
      users: split.users.length,
      heldOut: [...split.test.values()].reduce((sum, items) => sum + items.size, 0),
      trainInteractions: split.train.byUser.indices.length,
    },
    candidates,
    chosen: best.name,
    reason: reasonFor(best, candidates, nearTie),
  };
  if (options.gate && active && needsActive && usesContent(active) && !build.catalogue) {
    // The active model was built from a catalogue the dataset no longer has: it cannot be retrained on this data,
    // so there is nothing to compare with. Said in the reason (and so in the job), not failed and not hidden.
    progress();
    report.reason +=
      ` The promotion gate did not compare: the active model, ${describeSpec(active)}, was built from a catalogue ` +
      'this build does not have (upload it again to compare against it).';
  } else if (options.gate && active) {
    report.active = needsActive
      ? (await scoreSpec(split, active, build)).scored
      : candidates.find((c) => c.spec && sameSpec(c.spec, active));
    if (needsActive) progress();
    report.gate = gateDecision(best.ndcg, report.active!.ndcg, options.gate.maxNdcgDrop, report.active!.name);
  }
  return { report, chosen: best.spec! };
}

/** The gate: the new model may lose at most `maxNdcgDrop` of the active model's NDCG@10. */
export function gateDecision(newNdcg: number, activeNdcg: number, maxNdcgDrop: number, activeName: string) {
  const floor = activeNdcg * (1 - maxNdcgDrop);
  const passed = newNdcg >= floor;
  const figures = `validation NDCG@10 ${newNdcg.toFixed(4)} against ${activeNdcg.toFixed(4)} for the active model, ${activeName}, retrained on the same data`;
  return {
    passed,
    maxNdcgDrop,
    activeNdcg,
    newNdcg,
    message: passed
      ? `Promotion gate passed: ${figures} (at most ${formatShare(maxNdcgDrop)} lower allowed).`
      : `Promotion gate held this version back: ${figures}, more than the ${formatShare(maxNdcgDrop)} drop allowed ` +
        `(promotionGate.maxNdcgDrop). The version is kept, not active: activate it with a rollback to it.`,
  } satisfies GateDecision;
}

function scorePopularity(split: ValidationSplit, catalogueItems: number): CandidateScore {
  const started = performance.now();
  const { train } = split;
  const popularity = popularityRanking(train);
  const trainSeconds = seconds(started);
  return score(
    split,
    'popularity',
    undefined,
    trainSeconds,
    (user) => ({
      items: indicesOf(
        train.items,
        recommendPopular(popularity, { limit: VALIDATION_K, explainTop: 0 }, seen(train, user)),
      ),
    }),
    catalogueItems,
  );
}

interface BuildContext {
  threads?: number;
  catalogue?: ReadonlyMap<string, CatalogueEntry>;
  cache: ModelBuildCache;
  /** Items in the catalogue, those nobody interacted with included: coverage's denominator. */
  catalogueItems: number;
}

async function scoreSpec(
  split: ValidationSplit,
  spec: ModelSpec,
  build: BuildContext,
): Promise<{ scored: CandidateScore; itemBlock?: NeighbourBlock }> {
  const started = performance.now();
  const { train } = split;
  const { blocks, content } = await computeModelBlocks(train, {
    spec,
    models: [servedKind(spec)],
    threads: build.threads,
    ...(build.catalogue ? { catalogue: build.catalogue } : {}),
    cache: build.cache,
  });
  // Scored without explanations: no shared terms to compute for the rows the lists touch.
  const model = InMemoryModel.fromNeighbours(train, blocks, spec, content, { terms: false });
  const trainSeconds = seconds(started);
  // Content and hybrid lists may hold catalogue items beyond the matrix: their row index (past every matrix item)
  // is never a held-out item, so they count as misses rather than being dropped from the list.
  const rowIds = model.rowIds('item');
  // The lists are made in chunks with a yield between them, so the build's lease heartbeat keeps running.
  const lists = new Map<number, RankedList>();
  for (let from = 0; from < split.users.length; from += USERS_PER_CHUNK) {
    for (const user of split.users.slice(from, from + USERS_PER_CHUNK)) {
      const result = model.recommendForUser(train.users.idAt(user), { limit: VALIDATION_K, explainTop: 0 });
      lists.set(user, { items: indicesOf(rowIds, result), fallback: result.fallback !== undefined });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    scored: score(
      split,
      describeSpec(spec),
      spec,
      trainSeconds,
      (user) => lists.get(user)!,
      build.catalogueItems,
      started,
    ),
    ...(blocks.item ? { itemBlock: blocks.item } : {}),
  };
}

const USERS_PER_CHUNK = 200;

function score(
  split: ValidationSplit,
  name: string,
  spec: ModelSpec | undefined,
  trainSeconds: number,
  recommend: (user: number) => RankedList,
  catalogueItems: number,
  trainingStarted?: number,
): CandidateScore {
  const started = trainingStarted === undefined ? performance.now() : trainingStarted + trainSeconds * 1000;
  const metrics = scoreRecommender(split, split.users, VALIDATION_K, recommend, undefined, catalogueItems);
  return {
    name,
    ...(spec ? { spec } : {}),
    ndcg: metrics.ndcg,
    recall: metrics.recall,
    hitRate: metrics.hitRate,
    coverage: metrics.coverage,
    fallbackUsers: metrics.fallbackUsers,
    trainSeconds,
    scoreSeconds: seconds(started),
  };
}

function reasonFor(best: CandidateScore, candidates: readonly CandidateScore[], nearTie?: CandidateScore): string {
  const others = candidates.filter((c) => c !== best && c.name !== 'popularity');
  const runnerUp = others.reduce<CandidateScore | undefined>(
    (a, c) => (a === undefined || c.ndcg > a.ndcg ? c : a),
    undefined,
  );
  const popularity = candidates[0];
  const against = [
    ...(runnerUp ? [`${runnerUp.ndcg.toFixed(4)} for the next best, ${runnerUp.name}`] : []),
    `${popularity.ndcg.toFixed(4)} for popularity`,
  ].join(' and ');
  const only = others.length === 0 ? ' (the only candidate)' : '';
  if (nearTie)
    return (
      `${best.name} is chosen with validation NDCG@10 ${best.ndcg.toFixed(4)}: ${nearTie.name} scored ` +
      `${nearTie.ndcg.toFixed(4)}, less than ${formatShare(HYBRID_MIN_GAIN)} higher, and a hybrid must gain at least ` +
      `that to be chosen over a model without the catalogue (${popularity.ndcg.toFixed(4)} for popularity).`
    );
  return `${best.name}${only} has the best validation NDCG@10: ${best.ndcg.toFixed(4)}, against ${against}.`;
}

function indicesOf(ids: IdDictionaryView, result: { items: readonly { item: string }[] }): number[] {
  return result.items.map(({ item }) => ids.indexOf(item) as number);
}

function seen(train: RatingMatrix, user: number): string[] {
  const { indptr, indices } = train.byUser;
  const items: string[] = [];
  for (let p = indptr[user]; p < indptr[user + 1]; p++) items.push(train.items.idAt(indices[p]));
  return items;
}

function seconds(since: number): number {
  return Math.round(performance.now() - since) / 1000;
}

function formatShare(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}
