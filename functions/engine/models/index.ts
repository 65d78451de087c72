/** The models a build can serve (spec.ts) and the candidates a config asks the build to compare (candidates.ts). */
export * from './spec.js';
export * from './candidates.js';
