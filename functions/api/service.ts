/**
 * What each route does, in terms of the model store and the engine; no HTTP here. Every read is planned to
 * cost few DynamoDB rounds: manifest (and the tombstones, in the same round) -> the user's rows (one BatchGetItem) -> the rows they point to (one more),
 * and popularity only when a fallback needs it.
 *
 * With a request-time filter, caps, diversity or `allow` (./request-filters.ts): the engine scores a pool of poolSize(limit)
 * from the same rows, so no round is added there; then the pool's catalogue entries (one BatchGetItem round), and
 * only when fewer than `limit` survive, popularity (one Query, shared with the fallback) and the entries of popular
 * items in at most 5 bounded rounds. Without those parameters a request reads nothing more than before.
 *
 * Safety: an answer never rests on rows that were deleted under the request. When rows a route needs are missing,
 * the store re-reads a manifest old enough for its version to have been pruned, and the route runs once more on
 * a newer active version before a user or item counts as unknown (tests: test/api/stale-manifest.test.ts,
 * test/pipeline/concurrent-reader.test.ts).
 *
 * Erasure and takedown: every route reads the dataset's tombstones with the manifest and passes the rows through
 * them before scoring (./tombstones.ts has the guarantees and their tests).
 */
import type {
  DatasetLister,
  JobReader,
  LiveEvent,
  LiveEventWriter,
  ModelReader,
  UserRows,
} from '../adapters/store-contract.js';
import type { TombstoneReader } from '../adapters/erasure-contract.js';
import { liveHistory } from '../engine/ingest/index.js';
import { mergeLiveHistory, weightingOf } from './live-history.js';
import {
  recommendFromItemNeighbours,
  recommendFromUserNeighbours,
  explanationRecord,
  recommendPopular,
  similarFrom,
} from '../engine/recommend/index.js';
import { resolveActive, type ActiveModel, type Needs } from './active-version.js';
import { arrangeList, arrangeResult, parseRules, poolSize, type ListRules } from './request-filters.js';
import { engineOptions, hasFallbackRows, hasItemRows, toBody, type FilterOptions } from './service-parts.js';
import { trendingFallback, withFallback, type FallbackRankings } from './trending-fallback.js';
import { trendingAttempt, type TrendingBody } from './trending-service.js';
import type { TrendingItem } from '../engine/filters/index.js';
import { createUserSubject, servingFilter, type ServingFilter } from './tombstones.js';
import { createUserIdForStorage, type UserIdForStorage } from './user-ids.js';

export type { ActiveModel } from './active-version.js';

/** The active version and the dataset's tombstones, which every answer passes its rows through. */
export interface ServedModel extends ActiveModel {
  filter: ServingFilter;
}
import { datasetSummary, jobBody, modelState } from './model-state.js';
import {
  type HistoryEntry,
  type ModelKind,
  type Neighbour,
  type PopularItem,
  type Recommendation,
  type RecommendationResult,
  UserInputError,
} from '../engine/types.js';
import { notFound, ProblemError, ProblemType } from './problems.js';
import type {
  DatasetBody,
  DatasetListBody,
  JobBody,
  JobsBody,
  PopularBody,
  RecommendationsBody,
  RollbackBodyResponse,
  SimilarItemsBody,
  SimilarUsersBody,
  UserHistoryBody,
} from './schemas.js';

export type { FilterOptions } from './service-parts.js';

/** One attempt at a route on one version. */
interface Attempt<T> {
  /** False when rows the answer needed were missing (unknown user or item, or a version pruned under us). */
  complete: boolean;
  /** The answer on this version; may throw its problem (a 404 for a missing row). */
  answer: () => T;
}

export class RecommendationService {
  /** A request's user id -> the id the active version stores (its pseudonym for a pseudonymised dataset). */
  readonly userIdForStorage: UserIdForStorage;
  /** A request's user id -> the subject erasure records and tombstones name it by (./tombstones.ts). */
  readonly userSubject: (id: string) => string;

