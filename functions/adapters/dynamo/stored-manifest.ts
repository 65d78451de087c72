/**
 * The manifest item as stored, and the pure rules about it that ./manifests.ts applies:
 * - decoding: versions stored before model kinds were named (`itemBased` / `userBased` flags) come back with
 *   `models: ModelKind[]`, so a manifest written back is always in the current shape;
 * - retirement: an activation records the versions it drops from the kept list with the time (`retired`), and
 *   keeps earlier entries until their grace has passed, so the list is bounded by the activations within one
 *   grace period; `sparedVersions` is what no deletion may touch: the kept versions and those retired within
 *   the grace (tests: test/adapters/retired-versions.test.ts).
 */
import type { ModelKind } from '../../engine/types.js';
import type { Manifest, ModelOptions, VersionInfo } from '../store-contract.js';
import type { Item } from './documents.js';

/** A version dropped from the kept list, and when: its rows are spared until the grace has passed. */
export interface RetiredVersion {
  version: string;
  retiredAt: string;
}

export interface StoredManifest {
  manifest: Manifest;
  latestSourceOrder: string;
  /** Versions retired less than the grace ago (older entries are dropped at the next activation). */
  retired: RetiredVersion[];
  /** The grace the last activation promised readers (0 for manifests written before it was recorded). */
  retiredVersionGraceMs: number;
}

/** Version options as stored before model kinds were named (`mode` item | user | both was kept as two flags). */
interface LegacyModelOptions extends Omit<ModelOptions, 'models'> {
  itemBased?: boolean;
  userBased?: boolean;
}

/** A version as stored: in the current shape, or in the one before model kinds were named. */
type StoredVersionInfo = Omit<VersionInfo, 'options'> & { options: ModelOptions | LegacyModelOptions };

/** Which legacy flag stood for which model kind (frozen: new kinds only ever appear in `models`). */
const LEGACY_KIND_FLAGS: ReadonlyArray<readonly ['itemBased' | 'userBased', ModelKind]> = [
  ['itemBased', 'item'],
  ['userBased', 'user'],
];

/** Brings a stored version to the current shape: legacy `itemBased` / `userBased` flags become `models`. */
function normaliseStoredVersion(stored: StoredVersionInfo): VersionInfo {
  const { options } = stored;
  if ('models' in options) return { ...stored, options };
  const { itemBased: _itemBased, userBased: _userBased, ...rest } = options;
  const models = LEGACY_KIND_FLAGS.filter(([flag]) => options[flag] === true).map(([, kind]) => kind);
  return { ...stored, options: { ...rest, models } };
}

/** A stored manifest item in the current shape (absent newer attributes read as their neutral value). */
export function decodeStoredManifest(item: Item): StoredManifest {
  return {
    manifest: {
      dataset: item.dataset as string,
      activeVersion: item.activeVersion as string,
      versions: (item.versions as StoredVersionInfo[]).map(normaliseStoredVersion),
      revision: item.revision as number,
      updatedAt: item.updatedAt as string,
    },
    latestSourceOrder: item.latestSourceOrder as string,
    retired: (item.retired as RetiredVersion[] | undefined) ?? [],
    retiredVersionGraceMs: (item.retiredVersionGraceMs as number | undefined) ?? 0,
  };
}

/** Kept versions, plus those retired less than `graceMs` before `now`: the versions whose rows must stay. */
export function sparedVersions(stored: StoredManifest | undefined, now: Date, graceMs: number): Set<string> {
  const spared = new Set(stored?.manifest.versions.map((v) => v.version) ?? []);
  const retiredSince = now.getTime() - graceMs;
  for (const { version, retiredAt } of stored?.retired ?? []) {
    if (Date.parse(retiredAt) > retiredSince) spared.add(version);
  }
  return spared;
}

/**
 * The `retired` list an activation writes: the versions it drops from the kept list (retired `now`), plus the
 * earlier entries still within their grace.
 */
export function retiredAfter(
  current: StoredManifest | undefined,
  kept: readonly VersionInfo[],
  now: Date,
  graceMs: number,
): RetiredVersion[] {
  const keptIds = new Set(kept.map((v) => v.version));
  const retiredAt = now.toISOString();
  const dropped = (current?.manifest.versions ?? [])
    .filter((v) => !keptIds.has(v.version))
    .map((v) => ({ version: v.version, retiredAt }));
  const since = now.getTime() - graceMs;
  const stillSpared = (current?.retired ?? []).filter(
    (entry) => !keptIds.has(entry.version) && Date.parse(entry.retiredAt) > since,
  );
  return [...dropped, ...stillSpared];
}
