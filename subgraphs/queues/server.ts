import type { QueuesConfig } from './subgraph.js';
import type { Database } from '../../infra/db/database.js';
import { startDomainSubgraph } from '../../infra/graphql/domain-subgraph.js';
import { requiredScopesPlugin } from '../../infra/graphql/required-scopes-plugin.js';
import type { RunningSubgraph } from '../../infra/graphql/subgraph-server.js';
import type { Logger } from '../../infra/logger.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';
import { createContext, type QueuesContext } from './context.js';
import { startEventRoutes } from './event-routes.js';
import { queuesMigrations } from './migrations/index.js';
import { QueuesRepository, type QueuesTables } from './queues-repository.js';
import { QueuesService } from './queues-service.js';
import { QueueMetrics } from './queue-metrics.js';
import { QueueSignals } from './queue-signals.js';
import { Receipts } from './receipts.js';
import { resolvers } from './resolvers.js';
import { startBridges } from './bridges/index.js';
import type { QueueWorkerDeps } from './workers.js';
import { startProcessors } from './processors/index.js';
import { startWebhooks } from './webhooks/index.js';
import { createInboundWebhooks, WEBHOOKS_PREFIX } from './inbound/index.js';
import type { RouterAccess } from '../../infra/graphql/router-client.js';
import { startPolling, type PollSource } from './polling/index.js';
import { IMPORTS_PREFIX, startImports } from './imports/index.js';

/** How often a replica tries to apply visibility timeouts that no receive has applied. */
const MAINTENANCE_INTERVAL_MS = 5_000;

export interface QueuesDeps {
  logger: Logger;
  /** Scoped to the queues schema; defaults to a new pool on config.DATABASE_URL. */
  database?: Database<QueuesTables>;
  /** The registry of the subgraph's metrics; default: its own when METRICS is true. */
  metrics?: Registry;
  /** The hub's router and credentials for the processors (see processors/index.ts). */
  router?: RouterAccess;
  /** The REST sources to poll (POLL_SOURCES, resolved by the descriptor with their header values); default none. */
  pollSources?: readonly PollSource[];
}

/** Migrates the queues schema and serves the subgraph. Tests call it with PORT 0. */
export function start(config: QueuesConfig, deps: QueuesDeps): Promise<RunningSubgraph> {
  return startDomainSubgraph<QueuesTables, QueuesContext>({
    name: 'queues',
    config,
    logger: deps.logger,
    database: deps.database,
    metrics: deps.metrics,
    migrations: queuesMigrations,
    resolvers,
    // Publishing, consuming and administering are checked again here, not only by the router.
    plugins: [requiredScopesPlugin<QueuesContext>()],
    setup: async ({ db, events, metrics, onStop, route }) => {
      const queueMetrics = metrics && new QueueMetrics(metrics);
      const repository = new QueuesRepository(db, () => events.committed(), queueMetrics);
      queueMetrics?.watchQueues(repository, deps.logger);
      // Receipts are signed with a key derived from the secret every replica shares.
      const service = new QueuesService(repository, new Receipts(config.INTERNAL_TOKEN_SECRET));
      const signals = new QueueSignals(config.DATABASE_URL, deps.logger);
      await signals.start();
      onStop(() => signals.stop());
      // Timeouts on queues no one is reading, and their dead letters, are applied in the background.
      const maintenance = setInterval(
        () => void repository.maintain().catch((error: unknown) => deps.logger.warn({ err: error }, 'queue maintenance failed; trying again')),
        MAINTENANCE_INTERVAL_MS,
      );
      maintenance.unref();
      onStop(() => clearInterval(maintenance));
      const workers: QueueWorkerDeps = { config, db, events, repository, service, signals, logger: deps.logger, onStop, metrics, queueMetrics };
      await startProcessors({ ...workers, router: deps.router });
      await startEventRoutes(workers);
      await startBridges(workers);
      const webhooks = await startWebhooks(workers);
      const polling = await startPolling({ ...workers, router: deps.router, sources: deps.pollSources ?? [] });
      const inbound = createInboundWebhooks({ db, events, queues: repository, logger: deps.logger, retentionDays: config.WEBHOOK_RETENTION_DAYS, onStop });
      route(WEBHOOKS_PREFIX, inbound.route);
      const { imports, route: importRoute } = startImports({ ...workers, router: deps.router });
      route(IMPORTS_PREFIX, importRoute);
      return (requestId) => createContext(requestId, { logger: deps.logger, repository, service, signals, inbound, webhooks, polling, imports });
    },
  });
}
