/**
 * How the catalogue and the interactions cover each other: catalogue items nobody interacted with (known items
 * that get a catalogue row but no neighbour row) and interacted items the catalogue lacks (served without
 * attributes). Examples are the first ids in code-unit order, so a report is the same for the same files.
 */
import type { IdDictionaryView } from '../types.js';
import type { CatalogueEntry, CatalogueReport, IdSample } from './types.js';

const EXAMPLES = 10;

export function catalogueCoverage(
  entries: ReadonlyMap<string, CatalogueEntry>,
  interacted: IdDictionaryView,
): NonNullable<CatalogueReport['coverage']> {
  const withoutInteractions = new Sample();
  for (const item of entries.keys()) if (interacted.indexOf(item) === undefined) withoutInteractions.add(item);
  const missing = new Sample();
  for (let index = 0; index < interacted.size; index++) {
    const item = interacted.idAt(index);
    if (!entries.has(item)) missing.add(item);
  }
  return { itemsWithoutInteractions: withoutInteractions.done(), interactedItemsMissing: missing.done() };
}

/** A count and the smallest few ids, without sorting them all. */
class Sample {
  private count = 0;
  private smallest: string[] = [];

  add(id: string): void {
    this.count++;
    if (this.smallest.length === EXAMPLES && !(id < this.smallest[EXAMPLES - 1])) return;
    this.smallest.push(id);
    this.smallest.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (this.smallest.length > EXAMPLES) this.smallest.length = EXAMPLES;
  }

  done(): IdSample {
    return { count: this.count, examples: this.smallest };
  }
}