  constructor(
    private readonly store: ModelReader & JobReader & LiveEventWriter & TombstoneReader & DatasetLister,
    /** Most recent history entries that score candidates. */
    private readonly historyCap: number,
    /** The deployment's id hashing key (pseudonymised datasets, see ./user-ids.ts; erased users, ./tombstones.ts). */
    idHashKey?: Uint8Array,
  ) {
    this.userIdForStorage = createUserIdForStorage(idHashKey);
    this.userSubject = createUserSubject(idHashKey);
  }

  /**
   * The dataset's active version; with `needs`, also checked to have that model kind (else 409 model-not-built),
   * from the manifest alone, before any row is read.
   */
  async activeModel(dataset: string, needs?: Needs): Promise<ServedModel> {
    const [manifest, tombstones] = await Promise.all([
      this.store.getManifest(dataset),
      this.store.getTombstones(dataset),
    ]);
    if (manifest === undefined) {
      throw notFound(
        `Dataset ${JSON.stringify(dataset)} has no model.`,
        'Check the dataset name, or upload its data under uploads/<dataset>/ and wait for the build.',
      );
    }
    if (!manifest.activeVersion) {
      throw notFound(
        `Dataset ${JSON.stringify(dataset)} has no active model version.`,
        'Wait for a build to succeed, or roll back to a kept version.',
      );
    }
    return { ...resolveActive(dataset, manifest, needs), filter: servingFilter(tombstones, this.userSubject) };
  }

  /**
   * Runs `attempt` on the active version. When rows it needed were missing, the manifest may be one whose version
   * has since been retired and pruned: the store re-reads it if it is that old, and a different active version
   * gets the attempt once more. Only then is a user or item concluded unknown (a known user never gets a
   * fallback because the rows of an old version were deleted under a cached manifest).
   */
  private async onActiveVersion<T>(
    dataset: string,
    needs: Needs,
    attempt: (active: ServedModel) => Promise<Attempt<T>>,
  ): Promise<T> {
    const first = await this.activeModel(dataset, needs);
    const outcome = await attempt(first);
    if (outcome.complete) return outcome.answer();
    const fresh = await this.store.refreshManifest(dataset, first.manifest);
    if (!fresh?.activeVersion || fresh.activeVersion === first.version) return outcome.answer();
    return (await attempt({ ...resolveActive(dataset, fresh, needs), filter: first.filter })).answer();
  }

