// A version kept but not activated (the promotion gate held it back), against the real dynalite: the active one
// keeps serving and is never dropped by versionsKept, older uploads stay superseded, and a rollback activates it.
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../functions/adapters/store-contract.js';
import { createStoreTable, info, ITEMS, store, writeVersion } from './dynamo-store-helpers.js';

beforeAll(createStoreTable);

describe('activateVersion with activate: false', () => {
  it('lists the version first, leaves the active one serving, and a rollback to it activates it', async () => {
    await writeVersion('gate', 'v1');
    expect(await store.activateVersion('gate', info('v1', '1'), 3)).toBe('activated');
    await writeVersion('gate', 'v2');
    expect(await store.activateVersion('gate', info('v2', '2'), 3, { activate: false })).toBe('kept');

    const manifest = (await store.getManifest('gate'))!;
    expect(manifest.activeVersion).toBe('v1');
    expect(manifest.versions.map((v) => v.version)).toEqual(['v2', 'v1']);
    expect(manifest.revision).toBe(2);
    // Its rows are kept: the prune spares every version the manifest lists.
    await store.pruneVersions('gate');
    expect((await store.getItemNeighbours('gate', 'v2', ITEMS)).size).toBe(ITEMS.length);

    // A retry of the same publication changes nothing.
    expect(await store.activateVersion('gate', info('v2', '2'), 3, { activate: false })).toBe('kept');
    expect((await store.getManifest('gate'))!.revision).toBe(2);

    // An upload older than the kept one is superseded, though the kept one is not active.
    expect(await store.activateVersion('gate', info('older', '1.5'), 3)).toBe('superseded');

    const rolled = await store.rollback('gate', 'v2');
    expect(rolled.activeVersion).toBe('v2');
    expect((await store.getManifest('gate'))!.activeVersion).toBe('v2');
  });

  it('never drops the active version for versionsKept', async () => {
    await writeVersion('tight', 'v1');
    expect(await store.activateVersion('tight', info('v1', '1'), 1)).toBe('activated');
    for (const [i, version] of ['v2', 'v3'].entries()) {
      await writeVersion('tight', version);
      expect(await store.activateVersion('tight', info(version, String(i + 2)), 1, { activate: false })).toBe('kept');
    }
    const manifest = (await store.getManifest('tight'))!;
    expect(manifest.activeVersion).toBe('v1');
    // versionsKept 1: the newest kept one, plus the active one that may not be dropped (v2 is retired).
    expect(manifest.versions.map((v) => v.version)).toEqual(['v3', 'v1']);

    // A normal activation then keeps versionsKept versions as before.
    await writeVersion('tight', 'v4');
    expect(await store.activateVersion('tight', info('v4', '4'), 1)).toBe('activated');
    expect((await store.getManifest('tight'))!.versions.map((v) => v.version)).toEqual(['v4']);
  });

  it('refuses to keep a first version inactive: there is no active one to keep serving', async () => {
    await writeVersion('first', 'v1');
    await expect(store.activateVersion('first', info('v1', '1'), 3, { activate: false })).rejects.toThrow(
      ConflictError,
    );
    expect(await store.getManifest('first')).toBeUndefined();
  });
});
