/** Deterministic, media-shaped synthetic ratings and item metadata (see docs/SYNTHETIC.md for the model). */
export { syntheticInteractions, syntheticLog } from './interactions.js';
export { SyntheticSource } from './generator.js';
export {
  DEFAULT_CONTENT_SIGNAL,
  MAX_COLD_ITEMS,
  MAX_NEW_RELEASES,
  resolveSyntheticOptions,
  type SyntheticOptions,
  type ResolvedSyntheticOptions,
} from './options.js';
export { syntheticCatalogue, type SyntheticCatalogue } from './catalogue.js';
export { writeSyntheticRatings, syntheticChunks, formatFromPath, type SyntheticFormat } from './write.js';
export {
  METADATA_HEADER,
  METADATA_HEADER_WITH_SERIES,
  writeSyntheticItemMetadata,
  syntheticItems,
  clusterGenre,
  type SyntheticItem,
} from './metadata.js';
export {
  SECOND_FACTOR_TOPIC_SHARE,
  describeItem,
  descriptionRandom,
  factorTopics,
  type SyntheticDescription,
} from './text.js';
export { syntheticNewReleases } from './new-releases.js';
export { syntheticColdItems, type SyntheticColdItems } from './cold-items.js';
export { GENRE_TOPIC_POOLS, SHARED_WORDS, STOP_WORDS, TOPIC_WORDS } from './vocabulary.js';
export { Random, AliasTable } from '../shared/index.js';
export { SyntheticEventSource, syntheticEventChunks, EVENT_TYPES, type SyntheticEventType } from './events.js';
