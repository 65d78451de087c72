/** Deterministic, media-shaped synthetic ratings and item metadata (see docs/SYNTHETIC.md for the model). */
export { syntheticInteractions, syntheticLog } from './interactions.js';
export { SyntheticSource } from './generator.js';
export { resolveSyntheticOptions, type SyntheticOptions, type ResolvedSyntheticOptions } from './options.js';
export { syntheticCatalogue, type SyntheticCatalogue } from './catalogue.js';
export { writeSyntheticRatings, syntheticChunks, formatFromPath, type SyntheticFormat } from './write.js';
export { writeSyntheticItemMetadata, syntheticItems, clusterGenre, type SyntheticItem } from './metadata.js';
export { Random, AliasTable } from '../shared/index.js';
export { SyntheticEventSource, syntheticEventChunks, EVENT_TYPES, type SyntheticEventType } from './events.js';