  /**
   * Recommendations for a user from the rows of `algorithm`, by default the active version's served rows, with
   * their live events (received after the version's cutoff, ./live-history.ts) first in the history. A user the
   * version does not know gets item-based results from their live events when there are item rows, else popular
   * items (flagged as a fallback) without the items of their live events.
   */
  forUser(
    dataset: string,
    userId: string,
    algorithm: ModelKind | undefined,
    filters: FilterOptions,
  ): Promise<RecommendationsBody> {
    return this.onActiveVersion(dataset, algorithm ?? 'served', async (active) => {
      const { version, filter } = active;
      const { erased, rows, events, live } = await this.readUser(active, userId);
      const liveEvents = events.length;
      const popularity = this.lazyPopularity(active);
      const rankings: FallbackRankings = { popularity, trending: this.lazyTrending(active) };
      const rules = parseRules(active, filters.rules, filters.allow !== undefined);

      if (rows.history === undefined) {
        if (live.length > 0 && (active.kind === 'item' || (algorithm === undefined && hasItemRows(active)))) {
          const { body } = await this.fromHistory(active, live, filters, popularity);
          // Not complete: a newer version may know the user (the store re-reads only an old manifest).
          return { complete: false, answer: () => ({ ...body, userId, liveEvents }) };
        }
        const seen = live.map((entry) => entry.item);
        const options = engineOptions(filters, rules);
        // A new user: the version's trending list when it has one (./trending-fallback.ts), else popularity.
        const popular =
          (await trendingFallback('unknown-user', active, rankings, options, seen)) ??
          recommendPopular(await popularity(), options, seen, 'unknown-user');
        const result = await arrangeResult(this.store, active, popular, filters, rules, seen, popularity);
        const body = toBody(active, result, filters.explain, {
          userId,
          historyUsed: 0,
          historyCapped: false,
          liveEvents,
        });
        // An erased user is unknown on every version: no newer one can know them.
        return { complete: erased, answer: () => body };
      }

      const history = filter.history(mergeLiveHistory(live, rows.history));
      if (active.kind === 'user') {
        // Erased users go before their histories are read: their data scores nothing.
        const neighbours = filter.users(rows.neighbours ?? []);
        const histories = neighbours.length
          ? await this.store.getUserHistories(
              dataset,
              version,
              neighbours.map((neighbour) => neighbour.id),
            )
          : new Map<string, HistoryEntry[]>();
        const historyOf = (id: string) => {
          const entries = histories.get(id);
          return entries && filter.history(entries);
        };
        const run = (popular: readonly PopularItem[]): RecommendationResult =>
          recommendFromUserNeighbours(history, neighbours, historyOf, popular, engineOptions(filters, rules));
        const seen = history.map((entry) => entry.item);
        const scored = await withFallback(run, active, rankings, engineOptions(filters, rules), seen);
        const result = await arrangeResult(this.store, active, scored, filters, rules, seen, popularity);
        // User-based CF reads the history only to hide what was seen, so nothing is capped.
        const body = toBody(active, result, filters.explain, {
          userId,
          historyUsed: history.length,
          historyCapped: false,
          liveEvents,
        });
        const complete = neighbours.every(({ id }) => histories.has(id)) && (await hasFallbackRows(scored, popularity));
        return { complete, answer: () => body };
      }

      const { body, complete } = await this.fromHistory(active, history, filters, popularity);
      return { complete, answer: () => ({ ...body, userId, liveEvents }) };
    });
  }

  /**
   * A user's stored rows and live events on the active version, and the live events as history entries. An
   * erased user is an unknown user: none of their rows or live events is read.
   */
  private async readUser(
    active: ServedModel,
    userId: string,
  ): Promise<{ erased: boolean; rows: UserRows; events: LiveEvent[]; live: HistoryEntry[] }> {
    const { dataset, version, filter } = active;
    const erased = filter.isErasedUser(userId);
    // Rows and live events are read by the stored id; answers echo the caller's id (`userId`), never the stored one.
    const stored = this.userIdForStorage(active, userId);
    // One Query for the live events, in parallel with the user's rows (one BatchGetItem).
    const [rows, events] = erased
      ? [{} as UserRows, []]
      : await Promise.all([
          this.store.getUserRows(dataset, version, stored),
          this.store.getUserLiveEvents(dataset, stored, active.info?.liveCutoff),
        ]);
    // A taken-down item neither scores nor counts as history, live or stored.
    const live = filter.history(liveHistory(events, weightingOf(active.info)));
    return { erased, rows, events, live };
  }

  /** Item-based recommendations for an explicit (anonymous / session) history, most recent first. */
  forHistory(dataset: string, history: readonly HistoryEntry[], filters: FilterOptions): Promise<RecommendationsBody> {
    return this.onActiveVersion(dataset, 'item', async (active) => {
      const { body, complete } = await this.fromHistory(active, history, filters, this.lazyPopularity(active));
      return { complete, answer: () => body };
    });
  }

