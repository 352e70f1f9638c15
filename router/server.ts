import { ApolloGateway, type ServiceMap } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLFormattedError } from 'graphql';
import type { RouterConfig } from './config.js';
import { createDatabase } from '../infra/db/database.js';
import { maskUnexpectedErrors, requestPlugin } from '../infra/graphql/request-plugin.js';
import { trustedProxyList } from '../infra/http/client-ip.js';
import { startHttpServer } from '../infra/http/http-server.js';
import type { Logger } from '../infra/logger.js';
import { poolMetrics } from '../infra/db/pool-metrics.js';
import { startMetricsServer, type RunningMetricsServer } from '../infra/metrics/metrics-endpoint.js';
import { createMetricsRegistry, type Registry } from '../infra/metrics/metrics-registry.js';
import { operationSpanPlugin } from '../infra/tracing/server-spans.js';
import { startTracing } from '../infra/tracing/tracing.js';
import { RequestMetrics } from './metrics/request-metrics.js';
import { circuitBreakerMetrics, responseCacheMetrics } from './metrics/router-metrics.js';
import { createRouterSecurity } from './auth/router-security.js';
import { createResponseCache, type CacheCounters } from './cache/response-cache.js';
import type { RouterContext } from './context.js';
import { followEvents } from './event-follower.js';
import type { DomainEvent } from '../infra/events/event.js';
import { QueryPlanExecutor } from './execution/query-plan-executor.js';
import { createSubgraphFetching } from './fetch/subgraph-fetching.js';
import type { CircuitStateName } from '../infra/resilience/circuit-state.js';
import { operationLimiterFromConfig, parserLimitError } from './limits/operation-limits.js';
import { graphqlPipeline } from './request-pipeline.js';
import { corsIntercept, routerRoutes } from './routes.js';
import { webhookForwarding } from './webhooks/webhook-forwarding.js';
import { refuseSubscriptionsOverHttp, serveRouterSubscriptions } from './subscriptions/router-subscriptions.js';
import { readSupergraph, subgraphUrlsFromEnv } from './supergraph.js';

export { SANDBOX_ORIGINS } from './routes.js';

export interface RouterDeps {
  logger: Logger;
  /** Subgraph URLs by name; defaults to the supergraph's, each overridable by SUBGRAPH_<NAME>_URL. */
  subgraphUrls?: Record<string, string>;
  /**
   * The registry of the router's metrics (a hub gives each service one); default, when
   * config.METRICS is true, one of its own with the process's runtime metrics.
   */
  metrics?: Registry;
}

