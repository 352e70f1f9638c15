import { randomBytes } from 'node:crypto';
import type { Database } from '../../infra/db/database.js';
import { startDomainSubgraph } from '../../infra/graphql/domain-subgraph.js';
import { requiredScopesPlugin } from '../../infra/graphql/required-scopes-plugin.js';
import { RouterClient, routerAccessOf, type RouterAccess } from '../../infra/graphql/router-client.js';
import type { RunningSubgraph } from '../../infra/graphql/subgraph-server.js';
import type { Logger } from '../../infra/logger.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';
import { startSapSimulator } from '../../simulators/sap/index.js';
import { SapConnector, sapSystemsFromEnv, type SapSystemConfig } from './connector/index.js';
import { createContext, type SapContext } from './context.js';
import { IDOC_PATH, InboundIdocs } from './idoc-inbound.js';
import { IdocStatusTracker } from './idoc-status-tracker.js';
import { sapMigrations } from './migrations/index.js';
import { resolvers } from './resolvers.js';
import { SapRepository, type SapTables } from './sap-repository.js';
import { SapService } from './sap-service.js';
import { SAP_CALLER, type SapConfig } from './subgraph.js';

export interface SapDeps {
  logger: Logger;
  /** Scoped to the sap schema; defaults to a new pool on config.DATABASE_URL. */
  database?: Database<SapTables>;
  /** The registry of the subgraph's metrics; default: its own when METRICS is true. */
  metrics?: Registry;
  /** The hub's router and credentials for sendOrderToSap and inbound DEBMAS (see subgraph.ts). */
  router?: RouterAccess;
}

/** The id the bundled simulator has as a system. */
export const SIMULATOR_SYSTEM = 'SIM';

/**
 * The SAP systems to connect to: SAP_SYSTEMS, and the bundled simulator when SAP_SIMULATOR asks
 * for it (by default when no system is configured outside production). The simulator is
 * configured through the same variables as a real system, with a password made for this run.
 */
async function systemsOf(config: SapConfig, env: Readonly<Record<string, string | undefined>>, logger: Logger, onStop: (stop: () => Promise<void>) => void): Promise<readonly SapSystemConfig[]> {
  const configured = sapSystemsFromEnv(env);
  const wanted = config.SAP_SIMULATOR === 'true' || (config.SAP_SIMULATOR === 'auto' && configured.length === 0 && config.NODE_ENV !== 'production');
  if (!wanted) return configured;
  const password = randomBytes(18).toString('base64url');
  // On loopback only: its fault-control API has no credentials.
  const simulator = await startSapSimulator({ port: config.SAP_SIMULATOR_PORT, host: '127.0.0.1', systems: [{ id: SIMULATOR_SYSTEM, client: '100' }], user: 'INTERCHANGE', password });
  onStop(() => simulator.stop());
  logger.info({ url: simulator.systemUrl(SIMULATOR_SYSTEM) }, `no SAP system configured: the bundled SAP simulator answers as system ${SIMULATOR_SYSTEM}`);
  const [simulated] = sapSystemsFromEnv({
    SAP_SYSTEMS: SIMULATOR_SYSTEM,
    [`SAP_${SIMULATOR_SYSTEM}_URL`]: simulator.systemUrl(SIMULATOR_SYSTEM),
    [`SAP_${SIMULATOR_SYSTEM}_CLIENT`]: '100',
    [`SAP_${SIMULATOR_SYSTEM}_USER`]: 'INTERCHANGE',
    [`SAP_${SIMULATOR_SYSTEM}_PASSWORD`]: password,
  });
  return [...configured, simulated!];
}

/** Migrates the sap schema and serves the subgraph. Tests call it with PORT 0. */
export function start(config: SapConfig, env: Readonly<Record<string, string | undefined>>, deps: SapDeps): Promise<RunningSubgraph> {
  return startDomainSubgraph<SapTables, SapContext>({
    name: 'sap',
    config,
    logger: deps.logger,
    database: deps.database,
    metrics: deps.metrics,
    migrations: sapMigrations,
    resolvers,
    // callSapFunction (admin) and the writes are checked again here, not only by the router.
    plugins: [requiredScopesPlugin<SapContext>()],
    setup: async ({ db, events, metrics, onStop, publicRoute }) => {
      const systems = await systemsOf(config, env, deps.logger, onStop);
      const connector = new SapConnector(systems, { logger: deps.logger, metrics });
      onStop(() => connector.close());
      const defaultSystem = config.SAP_DEFAULT_SYSTEM ?? systems[0]?.id;
      if (defaultSystem && !systems.some((system) => system.id === defaultSystem)) {
        throw new Error(`SAP_DEFAULT_SYSTEM=${defaultSystem} is not one of SAP_SYSTEMS (${systems.map((system) => system.id).join(', ') || 'none'})`);
      }
      const repository = new SapRepository(db, () => events.committed());
      const access = routerAccessOf(deps.router, config, SAP_CALLER.scopes);
      if (typeof access === 'string') deps.logger.warn(`sendOrderToSap and inbound DEBMAS forwarding are off: ${access}`);
      const router = typeof access === 'string' ? undefined : new RouterClient({ access });
      const service = new SapService({ connector, defaultSystem, repository, router, logger: deps.logger });

      const tracker = new IdocStatusTracker({ connector, repository, logger: deps.logger, intervalMs: config.SAP_IDOC_STATUS_POLL_MS });
      tracker.start();
      onStop(() => tracker.stop());
      const inbound = new InboundIdocs({ repository, router, logger: deps.logger, user: config.SAP_IDOC_INBOUND_USER, password: config.SAP_IDOC_INBOUND_PASSWORD, customerQueue: config.SAP_CUSTOMER_QUEUE });
      inbound.start();
      onStop(() => inbound.stop());
      // SAP's HTTP port posts here directly, with basic authentication (not through the router).
      publicRoute(IDOC_PATH, inbound.route);
      return (requestId) => createContext(requestId, { logger: deps.logger, repository, service });
    },
  });
}
