import { csvRecord, Random } from '../shared/index.js';
import { syntheticCatalogue } from './catalogue.js';
import { resolveSyntheticOptions, type SyntheticOptions } from './options.js';
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
}

/** Metadata of every catalogue item (rated or not), deterministic by seed. Some titles contain commas and quotes. */
export function* syntheticItems(options: SyntheticOptions): Generator<SyntheticItem> {
  const o = resolveSyntheticOptions(options);
  const { cluster } = syntheticCatalogue(o);
  const random = new Random(o.seed, 5);
  for (let i = 0; i < o.items; i++) {
    const genres = [clusterGenre(cluster[i])];
    if (random.next() < 0.3) {
      const extra = clusterGenre(random.int(Math.max(o.clusters, GENRES.length)));
      if (extra !== genres[0]) genres.push(extra);
    }
    const adjective = ADJECTIVES[random.int(ADJECTIVES.length)];
    const noun = NOUNS[random.int(NOUNS.length)];
    const year = 1950 + random.int(75);
    const style = random.next();
    const base =
      style < 0.1 ? `${noun}, ${adjective}` : style < 0.15 ? `The "${adjective}" ${noun}` : `The ${adjective} ${noun}`;
    yield { item: o.itemPrefix + i, title: `${base} (${year})`, genres };
  }
}

/** Writes `item,title,genres` CSV (genres joined by `|`, RFC 4180 quoting); gzip when the path ends in .gz. */
export async function writeSyntheticItemMetadata(path: string, options: SyntheticOptions): Promise<void> {
  resolveSyntheticOptions(options); // fail before creating the file
  await writeChunks(path, metadataChunks(options));
}

function* metadataChunks(options: SyntheticOptions): Generator<string> {
  let chunk = 'item,title,genres\n';
  for (const { item, title, genres } of syntheticItems(options)) {
    chunk += csvRecord([item, title, genres.join('|')]) + '\n';
    if (chunk.length >= 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}
