import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { Database } from '../../infra/db/database.js';
import { openServiceDatabase } from '../../infra/db/service-database.js';
import { startEvents } from '../../infra/events/events.js';
import type { OrdersConfig } from '../../infra/config.js';
import { startSubgraphServer, type RunningSubgraph } from '../../infra/graphql/subgraph-server.js';
import type { Logger } from '../../infra/logger.js';
import { fromRoot } from '../../infra/paths.js';
import { createContext } from './context.js';
import { CustomerDirectory } from './customer-directory.js';
import { ordersMigrations } from './migrations/index.js';
import { OrdersRepository, type OrdersTables } from './orders-repository.js';
import { OrdersService } from './orders-service.js';
import { resolvers } from './resolvers.js';

export const SCHEMA_NAME = 'orders';

export interface OrdersDeps {
  logger: Logger;
  /** Scoped to the orders schema; defaults to a new pool on config.DATABASE_URL. */
  database?: Database<OrdersTables>;
}

/** Migrates the orders schema and serves the subgraph. Tests call it with PORT 0. */
export async function start(config: OrdersConfig, deps: OrdersDeps): Promise<RunningSubgraph> {
  const { database, release } = await openServiceDatabase<OrdersTables>({
    config,
    schema: SCHEMA_NAME,
    migrations: ordersMigrations,
    logger: deps.logger,
    given: deps.database,
  });
  const events = await startEvents({
    url: config.DATABASE_URL,
    redisUrl: config.REDIS_URL,
    db: database.db,
    logger: deps.logger,
    retentionDays: config.EVENTS_RETENTION_DAYS,
  });
  const repository = new OrdersRepository(database.db, () => events.committed());
  const service = new OrdersService(repository, new CustomerDirectory(config.CUSTOMERS_URL));

  const server = await startSubgraphServer({
    name: 'orders',
    typeDefs: parse(readFileSync(fromRoot('schema/orders.graphql'), 'utf8')),
    resolvers,
    port: config.PORT,
    host: config.HOST,
    production: config.NODE_ENV === 'production',
    logger: deps.logger,
    context: (requestId) => createContext(requestId, { logger: deps.logger, events, repository, service }),
    subscriptionContext: (requestId) => createContext(requestId, { logger: deps.logger, events, repository, service }),
    ready: () => database.ping(),
  });
  return {
    url: server.url,
    async stop(timeoutMs = config.SHUTDOWN_TIMEOUT_MS) {
      await server.stop(timeoutMs);
      await events.stop();
      await release();
    },
  };
}