export interface RunningRouter {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** Subscriptions the router has opened on subgraphs since it started. */
  upstreamSubscriptionsOpened(): number;
  /** Subgraph reads sent, and reads answered by an identical request already in flight. */
  subgraphRequests(): { sent: number; shared: number };
  /** Each subgraph's circuit breaker: its state and its state changes since start. */
  circuits(): Record<string, { state: CircuitStateName; transitions: Record<CircuitStateName, number> }>;
  /** The response cache's counters; undefined when RESPONSE_CACHE=false. */
  cacheCounters(): CacheCounters | undefined;
  /** The router's metrics; undefined when METRICS=false. */
  metrics: Registry | undefined;
  /** The METRICS_PORT listener's `/metrics` URL, when there is one. */
  metricsUrl: string | undefined;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * The router: Apollo Server 5 and @apollo/gateway on a static supergraph file (no polling, no
 * introspection of subgraphs at start), put together here from its parts: security (router-security.ts),
 * subgraph fetching (fetch/), the executor (execution/), limits (limits/), the response cache
 * (cache/), the HTTP pipeline (request-pipeline.ts, routes.ts) and subscriptions (subscriptions/).
 */
export async function start(config: RouterConfig, deps: RouterDeps): Promise<RunningRouter> {
  const { logger } = deps;
  const production = config.NODE_ENV === 'production';
  const metrics = deps.metrics ?? (config.METRICS ? createMetricsRegistry('router', { processMetrics: true }) : undefined);
  const requestMetrics = metrics && new RequestMetrics(metrics);
  const supergraph = readSupergraph(config.SUPERGRAPH_PATH);
  const subgraphUrls = deps.subgraphUrls ?? subgraphUrlsFromEnv(supergraph.subgraphs);
  // One small pool (ROUTER_DB_POOL_MAX), when the router has a database: API keys and audit
  // records (the access subgraph's tables) and the event store it follows.
  const database = config.DATABASE_URL
    ? createDatabase({ url: config.DATABASE_URL, poolMax: config.ROUTER_DB_POOL_MAX, connectTimeoutMs: 5_000, schema: 'access', logger })
    : undefined;
  if (metrics && database) poolMetrics(metrics).watch('main', () => database.poolStats());
  // With OTEL_EXPORTER_OTLP_ENDPOINT: an operation span per request, with its planning, cache,
  // subgraph fetches and SQL beneath it; without, undefined and nothing is traced.
  const tracing = await startTracing('router', config, logger);
  if (tracing) database?.traceStatements(tracing);
  // Identity, access rules, rate limits, safelist and audit; the gateway gets the supergraph from it.
  const security = createRouterSecurity(config, supergraph.sdl, logger, database?.db, metrics);
  const fetching = createSubgraphFetching(config, subgraphUrls, logger, tracing);
  if (metrics) circuitBreakerMetrics(metrics, fetching.circuits);
  const trustedProxies = config.TRUSTED_PROXIES.length > 0 ? trustedProxyList(config.TRUSTED_PROXIES) : undefined;

  // The gateway loads the supergraph and makes the data sources; our executor runs the operations,
  // subscriptions' plans included.
  const executor = new QueryPlanExecutor(security.gatewaySdl, { planner: config.QUERY_PLANNER, exposeQueryPlan: !production, tracing });
  const services: ServiceMap = {};
  // @apollo/gateway otherwise sends Apollo usage data (uptime, CPU, memory, cloud attributes)
  // every hour from each router; a hub's operators opt in, not out. Read when it is constructed.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = executor.asGateway(
    new ApolloGateway({ supergraphSdl: security.gatewaySdl, buildService: ({ name }) => (services[name] = fetching.dataSource(name)), logger }),
    () => services,
  );
  const limiter = operationLimiterFromConfig(config);
  const parserLimits = { maxTokens: config.OPERATION_MAX_TOKENS, maxSelections: config.OPERATION_MAX_SELECTIONS };
  const cache = config.RESPONSE_CACHE ? await createResponseCache(config, { supergraphSdl: supergraph.sdl, logger, tracing }) : undefined;
  if (metrics && cache) responseCacheMetrics(metrics, () => cache.counters);
  const mask = maskUnexpectedErrors(production);
  const formatError = (formatted: GraphQLFormattedError, error: unknown) => mask(parserLimitError(formatted, parserLimits), error);

