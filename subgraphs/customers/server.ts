import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { Database } from '../../infra/db/database.js';
import { openServiceDatabase } from '../../infra/db/service-database.js';
import { startEvents } from '../../infra/events/events.js';
import type { CustomersConfig } from '../../infra/config.js';
import { startSubgraphServer, type RunningSubgraph } from '../../infra/graphql/subgraph-server.js';
import type { Logger } from '../../infra/logger.js';
import { fromRoot } from '../../infra/paths.js';
import { createContext } from './context.js';
import { CustomersRepository, type CustomersTables } from './customers-repository.js';
import { CustomersService } from './customers-service.js';
import { customersMigrations } from './migrations/index.js';
import { resolvers } from './resolvers.js';

export const SCHEMA_NAME = 'customers';

export interface CustomersDeps {
  logger: Logger;
  /** Scoped to the customers schema; defaults to a new pool on config.DATABASE_URL. */
  database?: Database<CustomersTables>;
}

/** Migrates the customers schema and serves the subgraph. Tests call it with PORT 0. */
export async function start(config: CustomersConfig, deps: CustomersDeps): Promise<RunningSubgraph> {
  const { database, release } = await openServiceDatabase<CustomersTables>({
    config,
    schema: SCHEMA_NAME,
    migrations: customersMigrations,
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
  const repository = new CustomersRepository(database.db, () => events.committed());
  const service = new CustomersService(repository);

  const server = await startSubgraphServer({
    name: 'customers',
    typeDefs: parse(readFileSync(fromRoot('schema/customers.graphql'), 'utf8')),
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
