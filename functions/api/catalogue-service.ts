/**
 * The catalogue in API answers: `fields=` attributes attached to a response's items (one BatchGetItem round for
 * all of them, on the version the answer came from), and one item's entry (GET …/items/{itemId}).
 *
 * Safety: attributes always come from the same version as the ranking they decorate; an entry missing on a
 * manifest old enough for its version to have been pruned is looked up once more on the newer active version
 * before the item counts as unknown (as in service.ts); a taken-down item has no entry on any version (./tombstones.ts).
 * Tests: test/api/catalogue.test.ts, test/api/erasure-serving.test.ts.
 */
import type { ModelReader } from '../adapters/store-contract.js';
import { uploadKey } from '../adapters/bucket-layout.js';
import type { CatalogueEntry, CatalogueField } from '../engine/catalogue/index.js';
import type { ItemEntryBody } from './catalogue-schemas.js';
import { notFound } from './problems.js';
import type { ServedModel } from './service.js';

type Attributes = Omit<CatalogueEntry, 'item'>;

/** The asked-for attributes of an entry (text comes with textLength when it was cut). */
export function pickFields(entry: CatalogueEntry, fields: readonly CatalogueField[]): Attributes {
  const picked: Record<string, unknown> = {};
  for (const field of fields) {
    if (entry[field] !== undefined) picked[field] = entry[field];
    if (field === 'text' && entry.textLength !== undefined) picked.textLength = entry.textLength;
  }
  return picked as Attributes;
}

export class CatalogueService {
  constructor(
    private readonly store: ModelReader,
    private readonly activeModel: (dataset: string) => Promise<ServedModel>,
  ) {}

  /** `items` with the asked-for attributes of each; unchanged (and nothing read) when no field is asked for. */
  async withFields<T extends object>(
    dataset: string,
    version: string,
    items: readonly T[],
    idOf: (item: T) => string,
    fields: readonly CatalogueField[] | undefined,
  ): Promise<T[]> {
    if (!fields?.length || items.length === 0) return [...items];
    const entries = await this.store.getCatalogueEntries(dataset, version, items.map(idOf));
    return items.map((item) => {
      const entry = entries.get(idOf(item));
      return entry ? { ...item, ...pickFields(entry, fields) } : item;
    });
  }

  /** One item's entry on the active version; 404 when it has none. */
  async item(dataset: string, itemId: string): Promise<ItemEntryBody> {
    const first = await this.activeModel(dataset);
    if (first.filter.isTakenDown(itemId))
      throw notFound(
        `Item ${JSON.stringify(itemId)} was taken down in dataset ${JSON.stringify(dataset)}: it has no catalogue entry.`,
        'GET /v1/datasets/{dataset}/erasures/items/{itemId} shows when it was taken down.',
      );
    let { version, manifest } = first;
    let entry = (await this.store.getCatalogueEntries(dataset, version, [itemId])).get(itemId);
    if (entry === undefined) {
      const fresh = await this.store.refreshManifest(dataset, manifest);
      if (fresh?.activeVersion && fresh.activeVersion !== version) {
        ({ activeVersion: version } = fresh);
        manifest = fresh;
        entry = (await this.store.getCatalogueEntries(dataset, version, [itemId])).get(itemId);
      }
    }
    if (entry === undefined) {
      const info = manifest.versions.find((v) => v.version === version);
      throw notFound(
        `Item ${JSON.stringify(itemId)} has no catalogue entry in dataset ${JSON.stringify(dataset)} (version ${version}).`,
        info?.catalogue
          ? 'Check the item id (ids are case-sensitive); the catalogue of this version does not list it.'
          : `This version was built without a catalogue: upload ${uploadKey(dataset, 'items.csv')} (or items.jsonl), then build.`,
      );
    }
    const { item, ...attributes } = entry;
    return { dataset, version, item, ...attributes };
  }
}