  const apollo = new ApolloServer<RouterContext>({
    gateway,
    logger,
    introspection: config.INTROSPECTION ?? !production,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: config.OPERATION_MAX_TOKENS },
    // Counted with fragments expanded, during validation: a fragment fan-out stops here, before any walk of ours.
    maxRecursiveSelections: config.OPERATION_MAX_SELECTIONS,
    // No "did you mean" field suggestions for clients in production.
    hideSchemaDetailsFromClientErrors: production,
    persistedQueries: security.persistedQueries,
    formatError,
    plugins: [
      requestPlugin<RouterContext>(),
      ...(tracing ? [operationSpanPlugin<RouterContext>()] : []),
      security.plugin,
      limiter.plugin<RouterContext>(),
      refuseSubscriptionsOverHttp(),
      // After the limits, so that they count the client's operation and not what the cache adds to it.
      ...(cache ? [cache.plugin<RouterContext>()] : []),
      // After the cache, so that it counts the answer as sent.
      ...(requestMetrics ? [requestMetrics.plugin()] : []),
      (config.SANDBOX ?? !production)
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
    ],
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const cors = corsIntercept(config);
  // POST /webhooks/<source>, forwarded to the queues subgraph when the supergraph has one.
  const webhooks = subgraphUrls.queues
    ? webhookForwarding({ queuesUrl: subgraphUrls.queues, signer: fetching.internalTokens('queues'), audit: security.audit, trustedProxies, timeoutMs: config.SUBGRAPH_TIMEOUT_MS, logger })
    : undefined;
  const contextDeps = { logger, authenticator: security.authenticator, forwardHeaders: config.FORWARD_HEADERS, operationTimeoutMs: config.OPERATION_TIMEOUT_MS, trustedProxies };
  const http = await startHttpServer({
    port: config.PORT,
    host: config.HOST,
    logger,
    trustClientRequestId: false,
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    intercept: (req, res) => cors(req, res) || (webhooks?.(req, res) ?? false),
    routes: routerRoutes({
      config,
      graphql: graphqlPipeline({ apollo, security, cache, context: contextDeps, metrics: requestMetrics, tracing }),
      security,
      cache,
      fetching,
      subgraphUrls,
      trustedProxies,
      metrics,
      logger,
    }),
  });
  const sockets = serveRouterSubscriptions(http.server, {
    executor,
    subgraphUrls,
    apollo,
    forwardHeaders: config.FORWARD_HEADERS,
    trustedProxies,
    dataSource: fetching.dataSource,
    maxBufferedBytes: config.SUBSCRIPTION_MAX_BUFFERED_BYTES,
    formatError,
    limiter,
    parserLimits,
    connectionLimits: {
      maxPayloadBytes: config.WS_MAX_PAYLOAD_BYTES,
      connectionInitTimeoutMs: config.WS_CONNECTION_INIT_TIMEOUT_MS,
      perAddress: config.WS_MAX_CONNECTIONS_PER_ADDRESS,
      perPrincipal: config.WS_MAX_CONNECTIONS_PER_PRINCIPAL,
      subscriptionsPerConnection: config.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    },
    logger,
    internalTokens: fetching.internalTokens,
    authenticator: security.authenticator,
    guard: security.guard,
    audit: security.audit,
    metrics,
    requestMetrics,
  });
  // The events relayed together (a page of the store: a bulk import writes thousands at once) are
  // purged together, each tag once, after the page has been handed out.
  const purges = cache && batchedPurges((relayed) => cache.purgeForEvents(relayed).then(() => {}, (error: unknown) => logger.warn({ err: error, events: relayed.length }, 'purging the response cache for events failed')));
  // Every replica follows every committed event (needs the database the events are in): the
  // response cache purges what it changed, and a revoked or changed API key loses its sockets.
  const events =
    database && config.DATABASE_URL
      ? followEvents({ db: database.db, databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL, logger }, (event) => {
          if (event.subject.typename === 'ApiKey' && (event.type === 'api_key.revoked' || event.type === 'api_key.updated')) sockets.closeForApiKey(event.subject.id);
          purges?.add(event);
        })
      : undefined;
  const url = `${http.origin}/graphql`;
  logger.info({ url, subgraphs: subgraphUrls }, 'router listening');
  let metricsServer: RunningMetricsServer | undefined;
  if (metrics && config.METRICS_PORT !== undefined) {
    try {
      metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.HOST, registries: [metrics], logger });
    } catch (error) {
      await stopAll(1_000);
      throw error;
    }
  }

  return {
    url,
    upstreamSubscriptionsOpened: sockets.upstreamOpened,
    subgraphRequests: () => ({ ...fetching.client.counts }),
    cacheCounters: () => (cache ? { ...cache.counters } : undefined),
    circuits: fetching.circuits,
    metrics,
    metricsUrl: metricsServer?.url,
    async stop(timeoutMs = config.SHUTDOWN_TIMEOUT_MS) {
      await metricsServer?.close(1_000);
      await stopAll(timeoutMs);
    },
  };

  async function stopAll(timeoutMs: number): Promise<void> {
    await sockets.close();
    await http.close(timeoutMs);
    await apollo.stop();
    await security.close();
    await fetching.close();
    await events?.stop();
    await cache?.close();
    await database?.close();
    await tracing?.shutdown();
  }
}

/** Collects events and hands them to `purge` once the current turn of the event loop is over. */
function batchedPurges(purge: (events: DomainEvent[]) => Promise<void>): { add(event: DomainEvent): void } {
  let pending: DomainEvent[] = [];
  return {
    add(event) {
      if (pending.length === 0) setImmediate(() => {
        const events = pending;
        pending = [];
        void purge(events);
      });
      pending.push(event);
    },
  };
}
