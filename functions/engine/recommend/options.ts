import { DEFAULT_RECOMMEND_OPTIONS, UserInputError, type RecommendOptions } from '../types.js';

/** Longest list the engine ranks in one call (recommendations or similar entries). */
export const MAX_TOP_N = 1000;
export const MAX_EXPLAIN_TOP = 20;

/**
 * Fills in defaults and validates every option, so a bad request fails with a message that names the option.
 * Keys that are not recommend options (for example `algorithm`) are ignored.
 */
export function resolveRecommendOptions(options: Partial<RecommendOptions> = {}): RecommendOptions {
  if (typeof options !== 'object' || options === null) {
    throw new UserInputError('recommend options must be an object', 'options', 'Pass an object such as { limit: 10 }.');
  }
  const resolved: RecommendOptions = {
    limit: integerOption('limit', options.limit, DEFAULT_RECOMMEND_OPTIONS.limit, 1, MAX_TOP_N),
    excludeSeen: booleanOption('excludeSeen', options.excludeSeen, DEFAULT_RECOMMEND_OPTIONS.excludeSeen),
    normalise: booleanOption('normalise', options.normalise, DEFAULT_RECOMMEND_OPTIONS.normalise),
    explainTop: integerOption(
      'explainTop',
      options.explainTop,
      DEFAULT_RECOMMEND_OPTIONS.explainTop,
      0,
      MAX_EXPLAIN_TOP,
    ),
  };
  const exclude = idListOption('exclude', options.exclude);
  if (exclude !== undefined) resolved.exclude = exclude;
  const allow = idListOption('allow', options.allow);
  if (allow !== undefined) resolved.allow = allow;
  return resolved;
}

function integerOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new UserInputError(
      `option ${name} must be an integer from ${min} to ${max}, got ${describe(value)}`,
      name,
      `Set ${name} to a whole number between ${min} and ${max}, or leave it out for the default.`,
    );
  }
  return value;
}

function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new UserInputError(
      `option ${name} must be true or false, got ${describe(value)}`,
      name,
      `Set ${name} to true or false, or leave it out for the default.`,
    );
  }
  return value;
}

function idListOption(name: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    throw new UserInputError(
      `option ${name} must be a list of item ids, got ${describe(value)}`,
      name,
      `Pass ${name} as an array of strings.`,
    );
  }
  value.forEach((id, index) => {
    if (typeof id !== 'string') {
      throw new UserInputError(
        `option ${name}[${index}] must be an item id string, got ${describe(id)}`,
        `${name}[${index}]`,
        `Pass ${name} as an array of strings.`,
      );
    }
  });
  return value as readonly string[];
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
