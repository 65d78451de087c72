import { csvRecord, Random } from '../shared/index.js';
import { syntheticCatalogue } from './catalogue.js';
import { syntheticColdItems } from './cold-items.js';
import { resolveSyntheticOptions, type SyntheticOptions } from './options.js';
import { describeItem, descriptionRandom, factorTopics } from './text.js';
import { writeChunks } from './write.js';

const GENRES = [
  'Drama',
  'Comedy',
  'Thriller',
  'Documentary',
  'Romance',
  'Sci-Fi',
  'Animation',
  'Horror',
  'Crime',
  'Fantasy',
  'Adventure',
  'Mystery',
  'Musical',
  'Western',
  'War',
  'Family',
];
const ADJECTIVES = [
  'Silent',
  'Last',
  'Hidden',
  'Broken',
  'Golden',
  'Long',
  'Quiet',
  'Burning',
  'Lost',
  'Northern',
  'Electric',
  'Secret',
];
const NOUNS = [
  'River',
  'Summer',
  'Garden',
  'Signal',
  'Harbour',
  'Kingdom',
  'Letter',
  'Machine',
  'Frontier',
  'Orchard',
  'Empire',
  'Night',
];

/** Genre name of cluster c: real genre names first, then `Genre17`, ... */
export function clusterGenre(c: number): string {
  return c < GENRES.length ? GENRES[c] : `Genre${c + 1}`;
}

export interface SyntheticItem {
  item: string;
  title: string;
  /** The item's cluster genre first, sometimes a second genre. */
  genres: string[];
  /** 2–4 topic words (text.ts). */
  tags: string[];
  /** A description of 30–80 words whose topic words follow `contentSignal` (text.ts). */
  text: string;
  /**
   * The item's series (`s17`: catalogue.ts's series index) with option `seriesInCatalogue`, absent otherwise and for
   * items in no series (cold items never are in one).
   */
  series?: string;
}

/**
 * Metadata of every catalogue item (rated or not: the `items` the interactions draw from, then `coldItems` nobody
 * has interacted with), deterministic by seed. Titles and genres come from stream 5 exactly as before descriptions
 * were added (cold items: stream 11), descriptions and tags from each item's own stream (text.ts). Some titles and
 * descriptions contain commas and quotes.
 */
export function* syntheticItems(options: SyntheticOptions): Generator<SyntheticItem> {
  const o = resolveSyntheticOptions(options);
  const catalogue = syntheticCatalogue(o);
  const topics = factorTopics(catalogue);
  const random = new Random(o.seed, 5);
  // Title and genres from `titleRandom` first, then the description from the item's own stream (the draw order).
  const described = (titleRandom: Random, i: number, cluster: number, factor: number, second: number) => ({
    item: o.itemPrefix + i,
    ...titleAndGenres(titleRandom, cluster, o.clusters, 1950, 75),
    ...describeItem(descriptionRandom(o.seed, i), factor, second, topics, o.contentSignal),
  });
  for (let i = 0; i < o.items; i++) {
    const { item, title, genres, tags, text } = described(
      random,
      i,
      catalogue.cluster[i],
      catalogue.factor[i],
      catalogue.secondFactor[i],
    );
    const series = catalogue.series[i];
    yield {
      item,
      title,
      genres,
      tags,
      text,
      ...(o.seriesInCatalogue && series >= 0 ? { series: `s${series}` } : {}),
    };
  }
  const cold = syntheticColdItems(o, catalogue);
  const coldRandom = new Random(o.seed, 11);
  for (let k = 0; k < o.coldItems; k++) {
    // Years as any item's: one year shared by every cold item would make them one another's content neighbours.
    const { item, title, genres, tags, text } = described(
      coldRandom,
      o.items + k,
      cold.cluster[k],
      cold.factor[k],
      cold.secondFactor[k],
    );
    yield { item, title, genres, tags, text };
  }
}

/** A title and genres of an item of `cluster`, drawn in the order the metadata always drew them. */
function titleAndGenres(
  random: Random,
  cluster: number,
  clusters: number,
  yearFrom: number,
  years: number,
): { title: string; genres: string[] } {
  const genres = [clusterGenre(cluster)];
  if (random.next() < 0.3) {
    const extra = clusterGenre(random.int(Math.max(clusters, GENRES.length)));
    if (extra !== genres[0]) genres.push(extra);
  }
  const adjective = ADJECTIVES[random.int(ADJECTIVES.length)];
  const noun = NOUNS[random.int(NOUNS.length)];
  const year = yearFrom + random.int(years);
  const style = random.next();
  const base =
    style < 0.1 ? `${noun}, ${adjective}` : style < 0.15 ? `The "${adjective}" ${noun}` : `The ${adjective} ${noun}`;
  return { title: `${base} (${year})`, genres };
}

/** The metadata file's columns: tags and categories (genres) `|`-joined, as the catalogue parser reads them. */
export const METADATA_HEADER = ['item', 'title', 'genres', 'tags', 'text'] as const;
/** The columns with option `seriesInCatalogue`: a last `series` column (empty for items in no series). */
export const METADATA_HEADER_WITH_SERIES = [...METADATA_HEADER, 'series'] as const;

/**
 * Writes `item,title,genres,tags,text` CSV (genres and tags joined by `|`, RFC 4180 quoting), with a last `series`
 * column under option `seriesInCatalogue`; gzip when the path ends in .gz. The catalogue parser reads `genres` as
 * categories, `tags` as tags, `text` as the description and `series` as the series.
 */
export async function writeSyntheticItemMetadata(path: string, options: SyntheticOptions): Promise<void> {
  resolveSyntheticOptions(options); // fail before creating the file
  await writeChunks(path, metadataChunks(options));
}

function* metadataChunks(options: SyntheticOptions): Generator<string> {
  const withSeries = resolveSyntheticOptions(options).seriesInCatalogue;
  let chunk = (withSeries ? METADATA_HEADER_WITH_SERIES : METADATA_HEADER).join(',') + '\n';
  for (const { item, title, genres, tags, text, series } of syntheticItems(options)) {
    const fields = [item, title, genres.join('|'), tags.join('|'), text];
    if (withSeries) fields.push(series ?? '');
    chunk += csvRecord(fields) + '\n';
    if (chunk.length >= 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}
