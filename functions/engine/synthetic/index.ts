/** Deterministic, media-shaped synthetic ratings and item metadata (see generator.ts for the model). */
export { syntheticInteractions, syntheticLog } from './interactions.js';
export {
  SyntheticSource,
  resolveSyntheticOptions,
  syntheticCatalogue,
  type SyntheticCatalogue,
  type SyntheticOptions,
  type ResolvedSyntheticOptions,
} from './generator.js';
export { writeSyntheticRatings, syntheticChunks, formatFromPath, type SyntheticFormat } from './write.js';
export { writeSyntheticItemMetadata, syntheticItems, clusterGenre, type SyntheticItem } from './metadata.js';
export { Random, AliasTable } from '../shared/index.js';
export { SyntheticEventSource, syntheticEventChunks, EVENT_TYPES, type SyntheticEventType } from './events.js';
