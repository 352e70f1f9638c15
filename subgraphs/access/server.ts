import type { AccessConfig } from './subgraph.js';
import type { Database } from '../../infra/db/database.js';
import { startDomainSubgraph } from '../../infra/graphql/domain-subgraph.js';
import { requiredScopesPlugin } from '../../infra/graphql/required-scopes-plugin.js';
import type { RunningSubgraph } from '../../infra/graphql/subgraph-server.js';
import type { Logger } from '../../infra/logger.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';
import { AccessRepository, type AccessTables } from './access-repository.js';
import { AccessService } from './access-service.js';
import { startRetention } from '../../infra/db/retention.js';
import { createContext, type AccessContext } from './context.js';
import { accessMigrations } from './migrations/index.js';
import { resolvers } from './resolvers.js';

export interface AccessDeps {
  logger: Logger;
  /** Scoped to the access schema; defaults to a new pool on config.DATABASE_URL. */
  database?: Database<AccessTables>;
  /** The registry of the subgraph's metrics; default: its own when METRICS is true. */
  metrics?: Registry;
}

/**
 * Migrates the access schema (API keys, audit records) and serves the subgraph: the admin API for
 * API keys and the audit log. The router reads keys and writes audit records in the same tables
 * (infra/auth). Tests call it with PORT 0.
 */
export function start(config: AccessConfig, deps: AccessDeps): Promise<RunningSubgraph> {
  return startDomainSubgraph<AccessTables, AccessContext>({
    name: 'access',
    config,
    logger: deps.logger,
    database: deps.database,
    metrics: deps.metrics,
    migrations: accessMigrations,
    resolvers,
    // Every operation here is for admins: checked again here, not only by the router.
    plugins: [requiredScopesPlugin<AccessContext>()],
    setup: ({ db, events, onStop }) => {
      const repository = new AccessRepository(db, () => events.committed());
      const service = new AccessService(repository);
      onStop(startRetention('audit records', config.AUDIT_RETENTION_DAYS, (before) => repository.pruneAuditRecords(before), deps.logger));
      return (requestId) => createContext(requestId, { logger: deps.logger, repository, service });
    },
  });
}
