import { InternalTokenSigner } from '../../infra/auth/internal-token.js';
import type { OrdersConfig } from './subgraph.js';
import type { Database } from '../../infra/db/database.js';
import { startDomainSubgraph } from '../../infra/graphql/domain-subgraph.js';
import type { RunningSubgraph } from '../../infra/graphql/subgraph-server.js';
import type { Logger } from '../../infra/logger.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';
import { createContext, type OrdersContext } from './context.js';
import { CustomerDirectory } from './customer-directory.js';
import { ordersMigrations } from './migrations/index.js';
import { OrdersImport } from './orders-import.js';
import { OrdersRepository, type OrdersTables } from './orders-repository.js';
import { OrdersService } from './orders-service.js';
import { resolvers } from './resolvers.js';
import { pruneIdempotencyKeys } from '../../infra/db/idempotency.js';
import { startRetention } from '../../infra/db/retention.js';
import { ORDERS_EXPORT_PATH, ordersExport } from './orders-export.js';

export interface OrdersDeps {
  logger: Logger;
  /** Scoped to the orders schema; defaults to a new pool on config.DATABASE_URL. */
  database?: Database<OrdersTables>;
  /** The registry of the subgraph's metrics; default: its own when METRICS is true. */
  metrics?: Registry;
}

/** Migrates the orders schema and serves the subgraph. Tests call it with PORT 0. */
export function start(config: OrdersConfig, deps: OrdersDeps): Promise<RunningSubgraph> {
  return startDomainSubgraph<OrdersTables, OrdersContext>({
    name: 'orders',
    config,
    logger: deps.logger,
    database: deps.database,
    metrics: deps.metrics,
    migrations: ordersMigrations,
    resolvers,
    setup: ({ db, events, onStop, route }) => {
      onStop(startRetention('idempotency keys', config.IDEMPOTENCY_RETENTION_DAYS, (before) => pruneIdempotencyKeys(db, before), deps.logger));
      const repository = new OrdersRepository(db, () => events.committed());
      route(ORDERS_EXPORT_PATH, ordersExport(repository));
      const customers = new CustomerDirectory(config.CUSTOMERS_URL, new InternalTokenSigner(config.INTERNAL_TOKEN_SECRET));
      const service = new OrdersService(repository, customers);
      const ordersImport = new OrdersImport(repository, customers);
      return (requestId) => createContext(requestId, { logger: deps.logger, events, repository, service, ordersImport });
    },
  });
}
