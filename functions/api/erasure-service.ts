/**
 * DELETE of a user (erasure) or an item (takedown), and GET of its record. No HTTP here (./erasure-routes.ts).
 *
 * The order of the writes is what makes each step safe to crash after (a retried DELETE redoes what is left):
 * 1. the record (`pending`, requestedAt): from here on every build excludes the subject from its input, and a
 *    build already running applies it to its version before (and again after) activating it;
 * 2. the tombstone (one atomic UpdateItem): from here on no answer names the subject, on any version, in this
 *    process at once and in every other API instance within its manifest cache (MANIFEST_CACHE_MS, ≤ 1 s);
 * 3. the subject's rows, in every version that has rows (the version registry: kept, retired within the grace,
 *    building, or left by a crashed build), until a re-read of the registry finds no version not yet done; and a
 *    user's live events, where the store keeps any (`deleteUserLiveEvents`);
 * 4. `completed`, with the rows deleted per version; only then the answer.
 * A repeated DELETE of a completed erasure sweeps again (steps 2 and 3: a version a build could not clean, say)
 * and answers the same record, with any rows it still found appended.
 *
 * Safety properties (tests: test/api/erasure-routes.test.ts; end to end test/pipeline/erasure.test.ts and
 * test/pipeline/erasure-race.test.ts):
 * - The raw user id is never stored: the record and the tombstone are keyed by storedUserIdOf(key, userId), its
 *   keyed pseudonym (an id that is a pseudonym already, as a pseudonymised dataset shows them, is its own), and
 *   the rows are deleted under both forms, so raw and pseudonymised datasets alike lose them.
 * - Idempotent: a second DELETE answers the same record (same requestedAt and completedAt, 200).
 * - Unknown dataset (no model and no build job) → 404, and nothing is written.
 * - Ids over the byte limit are refused by the route's schema (400 naming the field) before anything runs.
 * - Tombstones full (one 400 KB item: thousands of erasures since the last builds) is a 503 saying what to do,
 *   never an erasure silently left out of the answers.
 */
import {
  TombstonesFullError,
  type ErasureDeletion,
  type ErasureKind,
  type ErasureRecord,
  type ErasureRequests,
} from '../adapters/erasure-contract.js';
import type { JobReader, ModelReader } from '../adapters/store-contract.js';
import { notFound, ProblemError, ProblemType } from './problems.js';
import type { ErasureBody } from './erasure-schemas.js';

/** Registry re-reads per DELETE (a build registering versions without end cannot hold it forever). */
const MAX_ROUNDS = 5;

export class ErasureService {
  constructor(
    private readonly store: ErasureRequests & ModelReader & JobReader,
    /** The subject a user's record and tombstone are keyed by (tombstones.ts: createUserSubject). */
    private readonly userSubject: (id: string) => string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async eraseUser(dataset: string, userId: string): Promise<ErasureBody> {
    return this.apply(dataset, 'user', this.userSubject(userId), userId);
  }

  async takeDown(dataset: string, itemId: string): Promise<ErasureBody> {
    return this.apply(dataset, 'item', itemId, itemId);
  }

  async userErasure(dataset: string, userId: string): Promise<ErasureBody> {
    return this.shown(dataset, 'user', this.userSubject(userId), 'User');
  }

  async itemErasure(dataset: string, itemId: string): Promise<ErasureBody> {
    return this.shown(dataset, 'item', itemId, `Item ${JSON.stringify(itemId)}`);
  }

  private async shown(dataset: string, kind: ErasureKind, subject: string, what: string): Promise<ErasureBody> {
    const record = await this.store.getErasure(dataset, kind, subject);
    if (!record)
      throw notFound(
        `${what} has no erasure record in dataset ${JSON.stringify(dataset)}.`,
        kind === 'user'
          ? 'DELETE /v1/datasets/{dataset}/users/{userId} erases a user.'
          : 'DELETE /v1/datasets/{dataset}/items/{itemId} takes an item down.',
      );
    return erasureBody(record);
  }

  private async apply(dataset: string, kind: ErasureKind, subject: string, id: string): Promise<ErasureBody> {
    await this.requireDataset(dataset);
    const begun = await this.store.beginErasure(dataset, kind, subject, this.now());
    await this.store.addTombstone(dataset, kind, subject, begun.requestedAt).catch((error: unknown) => {
      if (!(error instanceof TombstonesFullError)) throw error;
      // The record is written, so builds already exclude the subject; answers cannot yet.
      throw new ProblemError(503, ProblemType.unavailable, 'Tombstones full', error.message, {
        hint:
          'Build the dataset (upload a file): once every kept version was built after these erasures their tombstones ' +
          'are pruned; then send this DELETE again (it is recorded, and finishes where it stopped).',
      });
    });
    // A user's rows are keyed by the id as given (a raw dataset) or by its pseudonym (a pseudonymised one).
    const ids = [...new Set([id, subject])];
    const deleted = await this.sweep(dataset, kind, ids);
    if (kind === 'user') for (const userId of ids) await this.store.deleteUserLiveEvents?.(dataset, userId);
    const record =
      begun.status === 'pending'
        ? await this.store.completeErasure(dataset, kind, subject, deleted, this.now())
        : begun;
    // Rows this request deleted that the record does not show: it was completed by a concurrent DELETE, or
    // earlier (a repeat that still found rows). They are appended, so the record counts every row deleted.
    const shown = new Set(record.deleted.map(deletionKey));
    const found = deleted.filter((deletion) => deletion.rows > 0 && !shown.has(deletionKey(deletion)));
    for (const deletion of found) await this.store.noteErasureRows(dataset, kind, subject, deletion);
    return erasureBody(found.length === 0 ? record : { ...record, deleted: [...record.deleted, ...found] });
  }

  /** Deletes the subject's rows in every stored version, re-reading the registry until it names no new one. */
  private async sweep(dataset: string, kind: ErasureKind, ids: readonly string[]): Promise<ErasureDeletion[]> {
    const deleted: ErasureDeletion[] = [];
    const done = new Set<string>();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const versions = (await this.store.storedVersions(dataset))
        .map(({ version }) => version)
        .filter((version) => !done.has(version));
      if (versions.length === 0) break;
      const rows = await Promise.all(
        versions.map(async (v) => {
          const counts = await Promise.all(ids.map((id) => this.store.deleteEntityRows(dataset, v, kind, id)));
          return counts.reduce((sum, count) => sum + count, 0);
        }),
      );
      const at = this.now().toISOString();
      versions.forEach((version, k) => {
        done.add(version);
        deleted.push({ version, rows: rows[k], by: 'request', at });
      });
    }
    return deleted;
  }

