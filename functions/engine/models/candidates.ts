/**
 * What a config asks the build to compare, as resolved ModelSpecs: under `auto` item-knn, user-knn and EASE over a
 * λ grid, then content when the dataset has a catalogue; a named model alone (EASE over the λ grid when no λ is
 * given, so validation still picks λ). Hybrid candidates come after the CF stage (hybridStageOf, hybridSpecs): they
 * are built on the best item-row CF candidate, so validateModels adds them once it knows which that is.
 *
 * Safety properties (tests in test/engine/model-candidates.test.ts):
 * - the λ grid is EASE_LAMBDA_FACTORS × the mean of diag(XᵀX), so it follows the scale of the values;
 * - `ease.method: auto` is exact up to EXACT_EASE_AUTO_MAX_ITEMS items and approximate beyond; `exact` beyond what
 *   the dense Gram may take is refused by the EASE kernel before any work.
 * - content and hybrid candidates exist only with a catalogue; named without one, a UserInputError naming `model`
 *   (test/engine/content-candidates.test.ts).
 */
import type { ContentOptions } from '../content/config.js';
import { EASE_LAMBDA_BOUNDS, modelChoiceOf, similarityOptionsOf, type ModelConfig } from '../model-config.js';
import { UserInputError, type RatingMatrix } from '../types.js';
import type { EaseMethod, EaseSpec, HybridSpec, ModelChoice, ModelSpec } from './spec.js';

/**
 * Items up to which `ease.method: auto` is exact: one exact factorisation takes about 75 s at 10,000 items on a
 * 6-vCPU build Lambda and a validation with three λ needs four (docs/BENCHMARKS.md, "EASE"); beyond, the per-item
 * approximation, whose cost grows with items × neighbourhood³ rather than items³.
 */
export const EXACT_EASE_AUTO_MAX_ITEMS = 10_000;

/**
 * λ candidates as multiples of the mean diagonal of XᵀX (an item's Σ_u x_ui²). Published EASE λ (about 500 on
 * MovieLens-20M binary, hundreds on ratings) sit near 0.5–1× this mean; the grid spans 16× around it.
 */
export const EASE_LAMBDA_FACTORS = [0.25, 1, 4] as const;
/** The factor used when there is no validation to choose λ (evaluate: false). */
export const DEFAULT_EASE_LAMBDA_FACTOR = 1;

/** Mean over items of Σ_u x_ui² (1 for an empty matrix, so λ stays positive). */
export function meanGramDiagonal(matrix: RatingMatrix): number {
  const { values } = matrix.byItem;
  let sum = 0;
  for (let p = 0; p < values.length; p++) sum += values[p] * values[p];
  const items = matrix.byItem.rows;
  return items > 0 && sum > 0 ? sum / items : 1;
}

export function easeLambdaGrid(matrix: RatingMatrix, factors: readonly number[] = EASE_LAMBDA_FACTORS): number[] {
  const base = meanGramDiagonal(matrix);
  return factors.map((factor) => Number((factor * base).toPrecision(3)));
}

export function easeMethodFor(method: 'auto' | EaseMethod, items: number): EaseMethod {
  if (method !== 'auto') return method;
  return items <= EXACT_EASE_AUTO_MAX_ITEMS ? 'exact' : 'approximate';
}

/** The EASE specs of a config: its λ, or the grid (several) when the build validates, else the grid's middle. */
export function easeSpecs(config: ModelConfig, matrix: RatingMatrix, validating: boolean): EaseSpec[] {
  const method = easeMethodFor(config.ease.method, matrix.byItem.rows);
  const lambdas =
    config.ease.lambda !== undefined
      ? [config.ease.lambda]
      : validating
        ? easeLambdaGrid(matrix)
        : easeLambdaGrid(matrix, [DEFAULT_EASE_LAMBDA_FACTOR]);
  return lambdas.map((lambda) => ({ model: 'ease', lambda, k: config.ease.k, method }));
}

/**
 * The candidates the build's validation compares (popularity, the baseline, is always scored beside them).
 * `hasCatalogue`: the dataset has catalogue entries (content candidates under auto; needed by content and hybrid).
 * Named `hybrid`: auto's item-row CF candidates (the hybrids follow them, see hybridStageOf), or without a
 * validation one hybrid on EASE at the grid's middle λ, γ and β the config's or the defaults.
 */
