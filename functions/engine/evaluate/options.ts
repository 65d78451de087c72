/** Validation of the evaluation's options: every bad option is a UserInputError naming it. */
import { MAX_TOP_N } from '../recommend/index.js';
import { resolveSimilarityOptions } from '../similarity/index.js';
import { UserInputError } from '../types.js';
import type { EvaluateOptions, EvaluationAlgorithm, EvaluationConfig } from './types.js';

const ALGORITHMS: readonly EvaluationAlgorithm[] = ['item', 'user', 'popularity', 'ease', 'auto'];

/** The options with their defaults filled in; k is at most what the recommenders rank (MAX_TOP_N). */
export function checkEvaluateOptions(options: EvaluateOptions): {
  k: number;
  seed: number;
  ratio: number;
  configs: EvaluationConfig[];
} {
  if (options === null || typeof options !== 'object') {
    throw new UserInputError('evaluation options must be an object', 'options', 'pass { split, configs }');
  }
  if (options.split !== 'holdout' && options.split !== 'last') {
    throw new UserInputError(
      `split must be "holdout" or "last", got ${JSON.stringify(options.split)}`,
      'split',
      'use "holdout" (random per user) or "last" (latest rating per user; needs timestamps)',
    );
  }
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1 || k > MAX_TOP_N) {
    throw new UserInputError(`k must be an integer from 1 to ${MAX_TOP_N}, got ${String(k)}`, 'k', 'use e.g. k = 10');
  }
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed))
    throw new UserInputError(`seed must be an integer, got ${String(seed)}`, 'seed', 'use e.g. seed 42');
  if (options.maxUsers !== undefined && (!Number.isInteger(options.maxUsers) || options.maxUsers < 1)) {
    throw new UserInputError(
      `maxUsers must be a positive integer, got ${String(options.maxUsers)}`,
      'maxUsers',
      'leave it out to evaluate every test user',
    );
  }
  if (!Array.isArray(options.configs)) {
    throw new UserInputError(
      'configs must be a list of { name, algorithm, similarity? }',
      'configs',
      'pass e.g. [{ name: "item-cosine", algorithm: "item" }]',
    );
  }
  const names = new Set<string>();
  options.configs.forEach((config, index) => {
    const where = `configs[${index}]`;
    if (typeof config?.name !== 'string' || config.name.trim() === '') {
      throw new UserInputError(
        `${where} needs a non-empty name`,
        `${where}.name`,
        'give every configuration a label, e.g. "item-cosine"',
      );
    }
    if (names.has(config.name))
      throw new UserInputError(
        `two configurations are named ${JSON.stringify(config.name)}`,
        `${where}.name`,
        'give each configuration its own name',
      );
    names.add(config.name);
    if (!ALGORITHMS.includes(config.algorithm)) {
      throw new UserInputError(
        `${where} (${config.name}) has algorithm ${JSON.stringify(config.algorithm)}`,
        `${where}.algorithm`,
        `use one of ${ALGORITHMS.join(', ')}`,
      );
    }
    if (config.algorithm === 'popularity') return;
    if (config.algorithm === 'ease') {
      const { lambda, k } = config.ease ?? {};
      if (!(typeof lambda === 'number' && lambda > 0 && Number.isFinite(lambda)) || !(Number.isInteger(k) && k! >= 1))
        throw new UserInputError(
          `${where} (${config.name}) needs ease: { lambda > 0, k >= 1 }`,
          `${where}.ease`,
          'pass e.g. ease: { lambda: 250, k: 200 }',
        );
      return;
    }
    if (config.algorithm === 'auto') {
      if (!config.candidates?.length)
        throw new UserInputError(
          `${where} (${config.name}) needs the candidates its validation compares`,
          `${where}.candidates`,
          'pass the candidate ModelSpecs (candidateSpecs of a config with model auto)',
        );
      return;
    }
    try {
      resolveSimilarityOptions(config.similarity);
    } catch (error) {
      if (!(error instanceof UserInputError)) throw error;
      throw new UserInputError(
        `${where} (${config.name}): ${error.message}`,
        `${where}.similarity.${error.where ?? ''}`,
        error.hint,
      );
    }
  });
  return { k, seed, ratio: options.ratio ?? 0.2, configs: options.configs };
}
