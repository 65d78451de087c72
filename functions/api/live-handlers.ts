/** The handler of POST /v1/datasets/{dataset}/events: validated body (./live-schemas.ts) -> ./live-service.ts -> JSON. */
import { MetricUnit, type AppLogger, type AppMetrics } from '../observability.js';
import type { ApiApp } from './app-env.js';
import { finiteReply } from './finite-json.js';
import { liveEventsRoute } from './live-schemas.js';
import type { LiveEventService } from './live-service.js';

export function registerLiveEventHandlers(
  app: ApiApp,
  { live, logger, metrics }: { live: LiveEventService; logger: AppLogger; metrics: AppMetrics },
): void {
  app.openapi(liveEventsRoute, async (c) => {
    const { dataset } = c.req.valid('param');
    const body = await live.post(dataset, c.req.valid('json').events);
    metrics.addMetric('LiveEventsAccepted', MetricUnit.Count, body.accepted);
    metrics.addMetric('LiveEventDuplicates', MetricUnit.Count, body.duplicates);
    logger.debug('live events', { requestId: c.get('requestId'), ...body });
    return c.json(finiteReply(body), 200, { 'Cache-Control': 'no-store' });
  });
}
