import type { IncomingHttpHeaders } from 'node:http';
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../logger.js';

/** What a service's configuration says about tracing (commonEnv's OTEL_* variables). */
export interface TracingConfig {
  /** The collector's OTLP/HTTP base URL; spans go to `<it>/v1/traces`. Unset: no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_HEADERS?: Readonly<Record<string, string>> | undefined;
  /** Replaces `interchange-<service>` as the spans' service name. */
  OTEL_SERVICE_NAME?: string | undefined;
}

/**
 * One service's tracing. Where tracing is off there is no Tracing at all (`undefined`, as metrics
 * are without METRICS): the request path checks for one and does nothing else, so tracing that is
 * off creates no span and allocates nothing per request.
 */
export interface Tracing {
  /** This service's tracer: its spans carry the service's name (`interchange-router`, `interchange-customers`...). */
  readonly tracer: Tracer;
  /** Writes `span`'s W3C `traceparent` (and `tracestate`, if any) into outgoing request headers. */
  inject(span: Span, headers: Record<string, string>): void;
  /** The context an incoming request's `traceparent` continues; the root context without one (or with a malformed one). */
  extract(headers: IncomingHttpHeaders): Context;
  /** Sends what has not been sent yet (for at most a few seconds) and stops; spans ended afterwards are dropped. */
  shutdown(): Promise<void>;
}

/**
 * Span attributes of our own, and the OpenTelemetry conventions we follow that are not stable yet
 * (copied here, as the conventions package advises, rather than imported from its incubating entry).
 */
export const SpanAttributes = {
  requestId: 'interchange.request_id',
  /** The verified caller's id (a JWT subject, an API key's id, a service's name) and its kind. */
  principalId: 'enduser.id',
  principalKind: 'interchange.principal.kind',
  operationName: 'graphql.operation.name',
  operationType: 'graphql.operation.type',
  /** The distinct `extensions.code`s of the answer's errors (`error` for an error without one). */
  errorCodes: 'interchange.error_codes',
  /** The router's response cache's verdict (its x-cache header): HIT, MISS, STALE or BYPASS. */
  cacheStatus: 'interchange.cache',
  /** `hit`: the operation's query plan was kept from an earlier request; `miss`: it was planned now. */
  planCache: 'interchange.plan.cache',
  subgraph: 'interchange.subgraph',
  attempt: 'interchange.subgraph.attempt',
  /** The fetch was answered by an identical request already in flight (whose trace has the subgraph's spans). */
  shared: 'interchange.subgraph.shared',
  dbSystem: 'db.system',
  dbStatement: 'db.statement',
} as const;

let exporterForTests: SpanExporter | undefined;

/**
 * Makes every service started in this process from now on trace, whatever its configuration
 * says, and hand each span to `exporter` as it ends (a SimpleSpanProcessor); `undefined` goes
 * back to the configuration. For tests: the test hub starts the router and every subgraph in the
 * test's process, each reading its own configuration, so that one InMemorySpanExporter sees them
 * all. Process-wide, as OpenTelemetry's own registration is.
 */
export function exportSpansTo(exporter: SpanExporter | undefined): void {
  exporterForTests = exporter;
}

/**
 * A service's tracing: with OTEL_EXPORTER_OTLP_ENDPOINT, its spans are batched and sent over
 * OTLP/HTTP; without, undefined. The OpenTelemetry SDK is loaded only when tracing is on.
 */
export async function startTracing(service: string, config: TracingConfig, logger: Logger): Promise<Tracing | undefined> {
  const exporter = exporterForTests;
  if (!exporter && !config.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const { createTracing } = await import('./tracer-provider.js');
  return createTracing(service, config, logger, exporter);
}

/** Marks `span` failed with `error` (its exception event, and an error status with its message). */
export function spanFailed(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * Runs `work` in a child span of the active span (a failure marks the span failed), active while
 * `work` runs; outside a traced request there is no parent, and `work` runs without a span, so
 * that work of no request (event purges, background reads) starts no trace of its own.
 */
export async function inChildSpan<T>(
  tracing: Tracing,
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  const parent = context.active();
  if (!trace.getSpan(parent)) return work(undefined);
  const span = tracing.tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    spanFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}
