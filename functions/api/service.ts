/**
 * What each route does, in terms of the model store and the engine; no HTTP here. Every read is planned to
 * cost few DynamoDB rounds: manifest -> the user's rows (one BatchGetItem) -> the rows they point to (one more),
 * and popularity only when a fallback needs it.
 *
 * Safety: an answer never rests on rows that were deleted under the request. When rows a route needs are missing,
 * the store re-reads a manifest old enough for its version to have been pruned, and the route runs once more on
 * a newer active version before a user or item counts as unknown (tests: test/api/stale-manifest.test.ts,
 * test/pipeline/concurrent-reader.test.ts).
 */
import type { JobReader, LiveEventWriter, ModelReader } from '../adapters/store-contract.js';
import { liveHistory } from '../engine/ingest/index.js';
import { mergeLiveHistory, weightingOf } from './live-history.js';
import {
  explanationRecord,
  recommendFromItemNeighbours,
  recommendFromUserNeighbours,
  recommendPopular,
  similarFrom,
} from '../engine/recommend/index.js';
import { resolveActive, resultModel, type ActiveModel, type Needs } from './active-version.js';
import { createUserIdForStorage, type UserIdForStorage } from './user-ids.js';

export type { ActiveModel } from './active-version.js';
import { jobBody, modelState } from './model-state.js';
import {
  type HistoryEntry,
  type ModelKind,
  type Neighbour,
  type PopularItem,
  type RecommendationResult,
  type RecommendOptions,
} from '../engine/types.js';
import { notFound } from './problems.js';
import type {
  DatasetBody,
  JobBody,
  JobsBody,
  PopularBody,
  RecommendationsBody,
  RollbackBodyResponse,
  SimilarItemsBody,
  SimilarUsersBody,
} from './schemas.js';

/** Contributors listed per recommendation when explanations are on. */
const EXPLAIN_TOP = 3;

