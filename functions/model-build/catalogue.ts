/**
 * The item catalogue in a build: find the dataset's catalogue object, read it, report how it covers the
 * interactions, and write one catalogue row per item into the version being built.
 *
 * Safety properties (each tested in test/pipeline/catalogue.test.ts unless noted):
 * - Exact: the object is read with the ETag its listing gave (If-Match, answer checked); replaced between the
 *   listing and the read, it is listed and read again (up to 3 times), never mixed.
 * - One catalogue: two catalogue objects (items.csv and items.jsonl) fail the build naming both, rather than
 *   one being picked silently (test/model-build/catalogue-read.test.ts).
 * - Bad data fails like interactions do: a fatal problem or too many rejected rows is a UserInputError, so the
 *   job fails with its message and the previous model keeps serving; rejected rows are reported with lines.
 * - Known items: every catalogue entry gets a row, whether or not anyone interacted with the item; items nobody
 *   interacted with get no neighbour rows (the engine has none for them).
 * Catalogue-only change: a catalogue upload makes the next build carry it; that build also recomputes neighbour
 * rows from the interactions (simple, and one path; the build time is the interaction build's).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { listCatalogueObjects, type ListedObject } from '../adapters/catalogue-objects.js';
import { ObjectChangedError, ObjectMissingError, openObject } from '../adapters/s3-objects.js';
import type { CatalogueSource, VersionWriter } from '../adapters/store-contract.js';
import { catalogueCoverage, parseCatalogue, type Catalogue, type CatalogueReport } from '../engine/catalogue/index.js';
import { combineLimits, type IngestLimits } from '../engine/ingest/index.js';
import type { ModelConfig } from '../engine/model-config.js';
import { UserInputError, type IdDictionaryView } from '../engine/types.js';

const READ_ATTEMPTS = 3;

export interface LoadedCatalogue extends Catalogue {
  source: CatalogueSource;
}

/** The dataset's catalogue, or undefined when it has none. */
export async function readCatalogue(
  s3: S3Client,
  bucket: string,
  dataset: string,
  config: ModelConfig,
  deploymentLimits?: IngestLimits,
  /** The catalogue objects of the build's own listing: the first attempt reads them, retries list again. */
  listedByBuild?: readonly ListedObject[],
): Promise<LoadedCatalogue | undefined> {
  for (let attempt = 1; ; attempt++) {
    const listed =
      attempt === 1 && listedByBuild ? [...listedByBuild] : await listCatalogueObjects(s3, bucket, dataset);
    if (listed.length === 0) return undefined;
    if (listed.length > 1) {
      throw new UserInputError(
        `dataset ${dataset} has ${listed.length} catalogue files: ${listed.map((object) => object.key).join(', ')}`,
        listed[0].key,
        'keep one catalogue file per dataset: delete the others (a dataset has one items.csv, items.tsv or items.jsonl, optionally .gz)',
      );
    }
    try {
      return await readListed(s3, bucket, listed[0], config, deploymentLimits);
    } catch (error) {
      const changed = error instanceof ObjectChangedError || error instanceof ObjectMissingError;
      if (!changed || attempt >= READ_ATTEMPTS) throw error;
    }
  }
}

async function readListed(
  s3: S3Client,
  bucket: string,
  object: ListedObject,
  config: ModelConfig,
  deploymentLimits: IngestLimits | undefined,
): Promise<LoadedCatalogue> {
  const opened = await openObject(s3, bucket, object.key, { eTag: object.eTag });
  const { limits, hint } = combineLimits(deploymentLimits, config.limits);
  const catalogue = await parseCatalogue(opened.body, {
    ...config.catalogue,
    fileName: object.key,
    limits,
    limitHint: hint,
    expectedBytes: opened.size,
    maxRejectedShare: config.maxRejectedShare,
  });
  const source: CatalogueSource = {
    key: object.key,
    ...(object.eTag ? { eTag: object.eTag } : {}),
    ...(opened.size !== undefined ? { size: opened.size } : {}),
    rows: catalogue.report.rowsRead,
    items: catalogue.entries.size,
    attributes: [...(config.catalogue.attributes ?? [])],
  };
  return { ...catalogue, source };
}

/** The catalogue's report completed with its coverage of the interacted items. */
export function catalogueReportFor(catalogue: LoadedCatalogue, interacted: IdDictionaryView): CatalogueReport {
  return { ...catalogue.report, coverage: catalogueCoverage(catalogue.entries, interacted) };
}

/** One row per entry. */
export async function publishCatalogue(catalogue: LoadedCatalogue, writer: VersionWriter): Promise<number> {
  for (const entry of catalogue.entries.values()) await writer.putCatalogueEntry(entry);
  return catalogue.entries.size;
}

/** The part of the catalogue report kept in the job record (the full one is in the S3 report). */
export function summariseCatalogue(report: CatalogueReport): Record<string, unknown> {
  return {
    file: report.file,
    rowsRead: report.rowsRead,
    accepted: report.accepted,
    items: report.items,
    rejected: Object.fromEntries(
      Object.entries(report.rejected).map(([reason, r]) => [
        reason,
        { count: r?.count, lines: r?.lines, example: r?.example },
      ]),
    ),
    duplicates: report.duplicates.count,
    unknownColumns: report.unknownColumns.map((column) => column.name),
    textsCut: report.textsCut,
    itemsWithoutInteractions: report.coverage?.itemsWithoutInteractions,
    interactedItemsMissing: report.coverage?.interactedItemsMissing,
    warnings: report.warnings,
  };
}
