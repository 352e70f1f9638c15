import type { CustomersConfig } from './subgraph.js';
import type { Database } from '../../infra/db/database.js';
import { startDomainSubgraph } from '../../infra/graphql/domain-subgraph.js';
import type { RunningSubgraph } from '../../infra/graphql/subgraph-server.js';
import type { Logger } from '../../infra/logger.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';
import { createContext, type CustomersContext } from './context.js';
import { CustomersRepository, type CustomersTables } from './customers-repository.js';
import { CustomersService } from './customers-service.js';
import { CustomersImport } from './customers-import.js';
import { customersMigrations } from './migrations/index.js';
import { resolvers } from './resolvers.js';
import { pruneIdempotencyKeys } from '../../infra/db/idempotency.js';
import { startRetention } from '../../infra/db/retention.js';
import { CUSTOMERS_EXPORT_PATH, customersExport } from './customers-export.js';

export interface CustomersDeps {
  logger: Logger;
  /** Scoped to the customers schema; defaults to a new pool on config.DATABASE_URL. */
  database?: Database<CustomersTables>;
  /** The registry of the subgraph's metrics; default: its own when METRICS is true. */
  metrics?: Registry;
}

/** Migrates the customers schema and serves the subgraph. Tests call it with PORT 0. */
export function start(config: CustomersConfig, deps: CustomersDeps): Promise<RunningSubgraph> {
  return startDomainSubgraph<CustomersTables, CustomersContext>({
    name: 'customers',
    config,
    logger: deps.logger,
    database: deps.database,
    metrics: deps.metrics,
    migrations: customersMigrations,
    resolvers,
    setup: ({ db, events, onStop, route }) => {
      onStop(startRetention('idempotency keys', config.IDEMPOTENCY_RETENTION_DAYS, (before) => pruneIdempotencyKeys(db, before), deps.logger));
      const repository = new CustomersRepository(db, () => events.committed());
      route(CUSTOMERS_EXPORT_PATH, customersExport(repository));
      const service = new CustomersService(repository);
      const customersImport = new CustomersImport(repository);
      return (requestId) => createContext(requestId, { logger: deps.logger, events, repository, service, customersImport });
    },
  });
}
