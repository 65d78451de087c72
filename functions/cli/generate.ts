/** `affinity generate`: writes a deterministic synthetic ratings file (and optionally item metadata). */
import type { Command } from 'commander';
import { decimal, integer } from './args.js';
import {
  DEFAULT_CONTENT_SIGNAL,
  MAX_COLD_ITEMS,
  MAX_NEW_RELEASES,
  writeSyntheticItemMetadata,
  writeSyntheticRatings,
} from '../engine/synthetic/index.js';
import { action } from './errors.js';

interface GenerateFlags {
  users: number;
  items: number;
  ratings: number;
  seed: number;
  clusters?: number;
  timestamps: boolean;
  implicit?: boolean;
  metadata?: string;
  contentSignal: number;
  coldItems: number;
  newReleases: number;
  series?: boolean;
  sequels?: boolean;
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('write a deterministic synthetic media-shaped ratings file (Zipf popularity, taste factors, series)')
    .argument('<out>', 'output file (.csv, .tsv, .dat, .jsonl; add .gz to compress)')
    .option('--users <n>', 'users', integer('--users', 1), 2000)
    .option('--items <n>', 'items', integer('--items', 1), 1000)
    .option('--ratings <n>', 'ratings', integer('--ratings', 1), 50_000)
    .option('--seed <n>', 'random seed', integer('--seed', 0), 42)
    .option('--clusters <n>', 'genres (each split into taste factors)', integer('--clusters', 1))
    .option('--no-timestamps', 'omit the timestamp column')
    .option('--implicit', 'no rating column (implicit feedback)')
    .option('--metadata <file>', 'also write item metadata (item, title, genres, tags, text) as CSV')
    .option(
      '--content-signal <x>',
      "share of the descriptions' topic words drawn from the item's own taste factors (0 = text says nothing about taste)",
      decimal('--content-signal', 0, 1),
      DEFAULT_CONTENT_SIGNAL,
    )
    .option(
      '--cold-items <n>',
      'catalogue items nobody interacted with, appended to the metadata (ids after the last item)',
      integer('--cold-items', 0, MAX_COLD_ITEMS),
      0,
    )
    .option(
      '--new-releases <x>',
      "share of the items that are new releases: last in every user's history, so a time-based hold-out holds them",
      decimal('--new-releases', 0, MAX_NEW_RELEASES),
      0,
    )
    .option('--series', 'add a series column to the metadata (the series of linked parts the users continue in order)')
    .option('--sequels', 'new releases are drawn among later parts of series (sequels) where there are any')
    .action(action(async (out: string, flags: GenerateFlags) => generate(out, flags)));
}

async function generate(out: string, flags: GenerateFlags): Promise<void> {
  const options = {
    users: flags.users,
    items: flags.items,
    ratings: flags.ratings,
    seed: flags.seed,
    clusters: flags.clusters,
    timestamps: flags.timestamps,
    implicit: flags.implicit ?? false,
    contentSignal: flags.contentSignal,
    coldItems: flags.coldItems,
    newReleases: flags.newReleases,
    seriesInCatalogue: flags.series ?? false,
    newReleaseSequels: flags.sequels ?? false,
  };
  const started = performance.now();
  const written = await writeSyntheticRatings(out, options);
  if (flags.metadata) await writeSyntheticItemMetadata(flags.metadata, options);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `Wrote ${written.ratings.toLocaleString('en')} ratings (${(written.bytes / 1e6).toFixed(1)} MB) to ${out} in ${seconds.toFixed(2)} s`,
  );
}