  private async fromHistory(
    active: ServedModel,
    given: readonly HistoryEntry[],
    filters: FilterOptions,
    popularity: () => Promise<PopularItem[]>,
  ): Promise<{ body: RecommendationsBody; complete: boolean }> {
    const { dataset, version, filter } = active;
    const rules = parseRules(active, filters.rules, filters.allow !== undefined);
    // A taken-down item neither scores nor counts as history.
    const history = filter.history(given);
    const used = history.slice(0, this.historyCap);
    const older = history.slice(this.historyCap);
    const usedItems = [...new Set(used.map((entry) => entry.item))];
    const rows = usedItems.length
      ? await this.store.getItemNeighbours(dataset, version, usedItems)
      : new Map<string, Neighbour[]>();
    // Items beyond the cap do not score, but they were seen: never recommend them.
    const options = engineOptions(
      { ...filters, exclude: [...(filters.exclude ?? []), ...older.map((entry) => entry.item)] },
      rules,
    );
    const run = (popular: readonly PopularItem[]): RecommendationResult =>
      recommendFromItemNeighbours(used, filter.itemRows(rows), popular, options);
    const seen = history.map((entry) => entry.item);
    const rankings: FallbackRankings = { popularity, trending: this.lazyTrending(active) };
    const scored = await withFallback(run, active, rankings, options, seen);
    const result = await arrangeResult(this.store, active, scored, filters, rules, seen, popularity);
    const body = toBody({ ...active, kind: 'item' }, result, filters.explain, {
      historyUsed: used.length,
      historyCapped: older.length > 0,
    });
    // An item without a row may just have no neighbours; it still counts as missing, which costs a manifest
    // read only when the manifest is old enough for its version to have been pruned (see refreshManifest).
    const complete = usedItems.every((item) => rows.has(item)) && (await hasFallbackRows(scored, popularity));
    return { body, complete };
  }

  /**
   * With rules: filtered, re-ranked (diversity) and capped among the item's row, then backfilled from popularity
   * within the same rules, never with the item itself (a backfilled entry: similarity and support 0, labelled).
   */
  similarItems(dataset: string, itemId: string, limit: number, given?: ListRules): Promise<SimilarItemsBody> {
    return this.onActiveVersion(dataset, 'item', async (active) => {
      const { version, filter } = active;
      if (filter.isTakenDown(itemId)) return { complete: true, answer: () => throwTakenDown(dataset, itemId) };
      const rules = parseRules(active, given?.rules, given?.allow !== undefined);
      const row = (await this.store.getItemNeighbours(dataset, version, [itemId])).get(itemId);
      if (row !== undefined) {
        const top = similarFrom(filter.items(row), rules ? poolSize(limit) : limit);
        const byId = new Map(top.map((neighbour) => [neighbour.id, neighbour]));
        const scored = top.map(({ id, similarity }) => ({ item: id, score: similarity, because: [] }));
        const others = { ...given, exclude: [itemId, ...(given?.exclude ?? [])] };
        const kept = rules
          ? await arrangeList(this.store, active, rules, limit, scored, others, this.lazyPopularity(active))
          : scored;
        const similar = kept.map((entry) => {
          const neighbour = byId.get(entry.item);
          return neighbour ? neighbourBody(neighbour) : backfilledBody(entry);
        });
        return { complete: true, answer: () => ({ dataset, version, item: itemId, similar }) };
      }
      return {
        complete: false,
        answer: () => {
          throw notFound(
            `Item ${JSON.stringify(itemId)} has no similar items in dataset ${JSON.stringify(dataset)} (version ${version}).`,
            "Check the item id (ids are case-sensitive); an item nobody else's users rated has no neighbours.",
          );
        },
      };
    });
  }

  similarUsers(dataset: string, userId: string, limit: number): Promise<SimilarUsersBody> {
    return this.onActiveVersion(dataset, 'user', async (active) => {
      const { version, filter } = active;
      const erased = filter.isErasedUser(userId);
      const stored = this.userIdForStorage(active, userId);
      const row = erased ? undefined : (await this.store.getUserNeighbourRows(dataset, version, [stored])).get(stored);
      if (row !== undefined) {
        const similar = similarFrom(filter.users(row), limit).map(neighbourBody);
        return { complete: true, answer: () => ({ dataset, version, userId, similar }) };
      }
      // An erased user answers as a user without neighbours does: nothing says they were ever known.
      return {
        complete: erased,
        answer: () => {
          throw notFound(
            `User ${JSON.stringify(userId)} has no similar users in dataset ${JSON.stringify(dataset)} (version ${version}).`,
            'Check the user id (ids are case-sensitive); a user who shares no items with other users has no neighbours.',
          );
        },
      };
    });
  }

