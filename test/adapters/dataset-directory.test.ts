// The dataset directory (functions/adapters/dynamo/dataset-directory.ts) on the test dynalite.
import { describe, expect, it } from 'vitest';
import { createTestStore, jobRecord } from '../api/fixture.js';

describe('dataset directory', () => {
  it('records a dataset once: a repeat (another claim, an activation) keeps its first createdAt', async () => {
    const { store } = await createTestStore();
    await store.claimJob(jobRecord('d', 'j1', '2024-05-01T09:00:00.000Z'));
    const first = await store.listDatasets();
    expect(first.datasets).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.claimJob(jobRecord('d', 'j2', '2024-05-02T09:00:00.000Z'));
    expect(await store.listDatasets()).toEqual(first);
  });

  it('does not record a dataset for a claim that found the job already finished', async () => {
    const { store } = await createTestStore();
    await store.claimJob(jobRecord('d', 'j1', '2024-05-01T09:00:00.000Z'));
    const claim = await store.claimJob(jobRecord('d', 'j1', '2024-05-01T09:00:00.000Z'));
    expect(claim.status).toBe('duplicate');
    expect((await store.listDatasets()).datasets.map((d) => d.dataset)).toEqual(['d']);
  });

  it('keeps names that need escaping apart and reads them back as given', async () => {
    const { store } = await createTestStore();
    const names = ['a#b', 'a', 'a b', 'ü/x'];
    for (const name of names) await store.claimJob(jobRecord(name, 'j', '2024-05-01T09:00:00.000Z'));
    const listed = (await store.listDatasets({ limit: 100 })).datasets.map((d) => d.dataset);
    // By the escaped names: '%' (0x25) sorts before letters, so 'ü/x' (%C3%BC%2Fx) comes first.
    expect(listed).toEqual(['%C3%BC%2Fx', 'a', 'a%20b', 'a%23b'].map(decodeURIComponent));
  });

  it('refuses a limit outside 1..100 naming limit', async () => {
    const { store } = await createTestStore();
    await expect(store.listDatasets({ limit: 0 })).rejects.toMatchObject({ where: 'limit' });
    await expect(store.listDatasets({ limit: 101 })).rejects.toMatchObject({ where: 'limit' });
  });
});
