/**
 * The model a stored version serves, for the API (the rows a recommendation defaults to, its label) and the
 * build (the active model the promotion gate retrains). Versions stored before models were named carry no
 * `model`: they were item-knn over their similarity options, or user-knn when they had user rows only.
 *
 * Safety property (tests: test/api/model-kinds.test.ts, test/api/served-model.test.ts): a version without
 * `model` defaults to its item rows, as the API did before models were named (a user-only one: 409, not user).
 */
import { servedKind, type ModelSpec } from '../engine/models/index.js';
import type { ModelKind } from '../engine/types.js';
import type { VersionInfo } from './store-contract.js';

export function modelOfVersion(info: Pick<VersionInfo, 'options'>): ModelSpec {
  const { model, models, similarity } = info.options;
  if (model) return model;
  return { model: models.length > 0 && !models.includes('item') ? 'user-knn' : 'item-knn', similarity };
}

/** The rows recommendations come from by default: the model's served rows; item rows on older versions. */
export function servedKindOf(info: Pick<VersionInfo, 'options'>): ModelKind {
  return info.options.model ? servedKind(info.options.model) : 'item';
}
