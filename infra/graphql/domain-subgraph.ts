import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Kysely, Migration } from 'kysely';
import { InternalTokenVerifier } from '../auth/internal-token.js';
import type { Database } from '../db/database.js';
import { openServiceDatabase, type ServiceDatabaseConfig } from '../db/service-database.js';
import { startEvents, type Events } from '../events/events.js';
import type { Logger } from '../logger.js';
import { poolMetrics } from '../db/pool-metrics.js';
import { startMetricsServer, type RunningMetricsServer } from '../metrics/metrics-endpoint.js';
import { createMetricsRegistry, type Registry } from '../metrics/metrics-registry.js';
import { fromRoot } from '../paths.js';
import { startTracing, type TracingConfig } from '../tracing/tracing.js';
import type { RequestContext } from './request-plugin.js';
import { startSubgraphServer, type RunningSubgraph, type SubgraphRoute } from './subgraph-server.js';

export interface DomainSubgraphConfig extends ServiceDatabaseConfig, TracingConfig {
  NODE_ENV: string;
  HOST: string;
  PORT: number;
  SHUTDOWN_TIMEOUT_MS: number;
  REDIS_URL?: string | undefined;
  EVENTS_RETENTION_DAYS: number;
  /** Checks the router's signed internal header; see infra/auth/internal-token.ts. */
  INTERNAL_TOKEN_SECRET: string;
  GRAPHQL_JIT: boolean;
  METRICS: boolean;
  METRICS_PORT?: number | undefined;
}

export interface DomainSubgraphOptions<DB, TContext extends RequestContext> {
  /**
   * The subgraph's name: also its PostgreSQL schema, its SDL file (schema/<name>.graphql) and the
   * audience of the internal tokens it accepts (the name the supergraph gives it).
   */
  name: string;
  config: DomainSubgraphConfig;
  logger: Logger;
  /** Scoped to the domain's schema; defaults to a new pool on config.DATABASE_URL. */
  database?: Database<DB>;
  /**
   * The registry of the subgraph's metrics (a hub gives each service one); default, when
   * config.METRICS is true, one of its own with the process's runtime metrics.
   */
  metrics?: Registry;
  migrations: Record<string, Migration>;
  resolvers: object;
  /** Apollo Server plugins of the domain's own, after the shared ones (the access subgraph's scope check). */
  plugins?: ApolloServerPlugin<TContext>[];
  /**
   * Builds what the domain shares across requests; returns its per-request context factory.
   * Work that must end with the subgraph (a timer, a worker) registers its stop with `onStop`;
   * it runs after requests have drained, before the pool closes (and if the start fails).
   */
  setup(infrastructure: {
    db: Kysely<DB>;
    events: Events;
    /** Where the domain registers its metrics; undefined when metrics are off (METRICS=false). */
    metrics: Registry | undefined;
    onStop(stop: () => Promise<void> | void): void;
    /** Adds an HTTP route of the domain's own, for the paths under `prefix` (see SubgraphServerOptions.routes). */
    route(prefix: string, handler: SubgraphRoute): void;
    /** Adds a route that outside systems call directly and that authenticates them itself (see SubgraphServerOptions.publicRoutes). */
    publicRoute(prefix: string, handler: SubgraphRoute): void;
  }): ((requestId: string) => TContext) | Promise<(requestId: string) => TContext>;
}

/**
 * What every domain subgraph does at start: migrate its schema, start its event relay, and serve
 * GraphQL over HTTP and graphql-ws. Stopping drains requests, then closes the relay and the pool.
 */
export async function startDomainSubgraph<DB, TContext extends RequestContext>(options: DomainSubgraphOptions<DB, TContext>): Promise<RunningSubgraph> {
  const { config, logger } = options;
  const metrics = options.metrics ?? (config.METRICS ? createMetricsRegistry(options.name, { processMetrics: true }) : undefined);
  const { database, release } = await openServiceDatabase<DB>({
    config,
    schema: options.name,
    migrations: options.migrations,
    logger,
    given: options.database,
  });
  const events = await startEvents({
    url: config.DATABASE_URL,
    redisUrl: config.REDIS_URL,
    db: database.db,
    logger,
    retentionDays: config.EVENTS_RETENTION_DAYS,
    metrics,
  });
  if (metrics) poolMetrics(metrics).watch('main', () => database.poolStats());
  const tracing = await startTracing(options.name, config, logger);
  if (tracing) database.traceStatements(tracing);
  const stops: (() => Promise<void> | void)[] = [];
  const stopWork = async () => {
    // The last started stops first.
    for (const stop of stops.reverse()) await stop();
    await events.stop();
    await release();
    // Last: the spans of everything above are ended and sent.
    await tracing?.shutdown();
  };
  let context: (requestId: string) => TContext;
  const routes: Record<string, SubgraphRoute> = {};
  const publicRoutes: Record<string, SubgraphRoute> = {};
  let server: Awaited<ReturnType<typeof startSubgraphServer>> | undefined;
  let metricsServer: RunningMetricsServer | undefined;
  try {
    context = await options.setup({
      db: database.db,
      events,
      metrics,
      onStop: (stop) => void stops.push(stop),
      route: (prefix, handler) => void (routes[prefix] = handler),
      publicRoute: (prefix, handler) => void (publicRoutes[prefix] = handler),
    });
    server = await startSubgraphServer({
      name: options.name,
      typeDefs: parse(readFileSync(fromRoot(`schema/${options.name}.graphql`), 'utf8')),
      resolvers: options.resolvers,
      port: config.PORT,
      host: config.HOST,
      production: config.NODE_ENV === 'production',
      jit: config.GRAPHQL_JIT,
      logger,
      plugins: options.plugins,
      // Tokens the router signed for this subgraph, by its name, and no other's.
      internalTokens: new InternalTokenVerifier(config.INTERNAL_TOKEN_SECRET, options.name),
      context,
      subscriptionContext: context,
      ready: () => database.ping(),
      routes,
      publicRoutes,
      metrics,
      tracing,
    });
    if (metrics && config.METRICS_PORT !== undefined) {
      metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.HOST, registries: [metrics], logger });
    }
  } catch (error) {
    await server?.stop(0);
    await stopWork();
    throw error;
  }
  return {
    url: server.url,
    metricsUrl: metricsServer?.url,
    async stop(timeoutMs = config.SHUTDOWN_TIMEOUT_MS) {
      await metricsServer?.close(1_000);
      await server.stop(timeoutMs);
      await stopWork();
    },
  };
}
