/**
 * One Powertools configuration (structured logs, CloudWatch EMF metrics, X-Ray traces) shared by every function,
 * so the build and API functions log and measure alike.
 *
 * Environment (all optional):
 * - POWERTOOLS_SERVICE_NAME     service name on logs, metrics and traces (default 'affinity')
 * - POWERTOOLS_METRICS_NAMESPACE CloudWatch namespace (default 'Affinity', so metrics never fail for lack of one)
 * - POWERTOOLS_METRICS_DISABLED  'true' silences the EMF lines on stdout (tests, local runs); read by Powertools itself
 * - POWERTOOLS_LOG_LEVEL         e.g. 'DEBUG', 'WARN', 'SILENT' (Powertools default: INFO)
 * Tracing is only active inside Lambda (Powertools switches it off elsewhere), so local runs need no X-Ray daemon.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as MetricUnitName } from '@aws-lambda-powertools/metrics/types';
import { Tracer } from '@aws-lambda-powertools/tracer';

export { MetricUnit };

export const DEFAULT_SERVICE_NAME = 'affinity';
export const DEFAULT_METRICS_NAMESPACE = 'Affinity';

export function serviceName(): string {
  return process.env.POWERTOOLS_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME;
}

/** The logging surface the functions use; a Powertools Logger satisfies it, tests may pass a recorder. */
export interface AppLogger {
  debug(message: string, ...extra: unknown[]): void;
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

/** The metrics surface the functions use; a Powertools Metrics satisfies it. */
export interface AppMetrics {
  addMetric(name: string, unit: MetricUnitName, value: number): unknown;
  hasStoredMetrics(): boolean;
  publishStoredMetrics(): unknown;
}

export function createLogger(options: { logLevel?: LogLevel } = {}): Logger {
  return new Logger({ serviceName: serviceName(), ...(options.logLevel ? { logLevel: options.logLevel } : {}) });
}

export function createMetrics(): Metrics {
  return new Metrics({
    serviceName: serviceName(),
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE?.trim() || DEFAULT_METRICS_NAMESPACE,
  });
}

export function createTracer(): Tracer {
  return new Tracer({ serviceName: serviceName() });
}

/** Publishes stored metrics if there are any (Powertools warns on an empty flush). */
export function flushMetrics(metrics: AppMetrics): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/** The per-process instances: created once at cold start and reused by every invocation. */
export const logger = createLogger();
export const metrics = createMetrics();
export const tracer = createTracer();
