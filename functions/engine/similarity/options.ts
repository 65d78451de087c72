import {
  DEFAULT_SIMILARITY_OPTIONS,
  UserInputError,
  type SimilarityMeasure,
  type SimilarityOptions,
} from '../types.js';

export const SIMILARITY_MEASURES: readonly SimilarityMeasure[] = ['cosine', 'adjusted-cosine', 'pearson', 'jaccard'];
export const MAX_K = 500;

/**
 * Fills defaults and validates. Undefined fields take their defaults; every invalid field throws a
 * UserInputError naming the option, the allowed range and the value given.
 */
export function resolveSimilarityOptions(options: Partial<SimilarityOptions> = {}): SimilarityOptions {
  const resolved: SimilarityOptions = {
    measure: options.measure ?? DEFAULT_SIMILARITY_OPTIONS.measure,
    k: options.k ?? DEFAULT_SIMILARITY_OPTIONS.k,
    shrinkage: options.shrinkage ?? DEFAULT_SIMILARITY_OPTIONS.shrinkage,
    minSupport: options.minSupport ?? DEFAULT_SIMILARITY_OPTIONS.minSupport,
    implicit: options.implicit ?? DEFAULT_SIMILARITY_OPTIONS.implicit,
  };
  if (!SIMILARITY_MEASURES.includes(resolved.measure)) {
    throw invalid('measure', `must be one of ${SIMILARITY_MEASURES.join(', ')}`, resolved.measure);
  }
  if (!Number.isInteger(resolved.k) || resolved.k < 1 || resolved.k > MAX_K) {
    throw invalid('k', `must be an integer from 1 to ${MAX_K}`, resolved.k);
  }
  if (typeof resolved.shrinkage !== 'number' || !Number.isFinite(resolved.shrinkage) || resolved.shrinkage < 0) {
    throw invalid('shrinkage', 'must be a finite number >= 0 (0 turns shrinkage off)', resolved.shrinkage);
  }
  if (!Number.isInteger(resolved.minSupport) || resolved.minSupport < 1) {
    throw invalid('minSupport', 'must be an integer >= 1', resolved.minSupport);
  }
  if (typeof resolved.implicit !== 'boolean') {
    throw invalid('implicit', 'must be true or false', resolved.implicit);
  }
  return resolved;
}

function invalid(option: string, rule: string, got: unknown): UserInputError {
  return new UserInputError(
    `similarity option ${option} ${rule} (got ${typeof got === 'string' ? JSON.stringify(got) : String(got)})`,
    option,
    `set ${option} to a value that ${rule.replace(/^must be/, 'is')}`,
  );
}