export function candidateSpecs(
  config: ModelConfig,
  matrix: RatingMatrix,
  validating = config.evaluate,
  hasCatalogue = false,
): ModelSpec[] {
  const similarity = similarityOptionsOf(config);
  const choice = modelChoiceOf(config);
  const rows = config.models;
  const itemRows = rows === undefined || rows.includes('item');
  switch (choice) {
    case 'item-knn':
    case 'user-knn':
      return [{ model: choice, similarity }];
    case 'ease':
      return easeSpecs(config, matrix, validating);
    case 'content':
      requireCatalogue(choice, hasCatalogue);
      return [{ model: 'content', content: config.content }];
    case 'hybrid': {
      requireCatalogue(choice, hasCatalogue);
      const cf: ModelSpec[] = [{ model: 'item-knn', similarity }, ...easeSpecs(config, matrix, validating)];
      if (validating) return cf;
      const contentWeight = config.hybrid.contentWeight ?? DEFAULT_HYBRID_CONTENT_WEIGHT;
      return hybridSpecs(cf[1], { ...hybridStageOf(config, true)!, contentWeight: [contentWeight] });
    }
    case 'auto': {
      const specs: ModelSpec[] = [];
      if (itemRows) specs.push({ model: 'item-knn', similarity });
      if (rows === undefined || rows.includes('user')) specs.push({ model: 'user-knn', similarity });
      if (itemRows) specs.push(...easeSpecs(config, matrix, validating));
      if (itemRows && hasCatalogue) specs.push({ model: 'content', content: config.content });
      return specs;
    }
  }
}

/** A content or hybrid model without catalogue entries would have no content rows: refused, never built as CF. */
export function requireCatalogue(choice: ModelChoice, hasCatalogue: boolean): void {
  if (hasCatalogue) return;
  throw new UserInputError(
    `model ${choice} needs the dataset's catalogue: upload uploads/<dataset>/items.csv (or items.tsv, items.jsonl) ` +
      'with the items’ titles, text, tags or categories',
    'model',
    `Upload the catalogue, then the build runs again; or set "model" to "auto" (content and hybrid are tried only ` +
      'when there is a catalogue) or to a CF model (ease, item-knn, user-knn).',
  );
}

/**
 * γ candidates of the hybrid (its content weight for a candidate without interactions, relative to the row's
 * largest |CF| weight; recommend/hybrid-rows.ts). γ is the blend's knob: on the generator's data
 * (docs/SYNTHETIC.md, "Content and hybrid on synthetic data") at its default popularity skew γ 1 lost 15–33% of
 * CF's NDCG@10 and γ 0.1 stayed within 1.2% of CF at every contentSignal, while with flat popularity (zipf 0),
 * where text is the only within-factor signal, γ 0.1 gained 1–6% and γ 1 gained 7–11%. So the best γ depends on
 * the data: the grid spans the measured range (0.1 the safe end, 1 the flat-popularity end), about 3× apart.
 */
export const HYBRID_CONTENT_WEIGHT_GRID = [0.1, 0.3, 1] as const;
/** γ without a validation to choose it: the grid's safe end (within 1.2% of CF on skewed data). */
export const DEFAULT_HYBRID_CONTENT_WEIGHT = 0.1;
/**
 * β unless the config fixes it: a candidate item with β interactions gets half the content weight of a cold one.
 * Not a grid: the β grid [0.5, 2, 8] once validated here scored within 0.5% of one another at every shape and seed
 * measured (docs/SYNTHETIC.md), since most of the content part goes to candidates with no or few interactions
 * whatever β is; one β keeps the hybrid stage at three candidates.
 */
export const DEFAULT_HYBRID_EVIDENCE = 2;

/** The hybrid stage of a validation: what it blends, the γ × β tried, and whether the chosen model must be a hybrid. */
export interface HybridStage {
  content: ContentOptions;
  /** γ tried (the config's, or HYBRID_CONTENT_WEIGHT_GRID). */
  contentWeight: readonly number[];
  /** β tried (the config's, or DEFAULT_HYBRID_EVIDENCE). */
  evidence: readonly number[];
  /** Named `model: "hybrid"`: the CF candidates only pick the hybrid's CF part. */
  required: boolean;
}