  /**
   * The user's history as item-based scoring sees it (live entries first, then the stored history), through the
   * serving filter. Unknown, erased, or with nothing left: 404, worded as for any unknown user.
   */
  userHistory(dataset: string, userId: string, limit: number): Promise<UserHistoryBody> {
    return this.onActiveVersion(dataset, undefined, async (active) => {
      const { version, filter } = active;
      const { erased, rows, events, live } = await this.readUser(active, userId);
      const history = filter.history(mergeLiveHistory(live, rows.history ?? []));
      if (history.length === 0)
        return {
          // Erased: unknown on every version. Otherwise a newer version may know the user.
          complete: erased,
          answer: () => {
            throw notFound(
              `User ${JSON.stringify(userId)} has no history in dataset ${JSON.stringify(dataset)} (version ${version}).`,
              'Check the user id (ids are case-sensitive); a user appears once a build has read their interactions or they sent live events.',
            );
          },
        };
      const body: UserHistoryBody = {
        dataset,
        version,
        userId,
        history: history
          .slice(0, limit)
          // mergeLiveHistory puts the live entries first, one per item.
          .map(({ item, value }, k) => ({ item, value, live: k < live.length })),
        total: history.length,
        liveEvents: events.length,
      };
      return { complete: true, answer: () => body };
    });
  }

  /** With rules: the popularity ranking through the filter and caps, entries read in the backfill's rounds. */
  popular(dataset: string, limit: number, given?: ListRules): Promise<PopularBody> {
    return this.onActiveVersion(dataset, undefined, async (active) => {
      const { version, filter } = active;
      const rules = parseRules(active, given?.rules, given?.allow !== undefined);
      const stored = await this.store.getPopularity(dataset, version);
      const popularity = filter.popularity(stored);
      const byItem = new Map(popularity.map((entry) => [entry.item, entry]));
      // The engine's ranking (count desc, mean value desc, id asc), whatever order the rows were stored in. MMR
      // re-ranks scored items only, so with diversity the popular pool is the scored list (score: the count).
      const pool = rules?.diversity
        ? recommendPopular(popularity, { limit: poolSize(limit), explainTop: 0 }).items
        : [];
      const ranked = rules
        ? await arrangeList(this.store, active, rules, limit, pool, given!, async () => popularity)
        : recommendPopular(popularity, { limit, explainTop: 0 }).items;
      const body = { dataset, version, items: ranked.map(({ item }) => byItem.get(item) as PopularItem) };
      // Every built version has popularity rows: none means the version's rows are gone.
      return { complete: stored.length > 0, answer: () => body };
    });
  }

  /** The version's trending list through the rules, backfilled from popularity; 409 for a version without one. */
  trending(dataset: string, limit: number, given?: ListRules): Promise<TrendingBody> {
    return this.onActiveVersion(dataset, undefined, (active) =>
      trendingAttempt(this.store, active, limit, given, {
        popularity: this.lazyPopularity(active),
        trending: this.lazyTrending(active),
      }),
    );
  }

  /** The model state and the latest build job; 404 only when the dataset has neither. */
  async dataset(dataset: string): Promise<DatasetBody> {
    const [manifest, jobs] = await Promise.all([this.store.getManifest(dataset), this.store.listJobs(dataset, 1)]);
    const latestJob = jobs[0] ?? null;
    if (manifest === undefined && latestJob === null) {
      throw notFound(
        `Dataset ${JSON.stringify(dataset)} is unknown: it has no model and no build job.`,
        'Check the dataset name, or upload its data under uploads/<dataset>/.',
      );
    }
    return { ...modelState(dataset, manifest), latestJob: latestJob && jobBody(latestJob) };
  }

