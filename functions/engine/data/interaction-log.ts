import { IdDictionary } from './id-dictionary.js';

/**
 * Interactions in columnar typed arrays (no object per rating), in file order. Ingest appends here;
 * `buildRatingMatrix` turns it into CSR. Grows by doubling, so memory stays ~21 bytes per rating.
 */
export class InteractionLog {
  private userIds = new IdDictionary();
  readonly items = new IdDictionary();
  private userIdx = new Uint32Array(1024);
  private itemIdx = new Uint32Array(1024);
  private vals = new Float32Array(1024);
  private times: Float64Array | null = null;
  private n = 0;

  get length(): number {
    return this.n;
  }

  get users(): IdDictionary {
    return this.userIds;
  }

  /**
   * Renames the users: `users` replaces the dictionary and row k's user index u becomes `map[u]` (omitted: the
   * indices stay). Two old users mapped to one new index become one user (a pseudonymised dataset, ingest/).
   */
  replaceUsers(users: IdDictionary, map?: Uint32Array): void {
    if (map) {
      for (let k = 0; k < this.n; k++) this.userIdx[k] = map[this.userIdx[k]];
    }
    this.userIds = users;
  }

  /**
   * Make room for `rows` interactions at once. Ingest calls it with an estimate from the file size: growing by
   * doubling touches every byte again on each step, and reserved but unused capacity costs only address space.
   */
  reserve(rows: number): void {
    if (rows <= this.userIdx.length) return;
    this.resizeTo(rows);
  }

  /** Append one interaction. `timestamp` NaN or undefined means "none". */
  add(user: string, item: string, value: number, timestamp?: number): void {
    this.addIndexed(this.users.intern(user), this.items.intern(item), value, timestamp);
  }

  /** Append with already-interned indices (fast path for generators). */
  addIndexed(user: number, item: number, value: number, timestamp?: number): void {
    if (this.n === this.userIdx.length) this.grow();
    const i = this.n++;
    this.userIdx[i] = user;
    this.itemIdx[i] = item;
    this.vals[i] = value;
    if (timestamp !== undefined && !Number.isNaN(timestamp)) {
      if (this.times === null) this.times = new Float64Array(this.userIdx.length).fill(NaN, 0, i);
      this.times[i] = timestamp;
    } else if (this.times !== null) {
      this.times[i] = NaN;
    }
  }

  private grow(): void {
    this.resizeTo(this.userIdx.length * 2);
  }

  private resizeTo(size: number): void {
    this.userIdx = resize(this.userIdx, size);
    this.itemIdx = resize(this.itemIdx, size);
    this.vals = resize(this.vals, size);
    if (this.times) this.times = resize(this.times, size, NaN);
  }

  /** Views of the filled part of each column (no copy). */
  columns(): { user: Uint32Array; item: Uint32Array; value: Float32Array; timestamp: Float64Array | null } {
    return {
      user: this.userIdx.subarray(0, this.n),
      item: this.itemIdx.subarray(0, this.n),
      value: this.vals.subarray(0, this.n),
      timestamp: this.times ? this.times.subarray(0, this.n) : null,
    };
  }
}

function resize<T extends Uint32Array | Float32Array | Float64Array>(array: T, size: number, fill?: number): T {
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  if (fill !== undefined) next.fill(fill, array.length);
  return next;
}
