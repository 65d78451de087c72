/**
 * What a build does with erasures (../api/erasure-service.ts writes them): it excludes every erased user and
 * taken-down item from its input, applies the erasures that arrived while it ran to its version before that
 * version activates, and afterwards prunes the tombstones that every stored version already excludes.
 * ./build-state.ts calls it at four points: start, before activation, after activation, after the prune.
 *
 * Safety properties (tests: test/pipeline/erasure.test.ts, test/pipeline/erasure-race.test.ts):
 * - Excluded from the input: the records are read (consistently) when the build starts; every loaded
 *   interaction of an erased user (matched by keyed hash: each distinct user id hashed once) or a taken-down
 *   item is dropped, from every file (uploads and folded live events alike: they are files), and counted in the
 *   data-quality report without naming anyone. A taken-down item gets no catalogue row either. Users are matched
 *   by `storedUserIdOf`, so a pseudonymised dataset's ids (pseudonyms from the parse on) match as raw ones do.
 * - Never resurrected by a racing build: before activation the records are read again; for each erasure that
 *   arrived during the build, its tombstone is ensured and the subject's rows in the new version are deleted
 *   (user: h and u; item: i and c), so the version never serves them (the tombstone covers their mentions in
 *   other rows until the next build). An erasure whose record lands after that read needs nothing from the build:
 *   its DELETE sweeps every version in the registry afterwards, and this one registered with its first row.
 * - `erasuresThrough`: every erasure requested before it was in the input. It is the start read's time minus
 *   {@link ERASURE_WRITE_MARGIN_MS} (a record's write lands within the API's 29 s timeout of its requestedAt,
 *   clocks agree to well under the rest), recorded in the manifest entry and on the version's registry row.
 * - Tombstones pruned only when no stored version needs them: an entry older than the `erasuresThrough` of EVERY
 *   version with rows (kept, retired within the grace, building, crashed: the registry), so no version any reader
 *   may be on still holds the subject; a version without the mark blocks pruning. The record itself stays, so
 *   later builds keep excluding the subject until the source files no longer hold them.
 * - The same build is skipped ("unchanged") only when the active version's input already excluded every record.
 */
import type { ErasureLedger, ErasureRecord, StoredVersion } from '../adapters/erasure-contract.js';
import type { VersionInfo } from '../adapters/store-contract.js';
import type { InteractionExclusion } from '../engine/ingest/index.js';
import { storedUserIdOf } from '../engine/privacy/index.js';
import { UserInputError, type RatingMatrix } from '../engine/types.js';
import type { AppLogger } from '../observability.js';
import type { LoadedCatalogue } from './catalogue.js';

/** Longer than the API function's longest timeout (29 s, infra/config.ts) plus any clock skew between functions. */
export const ERASURE_WRITE_MARGIN_MS = 60_000;

/** What a version's manifest entry records of the erasures its input excluded. */
export interface VersionErasures {
  through: string;
  users: number;
  items: number;
}

export interface ErasureDeps {
  store: ErasureLedger;
  /** The id hashing key; asked for only when the dataset has erased users. */
  idHashKey?: () => Promise<Uint8Array>;
  /** Default {@link ERASURE_WRITE_MARGIN_MS} (tests shorten it). */
  marginMs?: number;
  logger: AppLogger;
  now: () => Date;
}

/** What the build's report says about erasures. */
export interface ErasureSummary {
  excludedUsers: number;
  excludedItems: number;
  /** Erasures that arrived during the build, applied to its version. */
  appliedDuringBuild: number;
  tombstonesPruned?: number;
  warning?: string;
}

const recordKey = (record: Pick<ErasureRecord, 'kind' | 'subject'>) => `${record.kind}\n${record.subject}`;

export class BuildErasures {
  private readonly handled = new Set<string>();
  private applied = 0;
  private warning: string | undefined;
  private userIds?: Map<string, string>;

  private constructor(
    private readonly deps: ErasureDeps,
    private readonly dataset: string,
    private readonly records: readonly ErasureRecord[],
    readonly through: string,
    private readonly erasedUsers: ReadonlySet<string>,
    private readonly takenDown: ReadonlySet<string>,
    private readonly key: Uint8Array | undefined,
  ) {
    for (const record of records) this.handled.add(recordKey(record));
  }

  static async start(deps: ErasureDeps, dataset: string): Promise<BuildErasures> {
    const readAt = deps.now().getTime();
    const records = await deps.store.listErasures(dataset);
    const through = new Date(readAt - (deps.marginMs ?? ERASURE_WRITE_MARGIN_MS)).toISOString();
    const users = new Set(records.filter((r) => r.kind === 'user').map((r) => r.subject));
    const items = new Set(records.filter((r) => r.kind === 'item').map((r) => r.subject));
    const key = users.size > 0 ? await requireKey(deps) : undefined;
    return new BuildErasures(deps, dataset, records, through, users, items, key);
  }

  /** The ingest's exclusion, or undefined when nothing is erased. */
  get exclusion(): InteractionExclusion | undefined {
    if (this.records.length === 0) return undefined;
    const key = this.key;
    return {
      // storedUserIdOf: a raw id's pseudonym, a pseudonymised dataset's id (a pseudonym already) itself.
      ...(key && this.erasedUsers.size > 0
        ? { user: (id: string) => this.erasedUsers.has(storedUserIdOf(key, id)) }
        : {}),
      ...(this.takenDown.size > 0 ? { item: (id: string) => this.takenDown.has(id) } : {}),
    };
  }

