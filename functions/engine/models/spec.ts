/**
 * The models a build can serve, by name, and the fully resolved description of one (a `ModelSpec`): what the
 * build's validation compares, what a version records, and what its rows are computed from.
 *
 * - `ease`: EASE (Steck, WWW 2019) item×item weights, signed, stored as the item rows (served by item-based scoring);
 *   `exact` (dense inverse) or `approximate` (per-item ridge regression over its co-occurring neighbourhood).
 * - `item-knn`: item-item top-k similarity rows (item-based CF).
 * - `user-knn`: user-user top-k similarity rows (user-based CF); item-knn rows are built beside them for similar
 *   items and ad-hoc histories.
 * - `content`: item rows of top-k cosine over the catalogue's term vectors (engine/content); rows exist for
 *   catalogue items nobody interacted with yet (cold items).
 * - `hybrid`: item rows blending a CF model's item rows (EASE or item-knn) with content rows: CF kept whole, content
 *   added by how little interaction evidence the candidate item has (recommend/hybrid-rows.ts).
 * Content and hybrid rows are item rows served by item-based scoring, like EASE's.
 */
import type { ContentOptions } from '../content/config.js';
import type { ModelKind, SimilarityOptions } from '../types.js';

export const MODEL_NAMES = ['ease', 'item-knn', 'user-knn', 'content', 'hybrid'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** The config's `model`: a model by name, or `auto` (the build's validation picks the best by NDCG@10). */
export const MODEL_CHOICES = ['auto', ...MODEL_NAMES] as const;
export type ModelChoice = (typeof MODEL_CHOICES)[number];

export const EASE_METHODS = ['exact', 'approximate'] as const;
export type EaseMethod = (typeof EASE_METHODS)[number];

export interface EaseSpec {
  model: 'ease';
  /** Ridge strength λ. */
  lambda: number;
  /** Weights kept per item row, by |weight|. */
  k: number;
  method: EaseMethod;
}

export interface KnnSpec {
  model: 'item-knn' | 'user-knn';
  similarity: SimilarityOptions;
}

export interface ContentSpec {
  model: 'content';
  content: ContentOptions;
}

export interface HybridSpec {
  model: 'hybrid';
  /** The CF item rows blended in: EASE or item-knn. */
  cf: EaseSpec | (KnnSpec & { model: 'item-knn' });
  content: ContentOptions;
  /**
   * γ: the content part's weight for a candidate without interactions, relative to its row's largest |CF| weight.
   * Absent only in versions stored before the spec held it: those were built with LEGACY_HYBRID_CONTENT_WEIGHT.
   */
  contentWeight: number;
  /** β: a candidate with n interactions gets content weight γ·β / (n + β) (recommend/hybrid-rows.ts). */
  evidence: number;
}

/** The γ every hybrid had before γ was chosen by the validation (and stored in the spec). */
export const LEGACY_HYBRID_CONTENT_WEIGHT = 0.1;

/** A hybrid's γ; a version stored before the spec held γ reads as the γ it was built with. */
export function hybridContentWeightOf(spec: HybridSpec): number {
  return (spec.contentWeight as number | undefined) ?? LEGACY_HYBRID_CONTENT_WEIGHT;
}

export type ModelSpec = EaseSpec | KnnSpec | ContentSpec | HybridSpec;

/** Models whose item rows need the catalogue (and cover its items without interactions). */
export function usesContent(spec: ModelSpec): spec is ContentSpec | HybridSpec {
  return spec.model === 'content' || spec.model === 'hybrid';
}

/** The rows the served model recommends from: user rows for user-knn, item rows for the others. */
export function servedKind(spec: ModelSpec): ModelKind {
  return spec.model === 'user-knn' ? 'user' : 'item';
}

/** The row kinds a version of this model has when no `models` list is given. */
export function rowKindsOf(spec: ModelSpec): ModelKind[] {
  return spec.model === 'user-knn' ? ['user', 'item'] : ['item'];
}

/**
 * A short label: `ease (λ 250, K 200, exact)`, `item-knn (cosine, k 50)`, `content (tfidf, k 50)`,
 * `hybrid (ease (λ 250, K 200, exact), γ 0.3, β 2)`.
 */
export function describeSpec(spec: ModelSpec): string {
  if (spec.model === 'ease') return `ease (λ ${formatNumber(spec.lambda)}, K ${spec.k}, ${spec.method})`;
  if (spec.model === 'content') return `content (${spec.content.scheme}, k ${spec.content.k})`;
  if (spec.model === 'hybrid')
    return `hybrid (${describeSpec(spec.cf)}, γ ${formatNumber(hybridContentWeightOf(spec))}, β ${formatNumber(spec.evidence)})`;
  const { measure, k, shrinkage } = spec.similarity;
  return `${spec.model} (${measure}, k ${k}${shrinkage > 0 ? `, shrinkage ${formatNumber(shrinkage)}` : ''})`;
}

/** Whether two specs build the same rows (the gate reuses a candidate's score for an identical active model). */
export function sameSpec(a: ModelSpec, b: ModelSpec): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(spec: ModelSpec): unknown {
  if (spec.model === 'ease') return [spec.model, spec.lambda, spec.k, spec.method];
  if (spec.model === 'content') return [spec.model, sortedKeys(spec.content)];
  if (spec.model === 'hybrid')
    return [spec.model, canonical(spec.cf), sortedKeys(spec.content), hybridContentWeightOf(spec), spec.evidence];
  const { measure, k, shrinkage, minSupport, implicit } = spec.similarity;
  return [spec.model, measure, k, shrinkage, minSupport, implicit];
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}

/** A plain value with every object's keys sorted, so equal options compare equal whatever their key order. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}
