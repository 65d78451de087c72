/**
 * The id hashing key of a function, loaded at most once per cold start: the first successful load is kept for
 * the life of the process; a failed one (a throttled Secrets Manager, a missing variable) is not kept, so the
 * next caller tries again and a transient failure does not outlive itself.
 *
 * Safety property (test/adapters/id-hash-key-cache.test.ts): one load for any number of callers, concurrent ones
 * included, once it succeeded; after a failure, the next call loads again.
 */
export function cachedIdHashKey(load: () => Promise<Uint8Array>): () => Promise<Uint8Array> {
  let pending: Promise<Uint8Array> | undefined;
  return () => {
    if (!pending) {
      const attempt = load();
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  };
}
