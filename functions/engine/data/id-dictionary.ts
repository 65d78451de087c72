import type { IdDictionaryView } from '../types.js';

/** Interns string ids to dense indices in first-seen order. */
export class IdDictionary implements IdDictionaryView {
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  static from(ids: Iterable<string>): IdDictionary {
    const dictionary = new IdDictionary();
    for (const id of ids) dictionary.intern(id);
    return dictionary;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Index of `id`, adding it when new. */
  intern(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }

  indexOf(id: string): number | undefined {
    return this.index.get(id);
  }

  idAt(index: number): string {
    const id = this.ids[index];
    if (id === undefined) throw new RangeError(`no id at index ${index} (dictionary has ${this.ids.length})`);
    return id;
  }

  /** All ids in index order. */
  toArray(): readonly string[] {
    return this.ids;
  }
}