  /**
   * One page of the dataset directory, each with its model state and latest job (as GET …/{dataset} reads them:
   * the manifest and listJobs(…, 1)), read DATASET_READS_IN_FLIGHT datasets at a time.
   */
  async datasets(limit: number, nextToken?: string): Promise<DatasetListBody> {
    let page;
    try {
      page = await this.store.listDatasets({ limit, nextToken });
    } catch (error) {
      // The store checks the token; a bad one is the query's fault, named as the query parameter it is.
      if (error instanceof UserInputError && (error.where === 'nextToken' || error.where === 'limit'))
        throw new ProblemError(400, ProblemType.validation, 'Invalid request', error.message, {
          ...(error.hint ? { hint: error.hint } : {}),
          errors: [{ in: 'query', field: error.where, message: error.message }],
        });
      throw error;
    }
    const datasets = await mapBounded(page.datasets, DATASET_READS_IN_FLIGHT, async ({ dataset }) => {
      const [manifest, jobs] = await Promise.all([this.store.getManifest(dataset), this.store.listJobs(dataset, 1)]);
      return datasetSummary(dataset, manifest, jobs[0]);
    });
    return { datasets, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  async job(dataset: string, jobId: string): Promise<JobBody> {
    const job = await this.store.getJob(dataset, jobId);
    if (job === undefined)
      throw notFound(
        `Dataset ${JSON.stringify(dataset)} has no job ${JSON.stringify(jobId)}.`,
        'List the jobs with GET /v1/datasets/{dataset}/jobs.',
      );
    return jobBody(job);
  }

  async jobs(dataset: string, limit: number): Promise<JobsBody> {
    return { dataset, jobs: (await this.store.listJobs(dataset, limit)).map(jobBody) };
  }

  async rollback(dataset: string, version?: string): Promise<RollbackBodyResponse> {
    const before = await this.activeModel(dataset);
    const manifest = await this.store.rollback(dataset, version);
    return { ...modelState(dataset, manifest), previousVersion: before.version };
  }

  /** Popularity (without taken-down items) is read at most once per request, and only if a fallback needs it. */
  private lazyPopularity({ dataset, version, filter }: ServedModel): () => Promise<PopularItem[]> {
    let pending: Promise<PopularItem[]> | undefined;
    return () => (pending ??= this.store.getPopularity(dataset, version).then((items) => filter.popularity(items)));
  }

  private lazyTrending(active: ServedModel): () => Promise<TrendingItem[]> {
    return lazyTrendingOf(this.store, active);
  }
}

/** The trending list without taken-down items, read at most once per request, only when an answer needs it. */
function lazyTrendingOf(store: ModelReader, { dataset, version, filter }: ServedModel): () => Promise<TrendingItem[]> {
  let pending: Promise<TrendingItem[]> | undefined;
  return () =>
    (pending ??= store
      .getTrending(dataset, version)
      .then((items) => items.filter(({ item }) => !filter.isTakenDown(item))));
}

/** Datasets whose manifest and latest job one page reads at once (two reads each). */
const DATASET_READS_IN_FLIGHT = 8;

/** `map` over `items` with at most `inFlight` calls pending, results in the items' order. */
async function mapBounded<T, R>(items: readonly T[], inFlight: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
  return results;
}

const neighbourBody = ({ id, similarity, support, terms }: Neighbour) =>
  terms && terms.length > 0 ? { id, similarity, support, terms } : { id, similarity, support };
/** A similar-items entry filled in from popularity: not a neighbour, so similarity and support 0, and its label. */
const backfilledBody = ({ item, because }: Recommendation) => ({
  ...neighbourBody({ id: item, similarity: 0, support: 0 }),
  because: because.map(explanationRecord),
});

function throwTakenDown(dataset: string, itemId: string): never {
  throw notFound(
    `Item ${JSON.stringify(itemId)} was taken down in dataset ${JSON.stringify(dataset)}: it is in no answer.`,
    'GET /v1/datasets/{dataset}/erasures/items/{itemId} shows when it was taken down.',
  );
}
