/**
 * The active version a request is served from, and which of its rows: a route's model kind, or the rows the
 * version's model recommends from (`served`), checked to be built from the manifest alone (else 409
 * model-not-built), before any row is read; and the model a result came from (its `model`).
 */
import { configKey } from '../adapters/bucket-layout.js';
import type { Manifest, VersionInfo } from '../adapters/store-contract.js';
import { servedKindOf } from '../adapters/version-model.js';
import { MODEL_KINDS, type ModelKind, type RecommendationResult } from '../engine/types.js';
import { modelNotBuilt } from './problems.js';

export interface ActiveModel {
  dataset: string;
  manifest: Manifest;
  version: string;
  /** The active version's manifest entry (absent only in a manifest that does not list its active version). */
  info?: VersionInfo;
  /** The model kind the request is served from (checked to be built), when it needs one. */
  kind?: ModelKind;
}

/**
 * Which rows a route needs: a model kind, `served` (the rows the active version's model recommends from: user
 * rows for user-knn, else item rows), or none.
 */
export type Needs = ModelKind | 'served' | undefined;

/**
 * The model whose rows produced a result: the version's item rows (EASE, item-knn, content or hybrid), user-knn rows
 * (user), or popularity.
 */
export type ResultModel = 'ease' | 'item-knn' | 'content' | 'hybrid' | 'user-knn' | 'popularity';
const ITEM_ROW_MODELS: ReadonlySet<string> = new Set(['ease', 'content', 'hybrid']);

/** What each model kind answers, for the model-not-built problem (a new kind must say what it is for). */
const MODEL_PURPOSES: Record<ModelKind, string> = {
  item: 'item-based recommendations (for a user or a posted history) and similar items',
  user: 'user-based recommendations and similar users',
};

/** The active version of `manifest`, with the model kind `needs` resolves to, checked to be built. */
export function resolveActive(dataset: string, manifest: Manifest, needs: Needs): ActiveModel {
  const info = manifest.versions.find((v) => v.version === manifest.activeVersion);
  // A manifest that does not list its active version says nothing about its rows: item rows, as before.
  const kind = needs === 'served' ? (info ? servedKindOf(info) : 'item') : needs;
  if (kind) requireModel(dataset, manifest, kind);
  return { dataset, manifest, version: manifest.activeVersion, ...(info ? { info } : {}), ...(kind ? { kind } : {}) };
}

/** The model whose rows gave `result`: popularity for a fallback, user-knn for user rows, else the item rows'. */
export function resultModel(active: ActiveModel, result: RecommendationResult): ResultModel {
  if (result.algorithm === 'popularity') return 'popularity';
  if (result.algorithm === 'user') return 'user-knn';
  const model = active.info?.options.model?.model;
  return model !== undefined && ITEM_ROW_MODELS.has(model) ? (model as ResultModel) : 'item-knn';
}

/** The one check that a request's model kind was built into the active version (its manifest entry says which). */
function requireModel(dataset: string, manifest: Manifest, needs: ModelKind): void {
  const built = manifest.versions.find((info) => info.version === manifest.activeVersion)?.options.models;
  // A version recorded before the options listed their model kinds says nothing: serve it as before.
  if (built === undefined || built.includes(needs)) return;
  const wanted = MODEL_KINDS.filter((kind) => kind === needs || built.includes(kind));
  throw modelNotBuilt(
    `Dataset ${JSON.stringify(dataset)} (version ${manifest.activeVersion}) has no ${needs} model: it was built with ` +
      `${built.length ? built.join(', ') : 'no model'} only, and ${MODEL_PURPOSES[needs]} need the ${needs} model.`,
    `Build it: put {"models": [${wanted.map((kind) => JSON.stringify(kind)).join(', ')}]} in ${configKey(dataset)}, ` +
      'then upload the interaction data again.',
  );
}
