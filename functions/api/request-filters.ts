/**
 * Request-time filters, caps, `diversity` and `allow` in the API: the request's `filter` (GET) / `filters` (POST)
 * parsed against the active version's catalogue, then the engine's arrange.ts over a scored pool (filter, MMR by
 * the content similarity of the pool's catalogue entries, caps), with backfill from the version's popularity within
 * the same rule.
 *
 * Rounds (DynamoDB): the catalogue entries of the scored pool in one BatchGetItem round; only when fewer than
 * `limit` survive, popularity (one Query, shared with the engine's fallback) and the entries of popular items in
 * rounds of growing size (BACKFILL_ROUNDS, BACKFILL_FIRST_ROUND × 2^k items): a few rounds, each bounded.
 *
 * Safety properties (tests: test/api/filters.test.ts, test/api/diversity.test.ts; the declared attributes from a
 * real build: test/pipeline/catalogue.test.ts):
 * - A bad filter, cap or diversity is a 400 naming the field as the client wrote it (query `filter`, body
 *   `filters.…`); an attribute the version's catalogue does not declare is a 400; a filter, a cap or a diversity
 *   above 0 on a version without a catalogue is a 409 model-not-built saying to upload a catalogue.
 * - Every listed item passes the filter, `exclude`, `allow` and (for recommendations) the user's seen items; no
 *   cap is exceeded; backfilled items carry their `backfill` label (arrange.ts, backfill.ts).
 * - Always N when N exist among the scored pool and the first BACKFILL_SCAN popular items.
 * - With `diversity`: MMR re-ranks only scored items (never backfilled ones), by the binary cosine of their entries
 *   (engine/content/pair-similarity.ts; an item without an entry is similar to nothing); the caps hold after it.
 * - Deterministic: the pool, the rounds and arrange.ts depend on the request and the version only (MMR's ties go
 *   to the earlier item in score order, whose ties go to the smaller id).
 */
import type { ModelReader } from '../adapters/store-contract.js';
import { uploadKey } from '../adapters/bucket-layout.js';
import type { CatalogueEntry } from '../engine/catalogue/index.js';
import { contentSimilarity } from '../engine/content/index.js';
import {
  arrange,
  compileFilter,
  isEmptyFilter,
  mmrRerank,
  parseFilterBody,
  parseFilterQuery,
  popularBackfill,
  type DiversityCaps,
  type Filter,
  type FiltersBody,
} from '../engine/filters/index.js';
import { CandidateFilter } from '../engine/recommend/candidates.js';
import { MAX_TOP_N } from '../engine/recommend/options.js';
import {
  UserInputError,
  type PopularItem,
  type Recommendation,
  type RecommendationResult,
  type RecommendOptions,
} from '../engine/types.js';
import type { ActiveModel } from './active-version.js';
import { modelNotBuilt, ProblemError, ProblemType } from './problems.js';

/** The filter and caps as the request gave them (validated in shape by the route schemas, not yet parsed). */
export interface RequestRules {
  /** The GET `filter` string (in: query) or the POST `filters` object (in: body). */
  filter?: { in: 'query'; text: string } | { in: 'body'; body: FiltersBody };
  maxPerCategory?: number;
  maxPerSeries?: number;
  /** 0..1 (0, the default, is off). */
  diversity?: number;
}

/** Scored pool when rules apply: enough for filters to find `limit` items among scored ones in most cases. */
export const poolSize = (limit: number): number => Math.min(Math.max(limit * 5, 100), MAX_TOP_N);
const BACKFILL_FIRST_ROUND = 100;
const BACKFILL_ROUNDS = 5;
/** Popular items whose entries backfill may read: 100 + 200 + 400 + 800 + 1600. */
export const BACKFILL_SCAN = BACKFILL_FIRST_ROUND * (2 ** BACKFILL_ROUNDS - 1);

/** The parsed rules of one request on one version. */
export interface Rules {
  filter: Filter;
  caps: DiversityCaps;
  /** 0 is off. */
  diversity: number;
  /** Whether the catalogue must be read (a filter, a cap or diversity); `allow` alone needs no entries. */
  needsCatalogue: boolean;
  now: number;
}

/**
 * The request's rules parsed against `active`'s catalogue, or undefined when the request has none (and no `allow`,
 * see `hasAllow`): the route then runs as before, scoring `limit` items.
 */
export function parseRules(active: ActiveModel, rules: RequestRules | undefined, hasAllow: boolean): Rules | undefined {
  const caps: DiversityCaps = {
    ...(rules?.maxPerCategory !== undefined ? { maxPerCategory: rules.maxPerCategory } : {}),
    ...(rules?.maxPerSeries !== undefined ? { maxPerSeries: rules.maxPerSeries } : {}),
  };
  const given = rules?.filter;
  const hasCaps = Object.keys(caps).length > 0;
  const diversity = rules?.diversity ?? 0;
  if (given === undefined && !hasCaps && diversity === 0 && !hasAllow) return undefined;
  const catalogue = active.info?.catalogue;
  if ((given !== undefined || hasCaps || diversity > 0) && catalogue === undefined) {
    const what =
      given !== undefined
        ? given.in === 'query'
          ? 'filter'
          : 'filters'
        : hasCaps
          ? 'maxPerCategory / maxPerSeries'
          : 'diversity';
    throw modelNotBuilt(
      `Dataset ${JSON.stringify(active.dataset)} (version ${active.version}) has no item catalogue: ${what} needs one.`,
      `Upload ${uploadKey(active.dataset, 'items.csv')} (or items.jsonl) and wait for the build; or drop ${what}.`,
    );
  }
  const context = { attributes: catalogue?.attributes ?? [] };
  let filter: Filter = {};
  try {
    if (given?.in === 'query') filter = parseFilterQuery(given.text, context, 'filter');
    else if (given?.in === 'body') filter = parseFilterBody(given.body, context, 'filters');
  } catch (error) {
    if (error instanceof UserInputError) throw filterProblem(error, given!.in);
    throw error;
  }
  return {
    filter,
    caps,
    diversity,
    needsCatalogue: !isEmptyFilter(filter) || hasCaps || diversity > 0,
    now: Date.now(),
  };
}