/** Hybrids are tried under auto with a catalogue and item rows, and for a named hybrid; undefined otherwise. */
export function hybridStageOf(config: ModelConfig, hasCatalogue: boolean): HybridStage | undefined {
  const choice = modelChoiceOf(config);
  const itemRows = config.models === undefined || config.models.includes('item');
  if (!hasCatalogue || !itemRows || (choice !== 'auto' && choice !== 'hybrid')) return undefined;
  const { contentWeight, evidence } = config.hybrid;
  return {
    content: config.content,
    contentWeight: contentWeight !== undefined ? [contentWeight] : [...HYBRID_CONTENT_WEIGHT_GRID],
    evidence: [evidence ?? DEFAULT_HYBRID_EVIDENCE],
    required: choice === 'hybrid',
  };
}

/** The hybrids a stage scores: one per γ × β. */
export function hybridCount(stage: HybridStage): number {
  return stage.contentWeight.length * stage.evidence.length;
}

/** One hybrid per γ × β of the stage (γ outer), on an item-row CF spec (EASE or item-knn). */
export function hybridSpecs(cf: ModelSpec, stage: HybridStage): HybridSpec[] {
  if (cf.model !== 'ease' && cf.model !== 'item-knn')
    throw new RangeError(`a hybrid blends EASE or item-knn rows, not ${cf.model}`);
  const itemCf = cf as HybridSpec['cf'];
  return stage.contentWeight.flatMap((contentWeight) =>
    stage.evidence.map((evidence): HybridSpec => ({
      model: 'hybrid',
      cf: itemCf,
      content: stage.content,
      contentWeight,
      evidence,
    })),
  );
}

/** Past the grid's edge, λ moves by this factor per step (the grid's own spacing). */
export const EASE_LAMBDA_STEP = 4;
/** Steps past the edge at most: the grid spans 16×, so the search spans up to 256×. */
export const EASE_LAMBDA_MAX_STEPS = 2;

/**
 * The next λ to try while the best-scoring EASE candidate so far sits on the edge of the λs tried (at least two):
 * 4× past the largest, or ÷4 below the smallest; undefined once the best is inside, past the bounds, or when no
 * EASE was tried. Whatever model wins overall, EASE's λ is searched to its best before the comparison.
 */
export function nextEaseLambda(
  scored: readonly { spec?: ModelSpec; ndcg: number }[],
  bounds: { min: number; max: number },
): EaseSpec | undefined {
  let best: EaseSpec | undefined;
  let bestNdcg = -Infinity;
  for (const c of scored) if (c.spec?.model === 'ease' && c.ndcg > bestNdcg) [best, bestNdcg] = [c.spec, c.ndcg];
  if (best === undefined) return undefined;
  const method = best.method;
  const tried = scored.flatMap((c) => (c.spec?.model === 'ease' && c.spec.method === method ? [c.spec.lambda] : []));
  if (tried.length < 2) return undefined;
  const lambda =
    best.lambda === Math.max(...tried)
      ? best.lambda * EASE_LAMBDA_STEP
      : best.lambda === Math.min(...tried)
        ? best.lambda / EASE_LAMBDA_STEP
        : undefined;
  if (lambda === undefined || lambda < bounds.min || lambda > bounds.max) return undefined;
  const rounded = Number(lambda.toPrecision(3));
  return tried.includes(rounded) ? undefined : { ...best, lambda: rounded };
}

/**
 * The λ search past the grid's edge, as validateModels' `widen`: the build and `affinity evaluate`'s auto row both
 * pass it. A config's fixed λ gives one EASE candidate, and nextEaseLambda never steps from one λ.
 */
export const EASE_LAMBDA_WIDENING = Object.freeze({
  maxSteps: EASE_LAMBDA_MAX_STEPS,
  next: (scored: readonly { spec?: ModelSpec; ndcg: number }[]) => nextEaseLambda(scored, EASE_LAMBDA_BOUNDS),
});
