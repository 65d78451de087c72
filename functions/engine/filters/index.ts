/**
 * Request-time filters and business rules: the filter syntax (GET string, POST object), its evaluation on catalogue
 * entries, backfill ("always N when N exist"), trending, and diversity (caps, MMR). Pure: the API wires them.
 */
export { isEmptyFilter, MAX_FILTER_CHARS, MAX_FILTER_VALUES, type Filter, type IncludeExclude } from './filter.js';
export {
  filtersBodySchema,
  parseFilterBody,
  parseFilterDate,
  parseFilterQuery,
  type FilterContext,
  type FiltersBody,
} from './filter-syntax.js';
export { compileFilter, filterCandidates, matches, type CatalogueLookup, type EntryPredicate } from './apply.js';
export { backfill, popularBackfill, requestAccepts, trendingBackfill, type BackfillRanking } from './backfill.js';
export {
  moreTrending,
  newestTimestampMs,
  trendingFromLog,
  trendingRanking,
  type TrendingItem,
  type TrendingOptions,
} from './trending.js';
export { arrange, type ArrangeOptions } from './arrange.js';
export {
  applyCaps,
  checkDiversity,
  GroupCaps,
  mmrOrder,
  mmrRerank,
  type DiversityCaps,
  type ItemSimilarity,
} from './diversity.js';
export { recommendTrending } from './trending-results.js';