/** A filter's UserInputError as the 400 the route schemas give, naming the field where the client wrote it. */
function filterProblem(error: UserInputError, where: 'query' | 'body'): ProblemError {
  const field = error.where ?? (where === 'query' ? 'filter' : 'filters');
  return new ProblemError(400, ProblemType.validation, 'Invalid request', `${where} ${field}: ${error.message}`, {
    ...(error.hint ? { hint: error.hint } : {}),
    errors: [{ in: where, field, message: error.message }],
  });
}

export interface ArrangeInput {
  store: ModelReader;
  active: ActiveModel;
  rules: Rules;
  limit: number;
  /** Best first; more than `limit` (a pool) when rules apply. */
  scored: readonly Recommendation[];
  /** The candidate rule besides the filter: exclude, allow, seen. */
  candidates: CandidateFilter;
  /** The version's popularity (read once, shared with the engine's fallback); undefined: no backfill. */
  popularity?: () => Promise<readonly PopularItem[]>;
}

/**
 * arrange.ts over the pool, reading entries in the rounds the header lists. Popularity is read only when the
 * pool leaves fewer than `limit` items; each round re-runs arrange.ts over the longer popular prefix (cheap: the
 * lists are in memory, and greedy caps over a prefix pick what they pick over the whole list up to its end).
 * With diversity, the rounds run over the pool's whole MMR order (computed once) with MMR off: arrange.ts caps
 * its scored items greedily in MMR order, so that is the list it would give, without re-ranking in every round.
 */
export async function arrangeRequest(input: ArrangeInput): Promise<Recommendation[]> {
  const { store, active, rules, limit, scored, candidates } = input;
  const entries = new Map<string, CatalogueEntry>();
  const read = async (items: readonly string[]) => {
    const missing = items.filter((item) => !entries.has(item));
    if (!rules.needsCatalogue || missing.length === 0) return;
    for (const [item, entry] of await store.getCatalogueEntries(active.dataset, active.version, missing))
      entries.set(item, entry);
  };
  const entryPasses = compileFilter(rules.filter, rules.now);
  const catalogue = (item: string) => entries.get(item);
  const accepts = (item: string) => candidates.accepts(item) && entryPasses(catalogue(item));
  await read(scored.map((r) => r.item));
  const similarity = contentSimilarity(catalogue);
  const { diversity } = rules;
  let list = arrange(scored, { limit, accepts, catalogue, caps: rules.caps, diversity, similarity });
  if (list.length >= limit || input.popularity === undefined) return list;
  const filtered = scored.filter((r) => accepts(r.item));
  const ordered = diversity === 0 ? scored : mmrRerank(filtered, filtered.length, diversity, similarity);
  const ranking = popularBackfill(await input.popularity());
  let scanned = 0;
  for (let round = 0; round < BACKFILL_ROUNDS && scanned < ranking.items.length && list.length < limit; round++) {
    const next = ranking.items.slice(scanned, scanned + BACKFILL_FIRST_ROUND * 2 ** round);
    await read(next.map((entry) => entry.item));
    scanned += next.length;
    const rankings = [{ reason: ranking.reason, items: ranking.items.slice(0, scanned) }];
    list = arrange(ordered, { limit, accepts, catalogue, caps: rules.caps, rankings });
  }
  return list;
}

/** Filter and caps, and the id lists, of a route that lists items without a user (similar items, popular). */
export interface ListRules {
  rules?: RequestRules;
  exclude?: readonly string[];
  allow?: readonly string[];
}

const candidateOptions = (given: Pick<ListRules, 'exclude' | 'allow'>, excludeSeen: boolean): RecommendOptions =>
  ({ exclude: given.exclude, allow: given.allow, excludeSeen }) as RecommendOptions;

/** A recommendation result through the rules (unchanged without), `seen` barred from the backfill too. */
export async function arrangeResult(
  store: ModelReader,
  active: ActiveModel,
  result: RecommendationResult,
  given: Pick<ListRules, 'exclude' | 'allow'> & { limit: number },
  rules: Rules | undefined,
  seen: readonly string[],
  popularity: () => Promise<readonly PopularItem[]>,
): Promise<RecommendationResult> {
  if (rules === undefined) return result;
  const candidates = new CandidateFilter(candidateOptions(given, true), seen);
  const items = await arrangeRequest({
    ...{ store, active, rules, limit: given.limit, candidates, popularity },
    scored: result.items,
  });
  return { ...result, items };
}

/**
 * A list without a user through the rules, backfilled from `popularity` (read only when needed): similar items
 * (`scored`: the neighbours) and popular (`scored`: the popular pool when MMR re-ranks it, else none).
 */
export function arrangeList(
  store: ModelReader,
  active: ActiveModel,
  rules: Rules,
  limit: number,
  scored: readonly Recommendation[],
  given: ListRules,
  popularity: () => Promise<readonly PopularItem[]>,
): Promise<Recommendation[]> {
  const candidates = new CandidateFilter(candidateOptions(given, false), undefined);
  return arrangeRequest({ store, active, rules, limit, scored, candidates, popularity });
}
