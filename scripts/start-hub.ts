import { randomBytes } from 'node:crypto';
import { hubEnv, loadConfig } from '../infra/config.js';
import { createLogger, type Logger } from '../infra/logger.js';
import { startEmbeddedPostgres } from '../infra/db/embedded-postgres.js';
import type { RunningSubgraph } from '../infra/graphql/subgraph-server.js';
import { runService, type Stoppable } from '../infra/lifecycle.js';
import { fromRoot } from '../infra/paths.js';
import * as access from '../subgraphs/access/server.js';
import * as customers from '../subgraphs/customers/server.js';
import * as orders from '../subgraphs/orders/server.js';
import * as router from '../router/server.js';

/**
 * `npm start`: the whole hub in one process — embedded PostgreSQL unless DATABASE_URL is set,
 * the customers, orders and access subgraphs, and the router. Production runs each as its own
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
  const shared = { ...config, DATABASE_URL, INTERNAL_TOKEN_SECRET };

  let customersService: RunningSubgraph | undefined;
  let ordersService: RunningSubgraph | undefined;
  let accessService: RunningSubgraph | undefined;
  let routerService: router.RunningRouter | undefined;
  const stop = async () => {
    await routerService?.stop();
    await Promise.all([ordersService?.stop(), customersService?.stop(), accessService?.stop()]);
    await embedded?.stop();
  };

  try {
    customersService = await customers.start({ ...shared, PORT: config.CUSTOMERS_PORT }, { logger: createLogger('customers', config.LOG_LEVEL) });
    signal.throwIfAborted();
    ordersService = await orders.start(
      { ...shared, PORT: config.ORDERS_PORT, CUSTOMERS_URL: customersService.url },
      { logger: createLogger('orders', config.LOG_LEVEL) },
    );
    signal.throwIfAborted();
    accessService = await access.start({ ...shared, PORT: config.ACCESS_PORT }, { logger: createLogger('access', config.LOG_LEVEL) });
    signal.throwIfAborted();
    routerService = await router.start(
      { ...shared, SUPERGRAPH_PATH: fromRoot('schema/supergraph.graphql') },
      {
        logger: createLogger('router', config.LOG_LEVEL),
        subgraphUrls: { customers: customersService.url, orders: ordersService.url, access: accessService.url },
      },
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
