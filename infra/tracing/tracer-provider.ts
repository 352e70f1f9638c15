import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { setGlobalErrorHandler, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from '../logger.js';
import type { Tracing, TracingConfig } from './tracing.js';

/** How long a stopping service waits for its last spans to reach the collector: one that does not answer must not hold the shutdown. */
const SHUTDOWN_FLUSH_MS = 3_000;

/** The longest attribute value kept (a long SQL statement is cut there). */
const MAX_ATTRIBUTE_LENGTH = 4_096;

/** Failed exports (a collector that does not answer) are logged at most this often. */
const ERROR_LOG_INTERVAL_MS = 30_000;

let processRegistered = false;

/**
 * What OpenTelemetry keeps once per process, set up by the first service that traces: the
 * AsyncLocalStorage context manager (through NodeTracerProvider.register), so that the active
 * span follows a request through every await and the spans a request causes nest under it; and
 * the SDK's error handler, so that failed exports are logged (throttled: a collector that is down
 * fails every batch). The global tracer provider `register` also sets is that first service's;
 * our code never uses it (each service uses its own tracer) and nothing we run on the request
 * path does. No `diag` logger: @apollo/gateway's own OpenTelemetry metrics would fill the log with
 * their complaints.
 */
function registerProcessWide(provider: NodeTracerProvider, logger: Logger): void {
  if (processRegistered) return;
  processRegistered = true;
  provider.register({ propagator: null });
  let lastLoggedAt = -Infinity;
  setGlobalErrorHandler((error) => {
    if (Date.now() - lastLoggedAt < ERROR_LOG_INTERVAL_MS) return;
    lastLoggedAt = Date.now();
    logger.warn({ err: error }, 'tracing: spans could not be exported (logged at most every 30 s)');
  });
}

/** The OTLP/HTTP traces URL under a base endpoint, as the specification builds it. */
function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * A tracer provider of the service's own (its resource names it), exporting through a
 * BatchSpanProcessor to OTLP/HTTP (JSON), or, for tests, each span as it ends to `testExporter`.
 * Spans follow their parent's sampling decision and are all recorded otherwise.
 */
export function createTracing(service: string, config: TracingConfig, logger: Logger, testExporter: SpanExporter | undefined): Tracing {
  const processor = testExporter
    ? new SimpleSpanProcessor(testExporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(config.OTEL_EXPORTER_OTLP_ENDPOINT!), headers: { ...config.OTEL_EXPORTER_OTLP_HEADERS } }));
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME ?? `interchange-${service}` })),
    spanProcessors: [processor],
    spanLimits: { attributeValueLengthLimit: MAX_ATTRIBUTE_LENGTH },
  });
  registerProcessWide(provider, logger);
  const propagator = new W3CTraceContextPropagator();
  return {
    tracer: provider.getTracer('interchange'),
    inject: (span, headers) => propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter),
    extract: (headers) => propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter),
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolveLate) => (timer = setTimeout(resolveLate, SHUTDOWN_FLUSH_MS)));
      try {
        await Promise.race([provider.shutdown(), late]);
      } catch (error) {
        logger.warn({ err: error }, 'tracing: the last spans could not be sent');
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
