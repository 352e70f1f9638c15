import type { Database } from '../../infra/db/database.js';
import { startRetention } from '../../infra/db/retention.js';
import { startDomainSubgraph } from '../../infra/graphql/domain-subgraph.js';
import { requiredScopesPlugin } from '../../infra/graphql/required-scopes-plugin.js';
import { RouterClient, routerAccessOf, type RouterAccess } from '../../infra/graphql/router-client.js';
import type { RunningSubgraph } from '../../infra/graphql/subgraph-server.js';
import type { Logger } from '../../infra/logger.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';
import { AlertEngine } from './alert-engine.js';
import { createContext, type HealthContext } from './context.js';
import { HealthMonitor } from './health-monitor.js';
import { HealthRepository } from './health-repository.js';
import { DEFAULT_ALERT_RULES } from './health-rules.js';
import { healthMigrations } from './migrations/index.js';
import { Probes } from './probes.js';
import { resolvers } from './resolvers.js';
import { HEALTH_CALLER, type HealthConfig } from './subgraph.js';

export interface HealthDeps {
  logger: Logger;
  /** Scoped to the health schema; defaults to a new pool on config.DATABASE_URL. */
  database?: Database<any>;
  metrics?: Registry;
  /** The hub's router and credentials with HEALTH_CALLER's scopes (see subgraph.ts). */
  router?: RouterAccess;
}

/** Migrates the health schema, starts the rounds of checks and serves the subgraph. Tests call it with PORT 0. */
export function start(config: HealthConfig, deps: HealthDeps): Promise<RunningSubgraph> {
  return startDomainSubgraph<any, HealthContext>({
    name: 'health',
    config,
    logger: deps.logger,
    database: deps.database,
    metrics: deps.metrics,
    migrations: healthMigrations,
    resolvers,
    plugins: [requiredScopesPlugin<HealthContext>()],
    setup: ({ db, events, onStop }) => {
      const { logger } = deps;
      const repository = new HealthRepository(db);
      const access = routerAccessOf(deps.router, config, HEALTH_CALLER.scopes);
      if (typeof access === 'string') logger.warn(`the router, the subgraphs, queues, webhook endpoints and SAP systems are not checked: ${access}`);
      const router = typeof access === 'string' ? undefined : access;
      const probes = new Probes({
        db,
        router,
        routerClient: router && new RouterClient({ access: router, timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS }),
        redisUrl: config.REDIS_URL,
        timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
        eventLagDegraded: config.HEALTH_EVENT_LAG_DEGRADED,
        logger,
      });
      const monitor = new HealthMonitor({
        repository,
        probes,
        alerts: new AlertEngine(config.HEALTH_ALERT_RULES ?? DEFAULT_ALERT_RULES, repository),
        slaTargets: config.SLA_TARGETS,
        committed: () => events.committed(),
        intervalMs: config.HEALTH_CHECK_INTERVAL_MS,
        timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
        logger,
      });
      monitor.start();
      // The monitor stops first (its round may be using the probes).
      onStop(() => probes.close());
      onStop(() => monitor.stop());
      onStop(startRetention('health checks', config.HEALTH_CHECK_RETENTION_DAYS, (before) => repository.pruneChecks(before), logger));
      onStop(startRetention('health roll-ups', config.HEALTH_ROLLUP_RETENTION_DAYS, (before) => repository.pruneRollups(before), logger));
      onStop(startRetention('resolved alerts', config.HEALTH_ALERT_RETENTION_DAYS, (before) => repository.pruneAlerts(before), logger));
      return (requestId) => createContext(requestId, { logger, events, repository, monitor, slaTargets: config.SLA_TARGETS });
    },
  });
}
