import { hubEnv, loadConfig } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { startEmbeddedPostgres } from '../infra/db/embedded-postgres.js';
import { runService } from '../infra/lifecycle.js';
import { fromRoot } from '../infra/paths.js';
import * as customers from '../subgraphs/customers/server.js';
import * as orders from '../subgraphs/orders/server.js';
import * as router from '../router/server.js';

/**
 * `npm start`: the whole hub in one process — embedded PostgreSQL unless DATABASE_URL is set,
 * the customers and orders subgraphs, and the router. Production runs each as its own
 * process instead (see docker-compose.yml).
 */
await runService('hub', process.env.LOG_LEVEL, async (logger) => {
  const config = loadConfig(hubEnv);
  const embedded = config.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: fromRoot(config.DATA_DIR), logger });
  const databaseUrl = config.DATABASE_URL ?? embedded!.url;
  const common = {
    NODE_ENV: config.NODE_ENV,
    LOG_LEVEL: config.LOG_LEVEL,
    HOST: config.HOST,
    SHUTDOWN_TIMEOUT_MS: config.SHUTDOWN_TIMEOUT_MS,
  };
  const database = {
    DATABASE_URL: databaseUrl,
    DB_POOL_MAX: config.DB_POOL_MAX,
    DB_CONNECT_TIMEOUT_MS: config.DB_CONNECT_TIMEOUT_MS,
    EVENTS_RETENTION_DAYS: config.EVENTS_RETENTION_DAYS,
    REDIS_URL: config.REDIS_URL,
  };

  const customersService = await customers.start({ ...common, ...database, PORT: config.CUSTOMERS_PORT }, { logger: createLogger('customers', config.LOG_LEVEL) });
  const ordersService = await orders.start(
    { ...common, ...database, PORT: config.ORDERS_PORT, CUSTOMERS_URL: customersService.url },
    { logger: createLogger('orders', config.LOG_LEVEL) },
  );
  const routerService = await router.start(
    {
      ...common,
      PORT: config.PORT,
      SUPERGRAPH_PATH: fromRoot('schema/supergraph.graphql'),
      CORS_ORIGINS: config.CORS_ORIGINS,
      SUBGRAPH_TIMEOUT_MS: config.SUBGRAPH_TIMEOUT_MS,
      FORWARD_HEADERS: config.FORWARD_HEADERS,
      SUBSCRIPTION_MAX_BUFFERED_BYTES: config.SUBSCRIPTION_MAX_BUFFERED_BYTES,
    },
    { logger: createLogger('router', config.LOG_LEVEL), subgraphUrls: { customers: customersService.url, orders: ordersService.url } },
  );
  logger.info(`Interchange is up: open ${routerService.url} for Apollo Sandbox`);

  return {
    async stop() {
      await routerService.stop();
      await Promise.all([ordersService.stop(), customersService.stop()]);
      await embedded?.stop();
    },
  };
});
