/**
 * The model a stored version serves, for the API (the rows a recommendation defaults to) and the build (the
 * active model the promotion gate retrains). Versions stored before models were named carry no `model`: they
 * served item-knn over their similarity options, or user-knn when they had user rows only.
 *
 * Safety property (test: test/api/model-choice.test.ts): a version without `model` is served as before, from
 * its item rows whenever it has them.
 */
import { servedKind, type ModelSpec } from '../engine/models/index.js';
import type { ModelKind } from '../engine/types.js';
import type { VersionInfo } from './store-contract.js';

export function modelOfVersion(info: Pick<VersionInfo, 'options'>): ModelSpec {
  const { model, models, similarity } = info.options;
  if (model) return model;
  return { model: models.length > 0 && !models.includes('item') ? 'user-knn' : 'item-knn', similarity };
}

/** The rows recommendations come from by default. */
export function servedKindOf(info: Pick<VersionInfo, 'options'>): ModelKind {
  return servedKind(modelOfVersion(info));
}
