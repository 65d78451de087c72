// The dataset build lease on dynalite (functions/adapters/dynamo/dataset-builds.ts): one holder, events queued
// behind it, release only with nothing pending, take-over of an expired lease with its queue, fencing.
import { beforeAll, describe, expect, it } from 'vitest';
import { JobLeaseLostError } from '../../functions/adapters/store-contract.js';
import { createStoreTable, store } from './dynamo-store-helpers.js';

beforeAll(createStoreTable);

const inAMinute = () => new Date(Date.now() + 60_000).toISOString();
const aMinuteAgo = () => new Date(Date.now() - 60_000).toISOString();

describe('the dataset build lease', () => {
  it('has one holder; the others queue; the holder builds again for them, then releases', async () => {
    expect(await store.enterDatasetBuild('lease-a', 'j1', 'j1#1', inAMinute())).toEqual({
      status: 'holding',
      adopted: [],
    });
    const racing = await Promise.all(
      ['j2', 'j3', 'j4'].map((job) => store.enterDatasetBuild('lease-a', job, `${job}#1`, inAMinute())),
    );
    expect(racing).toEqual(Array(3).fill({ status: 'queued', holderJobId: 'j1' }));
    expect(await store.exitDatasetBuild('lease-a', 'j1#1')).toEqual({ status: 'rebuild', pending: ['j2', 'j3', 'j4'] });
    // Nothing queued since: released, and the next event holds it.
    expect(await store.exitDatasetBuild('lease-a', 'j1#1')).toEqual({ status: 'released' });
    expect(await store.enterDatasetBuild('lease-a', 'j5', 'j5#1', inAMinute())).toMatchObject({ status: 'holding' });
  });

  it('is taken over once expired, with the dead holder’s queue; the dead holder can neither renew nor release', async () => {
    await store.enterDatasetBuild('lease-b', 'dead', 'dead#1', inAMinute());
    await store.enterDatasetBuild('lease-b', 'waiting', 'waiting#1', inAMinute());
    // The holder stops renewing: its lease runs out (written here as already past).
    await store.renewDatasetBuild('lease-b', 'dead#1', aMinuteAgo());
    expect(await store.enterDatasetBuild('lease-b', 'next', 'next#1', inAMinute())).toEqual({
      status: 'holding',
      adopted: ['waiting'],
    });
    await expect(store.renewDatasetBuild('lease-b', 'dead#1', inAMinute())).rejects.toBeInstanceOf(JobLeaseLostError);
    await expect(store.exitDatasetBuild('lease-b', 'dead#1')).rejects.toBeInstanceOf(JobLeaseLostError);
    expect(await store.exitDatasetBuild('lease-b', 'next#1')).toEqual({ status: 'released' });
  });

  it('is re-entered by a retry of the holder’s own job (a new attempt), and cleared on a local start', async () => {
    await store.enterDatasetBuild('lease-c', 'j1', 'j1#1', inAMinute());
    expect(await store.enterDatasetBuild('lease-c', 'j1', 'j1#2', inAMinute())).toMatchObject({ status: 'holding' });
    await store.enterDatasetBuild('lease-c', 'j2', 'j2#1', inAMinute());
    await store.clearDatasetBuild('lease-c');
    // The queue survives the clearing: whoever holds it next builds for it.
    expect(await store.enterDatasetBuild('lease-c', 'j3', 'j3#1', inAMinute())).toEqual({
      status: 'holding',
      adopted: ['j2'],
    });
  });
});