  /** The manifest entry's record (absent when the dataset has no erasures: nothing was excluded). */
  get versionInfo(): { erasures: VersionErasures } {
    return { erasures: { through: this.through, users: this.erasedUsers.size, items: this.takenDown.size } };
  }

  /** True when `active`'s input already excluded every erasure this build knows of (an unchanged state builds nothing). */
  covers(active: VersionInfo): boolean {
    if (this.records.length === 0) return true;
    const through = active.erasures?.through;
    return through !== undefined && this.records.every((record) => record.requestedAt < through);
  }

  /** The catalogue without taken-down items (no catalogue row, and not in its coverage counts). */
  catalogue(catalogue: LoadedCatalogue | undefined): LoadedCatalogue | undefined {
    if (!catalogue || this.takenDown.size === 0) return catalogue;
    const entries = new Map([...catalogue.entries].filter(([item]) => !this.takenDown.has(item)));
    return { ...catalogue, entries };
  }

  /** Before activation: erasures that arrived during the build, applied to the version; then its mark. */
  async beforeActivation(version: string, matrix: RatingMatrix): Promise<void> {
    await this.applyLate(version, matrix);
    await this.deps.store.recordErasuresThrough(this.dataset, version, this.through);
  }

  /** After activation: the records excluded from the input learn which version was built without them. */
  async afterActivation(version: string): Promise<void> {
    try {
      const at = this.deps.now().toISOString();
      for (const record of this.records) {
        if (!record.rebuiltIn)
          await this.deps.store.markRebuilt(this.dataset, record.kind, record.subject, version, at);
      }
    } catch (error) {
      // The version serves already, and nothing but the GET's note depends on this.
      this.warning = `could not record which version rebuilt the erasures: ${String(error)}`;
      this.deps.logger.warn('could not record the rebuilt version', { dataset: this.dataset, error: String(error) });
    }
  }

  /** After the prune of old versions: tombstones that every stored version excludes go. Best effort. */
  async pruneTombstones(): Promise<number | undefined> {
    try {
      const before = oldestMark(await this.deps.store.storedVersions(this.dataset));
      if (before === undefined) return undefined;
      return (await this.deps.store.pruneTombstones(this.dataset, before)).pruned;
    } catch (error) {
      this.warning = `could not prune tombstones: ${String(error)}`;
      this.deps.logger.warn('could not prune tombstones', { dataset: this.dataset, error: String(error) });
      return undefined;
    }
  }

  summary(tombstonesPruned?: number): ErasureSummary {
    return {
      excludedUsers: this.erasedUsers.size,
      excludedItems: this.takenDown.size,
      appliedDuringBuild: this.applied,
      ...(tombstonesPruned !== undefined ? { tombstonesPruned } : {}),
      ...(this.warning ? { warning: this.warning } : {}),
    };
  }

  private async applyLate(version: string, matrix: RatingMatrix): Promise<void> {
    const late = (await this.deps.store.listErasures(this.dataset)).filter((r) => !this.handled.has(recordKey(r)));
    for (const record of late) {
      const { kind, subject } = record;
      // A tombstone pruned meanwhile (by a build that did not know this version) comes back before it serves.
      await this.deps.store.addTombstone(this.dataset, kind, subject, record.requestedAt);
      const id = kind === 'user' ? (await this.userIdsOf(matrix)).get(subject) : subject;
      const rows = id === undefined ? 0 : await this.deps.store.deleteEntityRows(this.dataset, version, kind, id);
      const at = this.deps.now().toISOString();
      await this.deps.store.noteErasureRows(this.dataset, kind, subject, { version, rows, by: 'build', at });
      this.handled.add(recordKey(record));
      this.applied++;
      this.deps.logger.info('erasure applied to the version being built', { dataset: this.dataset, version, kind });
    }
  }

  /** The version's user ids by pseudonym, hashed once and only when an erased user must be found in it. */
  private async userIdsOf(matrix: RatingMatrix): Promise<Map<string, string>> {
    if (!this.userIds) {
      const key = this.key ?? (await requireKey(this.deps));
      const ids = new Map<string, string>();
      for (let u = 0; u < matrix.users.size; u++) {
        const id = matrix.users.idAt(u);
        ids.set(storedUserIdOf(key, id), id);
      }
      this.userIds = ids;
    }
    return this.userIds;
  }
}

/** The smallest `erasuresThrough` of the stored versions; undefined when one has none (nothing may be pruned). */
export function oldestMark(versions: readonly StoredVersion[]): string | undefined {
  let oldest: string | undefined;
  for (const { erasuresThrough } of versions) {
    if (erasuresThrough === undefined) return undefined;
    if (oldest === undefined || erasuresThrough < oldest) oldest = erasuresThrough;
  }
  return oldest;
}

/**
 * The key erased users are matched by. As for a pseudonymised dataset (./pseudonymized-build.ts): no key, or a bad
 * one, fails the job saying so (the dataset is never built with its erased users in); a secret store failing is
 * re-thrown, so the build is retried.
 */
async function requireKey(deps: ErasureDeps): Promise<Uint8Array> {
  const refuse = (why: string, hint: string): never => {
    throw new UserInputError(
      `the dataset has erased users, but ${why}: it is not built without excluding them`,
      'ID_HASH_KEY, ID_HASH_KEY_SECRET_ARN',
      hint,
    );
  };
  if (!deps.idHashKey)
    return refuse(
      'this build has no id hashing key',
      'Run the build with its key (ID_HASH_KEY or ID_HASH_KEY_SECRET_ARN).',
    );
  try {
    return await deps.idHashKey();
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    return refuse(`its id hashing key could not be loaded (${error.message})`, error.hint ?? '');
  }
}
