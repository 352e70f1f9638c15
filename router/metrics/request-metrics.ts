import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { Counter } from 'prom-client';
import { ErrorCode } from '../../infra/errors.js';
import { LightCounter, LightHistogram, type CounterCell, type HistogramCell } from '../../infra/metrics/light-metrics.js';
import { BoundedLabel, DURATION_BUCKETS, type Registry } from '../../infra/metrics/metrics-registry.js';
import type { RouterContext } from '../context.js';

/** Operation names that get series of their own; later names are `other`. */
const MAX_OPERATION_LABELS = 200;

/** The `status` an operation's first error code may give: the hub's codes and Apollo Server's. Any other is `error`. */
const STATUS_CODES: ReadonlySet<unknown> = new Set<unknown>([...Object.values(ErrorCode), ...Object.values(ApolloServerErrorCode)]);

const RATE_LIMITS: ReadonlySet<unknown> = new Set(['global', 'client', 'operation', 'authentication']);

/** Codes of operations the router refused to let the caller run (as the audit calls them `denied`). */
const DENIALS: ReadonlySet<unknown> = new Set([ErrorCode.Unauthenticated, ErrorCode.Forbidden, ErrorCode.PersistedQueryNotAllowed]);

/** One operation label's series, made on its first request. */
interface OperationSeries {
  duration: HistogramCell;
  byStatus: Map<string, CounterCell>;
}

/**
 * The router's operations, named as the seed names them:
 * - `api_gateway_requests_total{operation,status}`: every operation answered over HTTP (and the
 *   queries and mutations sent over graphql-ws), answers from the response cache included.
 *   `operation` is the GraphQL operation name (`anonymous` without one), never the operation's
 *   text; a name gets a series of its own once an operation with it has succeeded, for the first
 *   200 such names; others are `other`, so a client cannot add series by inventing names. `status`
 *   is `ok`, or the first error's code (the ErrorCode enum, or Apollo Server's request error codes),
 *   else `error`.
 * - `api_gateway_request_duration_seconds{operation}`: from the request's credentials check to
 *   its answer.
 * - `interchange_rate_limit_rejections_total{limit}` (global, client, operation, authentication),
 *   `interchange_operation_limit_rejections_total{limit}` (depth, aliases, tokens, cost, ...) and
 *   `interchange_access_denials_total{code}` (UNAUTHENTICATED, FORBIDDEN, PERSISTED_QUERY_NOT_ALLOWED):
 *   operations refused, over HTTP and over graphql-ws.
 */
export class RequestMetrics {
  private readonly operations = new BoundedLabel(MAX_OPERATION_LABELS);
  private readonly series = new Map<string, OperationSeries>();
  private readonly requests: LightCounter<'operation' | 'status'>;
  private readonly duration: LightHistogram<'operation'>;
  private readonly rateLimited: Counter<'limit'>;
  private readonly operationLimited: Counter<'limit'>;
  private readonly limitLabels = new BoundedLabel(32);
  private readonly denied: Counter<'code'>;

  constructor(registry: Registry) {
    // Per request: plain numbers (light-metrics.ts), formatted only when /metrics is read.
    this.requests = new LightCounter(registry, {
      name: 'api_gateway_requests_total',
      help: 'GraphQL operations the router answered, by operation name and status (ok, or the first error code)',
      labelNames: ['operation', 'status'],
    });
    this.duration = new LightHistogram(registry, {
      name: 'api_gateway_request_duration_seconds',
      help: 'How long the router took to answer an operation, from its credentials check to its answer',
      labelNames: ['operation'],
      buckets: DURATION_BUCKETS,
    });
    this.rateLimited = new Counter({
      name: 'interchange_rate_limit_rejections_total',
      help: 'Operations refused with RATE_LIMITED, by the limit they were over',
      labelNames: ['limit'] as const,
      registers: [registry],
    });
    this.operationLimited = new Counter({
      name: 'interchange_operation_limit_rejections_total',
      help: 'Operations refused with OPERATION_LIMIT_EXCEEDED, by the limit they were over',
      labelNames: ['limit'] as const,
      registers: [registry],
    });
    this.denied = new Counter({
      name: 'interchange_access_denials_total',
      help: 'Operations refused for their credentials, scopes or the safelist, by error code',
      labelNames: ['code'] as const,
      registers: [registry],
    });
  }

  /**
   * An Apollo Server plugin counting every operation it answers; put it after the response cache's
   * plugin, so that it sees the answer as sent (a stale answer served for a failed one is `ok`).
   */
  plugin(): ApolloServerPlugin<RouterContext> {
    // One listener for every request: what it needs is in the request's own context.
    const listener: GraphQLRequestListener<RouterContext> = {
      willSendResponse: async ({ contextValue, operationName, response }) => {
        const first = response.body.kind === 'single' ? response.body.singleResult.errors?.[0] : undefined;
        if (first) this.refused(first.extensions);
        const code = first?.extensions?.code;
        this.record(operationName ?? null, first === undefined ? 'ok' : STATUS_CODES.has(code) ? String(code) : 'error', contextValue.startedAt);
      },
    };
    return { requestDidStart: async () => listener };
  }

  /** An operation answered from the response cache before Apollo Server. */
  served(operationName: string | null, startedAt: number | undefined): void {
    this.record(operationName, 'ok', startedAt);
  }

  /** Counts a refusal by the error's `extensions` (code and limit); other errors count nothing. */
  refused(extensions: Readonly<Record<string, unknown>> | undefined): void {
    const code = extensions?.code;
    if (code === ErrorCode.RateLimited) this.rateLimited.inc({ limit: RATE_LIMITS.has(extensions?.limit) ? String(extensions?.limit) : 'other' });
    else if (code === ErrorCode.OperationLimitExceeded) this.operationLimited.inc({ limit: this.limitLabels.of(String(extensions?.limit ?? 'unknown')) });
    else if (DENIALS.has(code)) this.denied.inc({ code: String(code) });
  }

  private record(operationName: string | null, status: string, startedAt: number | undefined): void {
    const operation = operationName === null ? 'anonymous' : this.operations.of(operationName, status === 'ok');
    let series = this.series.get(operation);
    if (!series) this.series.set(operation, (series = { duration: this.duration.cell({ operation }), byStatus: new Map() }));
    let counter = series.byStatus.get(status);
    if (!counter) series.byStatus.set(status, (counter = this.requests.cell({ operation, status })));
    counter.inc();
    if (startedAt !== undefined) series.duration.observe((performance.now() - startedAt) / 1000);
  }
}
