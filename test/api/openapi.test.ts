// GET /openapi.json: every route is documented, the document is structurally valid OpenAPI 3.0, and the limits
// it states are the ones the validators enforce (both come from the same zod schemas).
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ApiStore } from '../../functions/api/app.js';
import { createTestStore, FILMS, recordingLogger, recordingMetrics, writeModel } from './fixture.js';

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Json;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: Json }> }>;
  description?: string;
}

const EXPECTED_OPERATIONS = [
  'get /v1/datasets',
  'get /v1/datasets/{dataset}/users/{userId}/recommendations',
  'post /v1/datasets/{dataset}/recommendations',
  'get /v1/datasets/{dataset}/items/{itemId}/similar',
  'get /v1/datasets/{dataset}/users/{userId}/similar',
  'get /v1/datasets/{dataset}/users/{userId}/history',
  'get /v1/datasets/{dataset}/popular',
  'get /v1/datasets/{dataset}/trending',
  'get /v1/datasets/{dataset}/items/{itemId}',
  'get /v1/datasets/{dataset}',
  'get /v1/datasets/{dataset}/jobs/{jobId}',
  'get /v1/datasets/{dataset}/jobs',
  'post /v1/datasets/{dataset}/rollback',
  'delete /v1/datasets/{dataset}/users/{userId}',
  'delete /v1/datasets/{dataset}/items/{itemId}',
  'get /v1/datasets/{dataset}/erasures/users/{userId}',
  'get /v1/datasets/{dataset}/erasures/items/{itemId}',
  'post /v1/datasets/{dataset}/events',
  'get /health',
];
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const PARAMETER_LOCATIONS = new Set(['path', 'query', 'header', 'cookie']);

let store: ApiStore;
let app: ReturnType<typeof createApp>;
let doc: {
  openapi: string;
  info: Json;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Json> };
};

beforeAll(async () => {
  ({ store } = await createTestStore());
  await writeModel(store as never, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() });
  const response = await app.request('/openapi.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  doc = (await response.json()) as typeof doc;
});

function operations(): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]): [string, string, Operation] => [method, path, operation]),
  );
}

/** Every {"$ref": ...} anywhere in the document. */
function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((entry) => refs(entry, found));
  else if (value && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) {
      if (key === '$ref' && typeof entry === 'string') found.push(entry);
      else refs(entry, found);
    }
  }
  return found;
}

describe('GET /openapi.json', () => {
  it('documents exactly the API routes', () => {
    expect(
      operations()
        .map(([method, path]) => `${method} ${path}`)
        .sort(),
    ).toEqual([...EXPECTED_OPERATIONS].sort());
  });

  it('is structurally valid OpenAPI 3.0', () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    expect(typeof doc.info.title).toBe('string');
    expect(typeof doc.info.version).toBe('string');
    const operationIds = new Set<string>();
    for (const [method, path, operation] of operations()) {
      expect(HTTP_METHODS.has(method), `${method} ${path}`).toBe(true);
      expect(path.startsWith('/')).toBe(true);
      expect(operation.operationId).toBeTruthy();
      expect(operationIds.has(operation.operationId!)).toBe(false);
      operationIds.add(operation.operationId!);
      expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(status).toMatch(/^[1-5]\d\d$|^default$/);
        expect(typeof response.description, `${method} ${path} ${status}`).toBe('string');
      }
      const parameters = operation.parameters ?? [];
      const seen = new Set<string>();
      for (const parameter of parameters) {
        expect(PARAMETER_LOCATIONS.has(parameter.in)).toBe(true);
        expect(typeof parameter.name).toBe('string');
        expect(parameter.schema).toBeTypeOf('object');
        expect(seen.has(`${parameter.in}:${parameter.name}`)).toBe(false);
        seen.add(`${parameter.in}:${parameter.name}`);
        if (parameter.in === 'path') expect(parameter.required, `${path} ${parameter.name}`).toBe(true);
      }
      // Every {template} of the path is declared as a path parameter, and nothing else is.
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
      expect(
        parameters
          .filter((parameter) => parameter.in === 'path')
          .map((parameter) => parameter.name)
          .sort(),
      ).toEqual(templated);
    }
  });

  it('every $ref resolves to a component', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(0);
    for (const ref of all) {
      const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
      expect(match, ref).not.toBeNull();
      expect(doc.components?.schemas?.[match![1]], ref).toBeDefined();
    }
  });

  it('documents problem responses as application/problem+json and the history cap', () => {
    for (const [method, path, operation] of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        expect(response.content?.['application/problem+json']?.schema, `${method} ${path} ${status}`).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      }
    }
    const recommend = doc.paths['/v1/datasets/{dataset}/users/{userId}/recommendations'].get;
    expect(recommend.description).toContain('200 most recent');
    const request = doc.components?.schemas?.RecommendRequest as {
      properties: { history: { maxItems: number } };
      required: string[];
    };
    expect(request.properties.history.maxItems).toBe(1000);
    expect(request.required).toContain('history');
  });

  it('states the limits the validators enforce', async () => {
    const limit = doc.paths['/v1/datasets/{dataset}/popular'].get.parameters!.find(
      (parameter) => parameter.name === 'limit',
    )!;
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 10 });
    const maximum = limit.schema!.maximum as number;
    expect((await app.request(`/v1/datasets/films/popular?limit=${maximum}`)).status).toBe(200);
    expect((await app.request(`/v1/datasets/films/popular?limit=${maximum + 1}`)).status).toBe(400);
    const userId = doc.paths['/v1/datasets/{dataset}/users/{userId}/similar'].get.parameters!.find(
      (parameter) => parameter.name === 'userId',
    )!;
    expect(userId.schema).toMatchObject({ type: 'string', minLength: 1, maxLength: 256 });
  });
});
