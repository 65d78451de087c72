/**
 * The pieces service.ts composes each route from: the engine options of a request, the fallback rows check, and
 * the response body of a recommendation result.
 */
import { explanationRecord } from '../engine/recommend/index.js';
import type { PopularItem, RecommendationResult, RecommendOptions } from '../engine/types.js';
import { resultModel, type ActiveModel } from './active-version.js';
import { poolSize, type RequestRules, type Rules } from './request-filters.js';
import type { RecommendationsBody } from './schemas.js';

/** Contributors listed per recommendation when explanations are on. */
const EXPLAIN_TOP = 3;

export interface FilterOptions {
  limit: number;
  exclude?: readonly string[];
  allow?: readonly string[];
  explain: boolean;
  /** Request-time filter and caps (./request-filters.ts), parsed per version. */
  rules?: RequestRules;
}

/**
 * False when the result fell back to popularity and the version had none: every built version has some. A trending
 * fallback found its rows (an empty trending list falls back to popularity, ./trending-fallback.ts).
 */
export async function hasFallbackRows(
  result: RecommendationResult,
  popularity: () => Promise<PopularItem[]>,
): Promise<boolean> {
  return !result.fallback || result.fallback.algorithm === 'trending' || (await popularity()).length > 0;
}

/** With rules, the engine scores a pool larger than `limit` for arrange.ts to choose from. */
export function engineOptions(filters: FilterOptions, rules?: Rules): Partial<RecommendOptions> {
  return {
    limit: rules ? poolSize(filters.limit) : filters.limit,
    explainTop: filters.explain ? EXPLAIN_TOP : 0,
    ...(filters.exclude?.length ? { exclude: filters.exclude } : {}),
    ...(filters.allow ? { allow: filters.allow } : {}),
  };
}

export function toBody(
  active: ActiveModel,
  result: RecommendationResult,
  explain: boolean,
  extra: { userId?: string; historyUsed: number; historyCapped: boolean; liveEvents?: number },
): RecommendationsBody {
  return {
    dataset: active.dataset,
    version: active.version,
    ...(extra.userId !== undefined ? { userId: extra.userId } : {}),
    algorithm: result.algorithm,
    model: resultModel(active, result),
    ...(result.fallback ? { fallback: result.fallback } : {}),
    historyUsed: extra.historyUsed,
    historyCapped: extra.historyCapped,
    ...(extra.liveEvents !== undefined ? { liveEvents: extra.liveEvents } : {}),
    // A backfilled item keeps its label with explanations off: it says why the item is listed at all.
    items: result.items.map(({ item, score, because }) => {
      const shown = explain ? because : because.filter((reason) => reason.kind === 'backfill');
      return shown.length > 0 || explain ? { item, score, because: shown.map(explanationRecord) } : { item, score };
    }),
  };
}

/** Whether the active version has item rows (a version recorded before kinds were listed: item rows). */
export function hasItemRows(active: ActiveModel): boolean {
  const models = active.info?.options.models;
  return models === undefined || models.includes('item');
}