  /** A dataset is known when it has a model or a build job (as GET /v1/datasets/{dataset} says). */
  private async requireDataset(dataset: string): Promise<void> {
    const [manifest, jobs] = await Promise.all([this.store.getManifest(dataset), this.store.listJobs(dataset, 1)]);
    if (manifest === undefined && jobs.length === 0)
      throw notFound(
        `Dataset ${JSON.stringify(dataset)} is unknown: it has no model and no build job.`,
        'Check the dataset name; nothing was recorded.',
      );
  }
}

const deletionKey = ({ version, rows, by, at }: ErasureDeletion) => `${version}\n${rows}\n${by}\n${at}`;

export function erasureBody(record: ErasureRecord): ErasureBody {
  const { dataset, kind, subject, status, requestedAt, completedAt, deleted, rebuiltIn } = record;
  return {
    dataset,
    kind,
    ...(kind === 'user' ? { pseudonym: subject } : { item: subject }),
    status,
    requestedAt,
    ...(completedAt ? { completedAt } : {}),
    deleted,
    ...(rebuiltIn ? { rebuiltIn } : {}),
    note: noteFor(record),
  };
}

/** What the record means, in plain words: what is gone, what the next build recomputes, and what stays. */
function noteFor({ kind, status, rebuiltIn }: ErasureRecord): string {
  const subject = kind === 'user' ? 'the user' : 'the item';
  const gone =
    kind === 'user'
      ? 'No answer of the dataset names the user, in the active version or any kept one (a rollback cannot bring them back), and their history and user-neighbour rows were deleted from every stored version.'
      : 'The item is in no recommendation, similar-items list, popularity answer or explanation, in the active version or any kept one, and its item rows and catalogue entry were deleted from every stored version.';
  const started =
    status === 'completed'
      ? gone
      : `The erasure is under way (the DELETE did not finish; send it again to finish it): answers already leave out ${subject}.`;
  const recomputed =
    kind === 'user'
      ? "Item rows computed with the user's data (similarities, EASE weights, popularity counts) are recomputed by the next build"
      : "Other items' rows computed with this item (their neighbours, EASE weights) are recomputed by the next build";
  const rebuilt = rebuiltIn
    ? `; version ${rebuiltIn.version} did so (built ${rebuiltIn.at}).`
    : '; no build has done so yet.';
  const stays =
    ` This record stays (it holds no raw user id): every later build drops ${subject}'s rows from every source file ` +
    `and live event, until the source files no longer hold them${kind === 'user' ? ' (affinity purge-user rewrites them)' : ''}.`;
  return `${started} ${recomputed}${rebuilt}${stays}`;
}
