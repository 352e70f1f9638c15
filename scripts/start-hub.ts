import { randomBytes } from 'node:crypto';
import { loadConfig } from '../infra/config.js';
import { hubEnv, subgraphPort, type HubConfig } from './hub-config.js';
import { createLogger, type Logger } from '../infra/logger.js';
import { startEmbeddedPostgres } from '../infra/db/embedded-postgres.js';
import type { RunningSubgraph } from '../infra/graphql/subgraph-server.js';
import type { RouterAccess } from '../infra/graphql/router-client.js';
import type { SubgraphDescriptor } from '../infra/graphql/subgraph-descriptor.js';
import { runService, type Stoppable } from '../infra/lifecycle.js';
import { startMetricsServer, type RunningMetricsServer } from '../infra/metrics/metrics-endpoint.js';
import { createMetricsRegistry, type Registry } from '../infra/metrics/metrics-registry.js';
import { fromRoot } from '../infra/paths.js';
import { hs256Secret } from '../router/auth/authenticator.js';
import { ServiceTokens } from '../router/auth/service-token.js';
import * as router from '../router/server.js';
import { SUBGRAPHS } from '../subgraphs/index.js';

/**
 * `npm start`: the whole hub in one process — embedded PostgreSQL unless DATABASE_URL is set,
 * every subgraph of subgraphs/index.ts, and the router. Production runs each as its own
 * process instead (see docker-compose.yml).
 *
 * It stops in the reverse order: the router, then the subgraphs (their pools and event relays),
 * then PostgreSQL. A signal during start-up stops what has started so far, in the same order.
 */
async function startHub(logger: Logger, signal: AbortSignal): Promise<Stoppable> {
  const config = loadConfig(hubEnv);
  const embedded = config.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ dataDir: fromRoot(config.DATA_DIR), logger, signal, callerHandlesSignals: true });
  const DATABASE_URL = config.DATABASE_URL ?? embedded!.url;
  // Router and subgraphs run in this one process: unless one is given, a secret of this process
  // signs the internal header, and nothing outside the process can forge it.
  const INTERNAL_TOKEN_SECRET = config.INTERNAL_TOKEN_SECRET ?? randomBytes(32).toString('base64url');

  // One registry per service, the process's runtime metrics in the router's only; METRICS_PORT is
  // one listener serving them all (the services themselves open none).
  const registries = new Map<string, Registry>(
    config.METRICS ? ['router', ...SUBGRAPHS.map(({ name }) => name)].map((name) => [name, createMetricsRegistry(name, { processMetrics: name === 'router' })]) : [],
  );
  let metricsServer: RunningMetricsServer | undefined;

  const subgraphs: RunningSubgraph[] = [];
  const urls: Record<string, string> = {};
  let routerService: router.RunningRouter | undefined;
  let routerStopping = false;
  const routerUrl = () => (routerStopping ? undefined : routerService?.url);
  const stop = async () => {
    routerStopping = true;
    await metricsServer?.close(1_000);
    await routerService?.stop();
    await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
    await embedded?.stop();
  };

  try {
    // In the list's order, so that each finds the URLs of the subgraphs it calls.
    for (const subgraph of SUBGRAPHS) {
      const calls = Object.fromEntries(Object.entries(subgraph.calls ?? {}).map(([variable, name]) => [variable, urls[name]]));
      // Each service keeps its own span service name (interchange-<name>): one OTEL_SERVICE_NAME would make them one.
      const env = { ...process.env, DATABASE_URL, INTERNAL_TOKEN_SECRET, PORT: String(subgraphPort(config, subgraph.name)), METRICS_PORT: undefined, OTEL_SERVICE_NAME: undefined, ...calls };
      const running = await subgraph.start(env, {
        logger: createLogger(subgraph.name, config.LOG_LEVEL),
        router: routerAccess(subgraph, config, routerUrl),
        metrics: registries.get(subgraph.name),
      });
      subgraphs.push(running);
      urls[subgraph.name] = running.url;
      signal.throwIfAborted();
    }
    routerService = await router.start(
      { ...config, DATABASE_URL, INTERNAL_TOKEN_SECRET, SUPERGRAPH_PATH: fromRoot('schema/supergraph.graphql'), METRICS_PORT: undefined, OTEL_SERVICE_NAME: undefined },
      { logger: createLogger('router', config.LOG_LEVEL), subgraphUrls: urls, metrics: registries.get('router') },
    );
    signal.throwIfAborted();
    if (registries.size > 0 && config.METRICS_PORT !== undefined) {
      metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.HOST, registries: [...registries.values()], logger });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info(`Interchange is up: open ${routerService.url} for Apollo Sandbox`);
  return { stop };
}

/**
 * `deps.router` for a subgraph that calls the router (its `callsRouter`): short-lived tokens for its
 * subject and scopes, signed with the secret the router verifies; with JWKS_URL alone the hub
 * cannot sign, and the subgraph's ROUTER_API_KEY is sent instead, if set (otherwise its work that
 * calls the router stays off and says why).
 */
function routerAccess(subgraph: SubgraphDescriptor, config: HubConfig, url: () => string | undefined): RouterAccess | undefined {
  if (!subgraph.callsRouter) return undefined;
  const secret = hs256Secret(config);
  if (secret) {
    const tokens = new ServiceTokens({ secret, ...subgraph.callsRouter, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
    return { url, headers: () => tokens.headers() };
  }
  const apiKey = process.env.ROUTER_API_KEY;
  return apiKey ? { url, headers: async () => ({ 'x-api-key': apiKey }) } : undefined;
}

await runService('hub', process.env.LOG_LEVEL, startHub, { abortableStart: true });
