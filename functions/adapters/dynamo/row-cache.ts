/**
 * Least-recently-used cache of decoded model rows. Rows of a model version never change once the version is
 * readable (the manifest only names fully written versions, and version ids are never reused for other
 * content), so a row, or the fact that it does not exist, can be cached without any invalidation. This keeps
 * hot items' neighbour rows in the API function's memory across requests. Bounded by approximate bytes.
 */
export class RowCache {
  private readonly entries = new Map<string, { value: unknown; bytes: number }>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /** The cached value (`null` = the row is known not to exist), or undefined when not cached. */
  get<T>(key: string): T | null | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value as T | null;
  }

  /** `encodedLength` approximates the memory the decoded value takes (decoded objects are ~4x their JSON). */
  set(key: string, value: unknown, encodedLength: number): void {
    if (!this.enabled) return;
    const bytes = 64 + key.length * 2 + encodedLength * 4;
    if (bytes > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.bytes -= previous.bytes;
      this.entries.delete(key);
    }
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
