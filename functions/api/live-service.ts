/**
 * POST /v1/datasets/{dataset}/events, in terms of the store: the dataset must exist (it has a manifest), every event
 * must suit the active version's weighting (a known type when it weighs types), then all are stored (conditional
 * puts, ../adapters/dynamo/live-events.ts) before the answer.
 *
 * Safety properties (test/api/live-events.test.ts):
 * - All or nothing at validation: one invalid event refuses the batch with a 400 naming every bad field
 *   (`events[3].type`); nothing is stored.
 * - Durable before 200: the answer comes after every put succeeded; a failure after retries is a 503 (429 when
 *   throttled), and a retry of the batch stores only what is missing (`duplicates` counts the rest).
 * - Idempotent per (user, eventId), within a batch too: a repeated pair is stored once and counted as a duplicate.
 * - No raw id of a pseudonymised dataset is stored: the user id is mapped as the active version stores it
 *   (./user-ids.ts), so the event files a build writes hold pseudonyms too (test/api/live-events.test.ts).
 * - `receivedAt` is the server's clock when the request arrived, read before anything else: every event of the
 *   request is written within the function's timeout after it, which the build's settle margin covers
 *   (../model-build/live-fold.ts).
 */
import { randomUUID } from 'node:crypto';
import type { LiveEvent, LiveEventWriter, ManifestReader } from '../adapters/store-contract.js';
import { liveTypeProblem, liveWeightedValueProblem } from '../engine/ingest/index.js';
import { weightingOf } from './live-history.js';
import type { UserIdForStorage } from './user-ids.js';
import type { LiveEventBodyType, LiveEventsAcceptedBody } from './live-schemas.js';
import { notFound, validationProblem, type FieldError } from './problems.js';

export class LiveEventService {
  constructor(
    private readonly store: ManifestReader & LiveEventWriter,
    /** The user id the active version stores (a pseudonym for a pseudonymised dataset): events are kept by it. */
    private readonly userIdForStorage: UserIdForStorage,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async post(dataset: string, events: readonly LiveEventBodyType[]): Promise<LiveEventsAcceptedBody> {
    const receivedAt = this.now().toISOString();
    const manifest = await this.store.getManifest(dataset);
    if (manifest === undefined) {
      throw notFound(
        `Dataset ${JSON.stringify(dataset)} is unknown: it has no model yet.`,
        'Check the dataset name, or upload its data under uploads/<dataset>/ and wait for the first build.',
      );
    }
    const info = manifest.versions.find((v) => v.version === manifest.activeVersion);
    const weighting = weightingOf(info);
    const errors: FieldError[] = [];
    events.forEach((event, index) => {
      const type = liveTypeProblem(event.type, weighting);
      if (type) errors.push({ in: 'body', field: `events[${index}].type`, message: type });
      const value = type ? undefined : liveWeightedValueProblem(event.value, event.type, weighting);
      if (value) errors.push({ in: 'body', field: `events[${index}].value`, message: value });
    });
    if (errors.length > 0) throw validationProblem(errors);

    const stored: LiveEvent[] = [];
    const seen = new Set<string>();
    events.forEach((event, n) => {
      const eventId = event.eventId ?? randomUUID();
      const user = this.userIdForStorage({ dataset, info }, event.user);
      const key = JSON.stringify([user, eventId]);
      if (seen.has(key)) return;
      seen.add(key);
      stored.push({
        eventId,
        user,
        item: event.item,
        ...(event.type === undefined ? {} : { type: event.type.trim() }),
        ...(event.value === undefined ? {} : { value: event.value }),
        ...(event.timestamp === undefined ? {} : { timestamp: String(event.timestamp) }),
        receivedAt,
        n,
      });
    });
    const { accepted, duplicates } = await this.store.putLiveEvents(dataset, stored);
    return { dataset, accepted, duplicates: duplicates + (events.length - stored.length), receivedAt };
  }
}