export interface FilterOptions {
  limit: number;
  exclude?: readonly string[];
  allow?: readonly string[];
  explain: boolean;
}

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

  constructor(
    private readonly store: ModelReader & JobReader & LiveEventWriter,
    /** Most recent history entries that score candidates. */
    private readonly historyCap: number,
    /** The deployment's id hashing key (pseudonymised datasets; see ./user-ids.ts). */
    idHashKey?: Uint8Array,
  ) {
    this.userIdForStorage = createUserIdForStorage(idHashKey);
  }

  /**
   * The dataset's active version; with `needs`, also checked to have that model kind (else 409 model-not-built),
   * from the manifest alone, before any row is read.
   */
  async activeModel(dataset: string, needs?: Needs): Promise<ActiveModel> {
    const manifest = await this.store.getManifest(dataset);
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
    return resolveActive(dataset, manifest, needs);
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
    attempt: (active: ActiveModel) => Promise<Attempt<T>>,
  ): Promise<T> {
    const first = await this.activeModel(dataset, needs);
    const outcome = await attempt(first);
    if (outcome.complete) return outcome.answer();
    const fresh = await this.store.refreshManifest(dataset, first.manifest);
    if (!fresh?.activeVersion || fresh.activeVersion === first.version) return outcome.answer();
    return (await attempt(resolveActive(dataset, fresh, needs))).answer();
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
      const { version } = active;
      // Rows and live events are read by the stored id; the answer echoes the caller's id (`userId`), never the stored one.
      const stored = this.userIdForStorage(active, userId);
      // One Query for the live events, in parallel with the user's rows (one BatchGetItem).
      const [rows, events] = await Promise.all([
        this.store.getUserRows(dataset, version, stored),
        this.store.getUserLiveEvents(dataset, stored, active.info?.liveCutoff),
      ]);
      const live = liveHistory(events, weightingOf(active.info));
      const liveEvents = events.length;
      const popularity = this.lazyPopularity(dataset, version);

      if (rows.history === undefined) {
        if (live.length > 0 && (active.kind === 'item' || (algorithm === undefined && hasItemRows(active)))) {
          const { body } = await this.fromHistory(active, live, filters, popularity);
          // Not complete: a newer version may know the user (the store re-reads only an old manifest).
          return { complete: false, answer: () => ({ ...body, userId, liveEvents }) };
        }
        const seen = live.map((entry) => entry.item);
        const result = recommendPopular(await popularity(), engineOptions(filters), seen, 'unknown-user');
        const body = toBody(active, result, filters.explain, {
          userId,
          historyUsed: 0,
          historyCapped: false,
          liveEvents,
        });
        return { complete: false, answer: () => body };
      }

      const history = mergeLiveHistory(live, rows.history);
      if (active.kind === 'user') {
        const neighbours = rows.neighbours ?? [];
        const histories = neighbours.length
          ? await this.store.getUserHistories(
              dataset,
              version,
              neighbours.map((neighbour) => neighbour.id),
            )
          : new Map<string, HistoryEntry[]>();
        const run = (popular: readonly PopularItem[]): RecommendationResult =>
          recommendFromUserNeighbours(history, neighbours, (id) => histories.get(id), popular, engineOptions(filters));
        const result = await withPopularityFallback(run, popularity);
        // User-based CF reads the history only to hide what was seen, so nothing is capped.
        const body = toBody(active, result, filters.explain, {
          userId,
          historyUsed: history.length,
          historyCapped: false,
          liveEvents,
        });
        const complete = neighbours.every(({ id }) => histories.has(id)) && (await hasFallbackRows(result, popularity));
        return { complete, answer: () => body };
      }

      const { body, complete } = await this.fromHistory(active, history, filters, popularity);
      return { complete, answer: () => ({ ...body, userId, liveEvents }) };
    });
  }

  /** Item-based recommendations for an explicit (anonymous / session) history, most recent first. */
  forHistory(dataset: string, history: readonly HistoryEntry[], filters: FilterOptions): Promise<RecommendationsBody> {
    return this.onActiveVersion(dataset, 'item', async (active) => {
      const { body, complete } = await this.fromHistory(
        active,
        history,
        filters,
        this.lazyPopularity(dataset, active.version),
      );
      return { complete, answer: () => body };
    });
  }

  private async fromHistory(
    active: ActiveModel,
    history: readonly HistoryEntry[],
    filters: FilterOptions,
    popularity: () => Promise<PopularItem[]>,
  ): Promise<{ body: RecommendationsBody; complete: boolean }> {
    const { dataset, version } = active;
    const used = history.slice(0, this.historyCap);
    const older = history.slice(this.historyCap);
    const usedItems = [...new Set(used.map((entry) => entry.item))];
    const rows = usedItems.length
      ? await this.store.getItemNeighbours(dataset, version, usedItems)
      : new Map<string, Neighbour[]>();
    // Items beyond the cap do not score, but they were seen: never recommend them.
    const options = engineOptions({
      ...filters,
      exclude: [...(filters.exclude ?? []), ...older.map((entry) => entry.item)],
    });
    const run = (popular: readonly PopularItem[]): RecommendationResult =>
      recommendFromItemNeighbours(used, (id) => rows.get(id), popular, options);
    const result = await withPopularityFallback(run, popularity);
    const body = toBody({ ...active, kind: 'item' }, result, filters.explain, {
      historyUsed: used.length,
      historyCapped: older.length > 0,
    });
    // An item without a row may just have no neighbours; it still counts as missing, which costs a manifest
    // read only when the manifest is old enough for its version to have been pruned (see refreshManifest).
    const complete = usedItems.every((item) => rows.has(item)) && (await hasFallbackRows(result, popularity));
    return { body, complete };
  }

  similarItems(dataset: string, itemId: string, limit: number): Promise<SimilarItemsBody> {
    return this.onActiveVersion(dataset, 'item', async ({ version }) => {
      const row = (await this.store.getItemNeighbours(dataset, version, [itemId])).get(itemId);
      if (row !== undefined) {
        return {
          complete: true,
          answer: () => ({ dataset, version, item: itemId, similar: similarFrom(row, limit).map(neighbourBody) }),
        };
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
      const { version } = active;
      const stored = this.userIdForStorage(active, userId);
      const row = (await this.store.getUserNeighbourRows(dataset, version, [stored])).get(stored);
      if (row !== undefined) {
        return {
          complete: true,
          answer: () => ({ dataset, version, userId, similar: similarFrom(row, limit).map(neighbourBody) }),
        };
      }
      return {
        complete: false,
        answer: () => {
          throw notFound(
            `User ${JSON.stringify(userId)} has no similar users in dataset ${JSON.stringify(dataset)} (version ${version}).`,
            'Check the user id (ids are case-sensitive); a user who shares no items with other users has no neighbours.',
          );
        },
      };
    });
  }

  popular(dataset: string, limit: number): Promise<PopularBody> {
    return this.onActiveVersion(dataset, undefined, async ({ version }) => {
      const popularity = await this.store.getPopularity(dataset, version);
      const byItem = new Map(popularity.map((entry) => [entry.item, entry]));
      // The engine's ranking (count desc, mean value desc, id asc), whatever order the rows were stored in.
      const ranked = recommendPopular(popularity, { limit, explainTop: 0 });
      const body = { dataset, version, items: ranked.items.map(({ item }) => byItem.get(item) as PopularItem) };
      // Every built version has popularity rows: none means the version's rows are gone.
      return { complete: popularity.length > 0, answer: () => body };
    });
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

  /** Popularity is read at most once per request, and only if a fallback needs it. */
  private lazyPopularity(dataset: string, version: string): () => Promise<PopularItem[]> {
    let pending: Promise<PopularItem[]> | undefined;
    return () => (pending ??= this.store.getPopularity(dataset, version));
  }
}

/** Runs without popularity first; only when the engine falls back does it read popularity and run again. */
async function withPopularityFallback(
  run: (popularity: readonly PopularItem[]) => RecommendationResult,
  popularity: () => Promise<PopularItem[]>,
): Promise<RecommendationResult> {
  const first = run([]);
  return first.fallback ? run(await popularity()) : first;
}

/** False when the result fell back to popularity and the version had none: every built version has some. */
async function hasFallbackRows(
  result: RecommendationResult,
  popularity: () => Promise<PopularItem[]>,
): Promise<boolean> {
  return !result.fallback || (await popularity()).length > 0;
}

function engineOptions(filters: FilterOptions): Partial<RecommendOptions> {
  return {
    limit: filters.limit,
    explainTop: filters.explain ? EXPLAIN_TOP : 0,
    ...(filters.exclude?.length ? { exclude: filters.exclude } : {}),
    ...(filters.allow ? { allow: filters.allow } : {}),
  };
}

function toBody(
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
    items: result.items.map(({ item, score, because }) =>
      explain ? { item, score, because: because.map(explanationRecord) } : { item, score },
    ),
  };
}

/** Whether the active version has item rows (a version recorded before kinds were listed: item rows). */
function hasItemRows(active: ActiveModel): boolean {
  const models = active.info?.options.models;
  return models === undefined || models.includes('item');
}

const neighbourBody = ({ id, similarity, support }: Neighbour) => ({ id, similarity, support });
