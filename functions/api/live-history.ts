/**
 * A user's live events on top of the version that serves them: the events no build has folded into it yet
 * (received at or after its `liveCutoff`), turned into history entries with its own weighting, put first in the
 * stored history.
 *
 * Safety properties (test/api/live-events.test.ts, test/pipeline/live-events.test.ts):
 * - Never counted twice: a version holds the live events received before its cutoff (its build folded them into
 *   its event files) and only later ones are added, so an event scores once whether or not it is still in the
 *   table; a rollback to an older version adds the events after that version's cutoff that are still kept.
 * - The build's values: the events are combined by the version's rule (engine/ingest/live-events.ts liveHistory).
 * - Approximation (documented in the README): an item both in the live events and the stored history keeps the
 *   larger of the two values (a build would combine the stored rows with the events: for typed events the sum of
 *   their weights), at the place of its most recent event.
 */
import type { VersionInfo } from '../adapters/store-contract.js';
import { DEFAULT_EVENT_WEIGHT } from '../engine/model-config.js';
import type { LiveWeighting } from '../engine/ingest/index.js';
import type { HistoryEntry } from '../engine/types.js';

/** The weighting the version's build applied (absent on older versions: plain ratings, the latest wins). */
export function weightingOf(info: VersionInfo | undefined): LiveWeighting {
  const recorded = info?.options.weighting;
  const implicit = recorded?.implicit ?? info?.options.similarity.implicit ?? false;
  return {
    ...(implicit ? { implicit: true } : {}),
    ...(recorded?.ignoreTimestamps ? { ignoreTimestamps: true } : {}),
    ...(recorded?.eventWeights
      ? {
          events: {
            weights: recorded.eventWeights,
            defaultWeight: recorded.defaultEventWeight ?? DEFAULT_EVENT_WEIGHT,
          },
        }
      : {}),
    ...(recorded?.halfLifeDays !== undefined ? { halfLifeDays: recorded.halfLifeDays } : {}),
  };
}

/** Live entries first (most recent first), each keeping the larger of its live and stored value; then the rest. */
export function mergeLiveHistory(live: readonly HistoryEntry[], stored: readonly HistoryEntry[]): HistoryEntry[] {
  if (live.length === 0) return [...stored];
  const storedValue = new Map<string, number>();
  for (const entry of stored) if (!storedValue.has(entry.item)) storedValue.set(entry.item, entry.value);
  const liveItems = new Set(live.map((entry) => entry.item));
  const merged = live.map(({ item, value }) => {
    const before = storedValue.get(item);
    return { item, value: before === undefined ? value : Math.max(value, before) };
  });
  for (const entry of stored) if (!liveItems.has(entry.item)) merged.push(entry);
  return merged;
}
