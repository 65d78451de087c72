/** The OpenAPI document, served at OPENAPI_PATH; its paths and schemas come from the route definitions (./routes.ts). */
import type { ApiApp } from './app-env.js';

export const OPENAPI_PATH = '/openapi.json';
export const API_VERSION = '1.0.0';

/** Serves the document of every route registered on `app` so far (so call it after the routes). */
export function serveOpenApiDocument(app: ApiApp): void {
  app.doc(OPENAPI_PATH, {
    openapi: '3.0.3',
    info: {
      title: 'Affinity recommendations API',
      version: API_VERSION,
      description:
        'Explainable collaborative-filtering recommendations. Errors are RFC 9457 problem documents ' +
        '(application/problem+json). Path ids are percent-encoded once (e.g. "a/b" as a%2Fb); ids are at most 256 UTF-8 bytes.',
    },
    tags: [
      { name: 'recommendations', description: 'Top-N recommendations and popular items.' },
      { name: 'similarity', description: 'Nearest neighbours of an item or a user.' },
      { name: 'models', description: 'Model versions, build jobs, rollback.' },
      { name: 'service', description: 'Health.' },
    ],
  });
}
