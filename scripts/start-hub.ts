import { randomBytes } from 'node:crypto';
import { loadConfig } from '../infra/config.js';
import { hubEnv, subgraphPort } from './hub-config.js';
import { createLogger, type Logger } from '../infra/logger.js';
import { startEmbeddedPostgres } from '../infra/db/embedded-postgres.js';
import type { RunningSubgraph } from '../infra/graphql/subgraph-server.js';
import { runService, type Stoppable } from '../infra/lifecycle.js';
import { fromRoot } from '../infra/paths.js';
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

  const subgraphs: RunningSubgraph[] = [];
  const urls: Record<string, string> = {};
  let routerService: router.RunningRouter | undefined;
  const stop = async () => {
    await routerService?.stop();
    await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
    await embedded?.stop();
  };

  try {
    // In the list's order, so that each finds the URLs of the subgraphs it calls.
    for (const subgraph of SUBGRAPHS) {
      const calls = Object.fromEntries(Object.entries(subgraph.calls ?? {}).map(([variable, name]) => [variable, urls[name]]));
      const env = { ...process.env, DATABASE_URL, INTERNAL_TOKEN_SECRET, PORT: String(subgraphPort(config, subgraph.name)), ...calls };
      const running = await subgraph.start(env, { logger: createLogger(subgraph.name, config.LOG_LEVEL) });
      subgraphs.push(running);
      urls[subgraph.name] = running.url;
      signal.throwIfAborted();
    }
    routerService = await router.start(
      { ...config, DATABASE_URL, INTERNAL_TOKEN_SECRET, SUPERGRAPH_PATH: fromRoot('schema/supergraph.graphql') },
      { logger: createLogger('router', config.LOG_LEVEL), subgraphUrls: urls },
    );
    signal.throwIfAborted();
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info(`Interchange is up: open ${routerService.url} for Apollo Sandbox`);
  return { stop };
}

await runService('hub', process.env.LOG_LEVEL, startHub, { abortableStart: true });
