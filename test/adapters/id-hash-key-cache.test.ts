import { describe, expect, it } from 'vitest';
import { cachedIdHashKey } from '../../functions/adapters/id-hash-key-cache.js';

describe('cachedIdHashKey', () => {
  it('loads once for every caller after a success, concurrent callers included', async () => {
    let loads = 0;
    const key = new Uint8Array(32).fill(1);
    const get = cachedIdHashKey(async () => {
      loads++;
      return key;
    });
    const [a, b] = await Promise.all([get(), get()]);
    expect(await get()).toBe(key);
    expect([a, b]).toEqual([key, key]);
    expect(loads).toBe(1);
  });

  it('loads again after a failure', async () => {
    let loads = 0;
    const get = cachedIdHashKey(async () => {
      if (++loads === 1) throw new Error('throttled');
      return new Uint8Array(32);
    });
    await expect(get()).rejects.toThrow('throttled');
    await expect(get()).resolves.toHaveLength(32);
    await get();
    expect(loads).toBe(2);
  });
});
