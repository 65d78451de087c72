// The shared Powertools configuration: default namespace and service name, silencing by env, and the API's
// structured request log line through a real Powertools Logger.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobReader, LiveEventWriter, ModelReader } from '../../functions/adapters/store-contract.js';
import { createApp } from '../../functions/api/app.js';
import { createLogger, createMetrics, MetricUnit } from '../../functions/observability.js';
import { jsonLines, stdoutOf } from '../support/stdout.js';
import { recordingMetrics } from './fixture.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('observability', () => {
  it('metrics default to namespace Affinity and service affinity, both overridable by env', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', '');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', '');
    const metrics = createMetrics();
    metrics.addMetric('RecommendationsServed', MetricUnit.Count, 1);
    const emf = JSON.parse(await stdoutOf(() => metrics.publishStoredMetrics())) as {
      _aws: { CloudWatchMetrics: { Namespace: string }[] };
      service: string;
    };
    expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe('Affinity');
    expect(emf.service).toBe('affinity');
    expect(emf).toMatchObject({ RecommendationsServed: 1 });

    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'recs');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'Media');
    const custom = createMetrics();
    custom.addMetric('Fallbacks', MetricUnit.Count, 1);
    expect(custom.serializeMetrics()).toMatchObject({
      service: 'recs',
      _aws: { CloudWatchMetrics: [{ Namespace: 'Media' }] },
    });
  });

  it('POWERTOOLS_METRICS_DISABLED=true silences the EMF output', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const metrics = createMetrics();
    metrics.addMetric('RecommendationsServed', MetricUnit.Count, 1);
    expect(await stdoutOf(() => metrics.publishStoredMetrics())).toBe('');
  });

  it('the API logs one structured JSON line per request with requestId, dataset, route and status', async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.stubEnv('POWERTOOLS_DEV', '');
    // A store with no datasets at all: enough for a 404 without a database.
    const empty = { getManifest: async () => undefined } as unknown as ModelReader & JobReader & LiveEventWriter;
    const app = createApp({ store: empty, logger: createLogger(), metrics: recordingMetrics() });
    let response: Response | undefined;
    const output = await stdoutOf(async () => {
      response = await app.request('/v1/datasets/films/popular', { headers: { 'X-Request-Id': 'req-123' } });
    });
    expect(response?.status).toBe(404);
    expect(jsonLines(output)).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'request',
        service: 'affinity',
        requestId: 'req-123',
        dataset: 'films',
        route: '/v1/datasets/:dataset/popular',
        method: 'GET',
        status: 404,
      }),
    );
  });
});
