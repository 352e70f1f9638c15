import { EventEmitter } from 'node:events';
import { startRetention } from '../../../infra/db/retention.js';
import { RouterClient, routerAccessOf, type RouterAccess } from '../../../infra/graphql/router-client.js';
import type { SubgraphRoute } from '../../../infra/graphql/subgraph-server.js';
import { PROCESSORS_CALLER } from '../processors/processor-config.js';
import type { QueueWorkerDeps } from '../workers.js';
import { ImportRunner } from './import-runner.js';
import { importRoutes } from './import-routes.js';
import { ImportsRepository } from './imports-repository.js';
import { ImportsService } from './imports-service.js';

export { importsResolvers } from './imports-resolvers.js';
export { importsEnv } from './import-config.js';
export { IMPORTS_PREFIX } from './import-routes.js';
export type { ImportJobRow, ImportFileRow, ReportedRow } from './imports-repository.js';


/** What resolvers reach imports through (QueuesContext.imports). */
export interface Imports {
  service: ImportsService;
  repository: ImportsRepository;
  /** Calls `listener` after each stored batch of the job run on this replica, and at its end; returns the unsubscribe. */
  onProgress(jobId: string, listener: () => void): () => void;
}

/**
 * Starts imports in the queues subgraph: the routes the router forwards uploads to, the runner
 * (one job at a time per replica, resumed after a restart), and retention. Rows go to the
 * router with the queues subgraph's service credentials (PROCESSORS_CALLER: customers:write and
 * orders:write); without router credentials jobs wait, and startImport says why.
 */
export function startImports(deps: QueueWorkerDeps & { router?: RouterAccess }): { imports: Imports; route: SubgraphRoute } {
  const { config, logger } = deps;
  const repository = new ImportsRepository(deps.db);
  const access = routerAccessOf(deps.router, config, PROCESSORS_CALLER.scopes);
  const router = typeof access === 'string' ? access : new RouterClient({ access });
  const progress = new EventEmitter();
  progress.setMaxListeners(0);
  const runner = new ImportRunner({
    repository,
    router,
    routerUp: () => typeof access !== 'string' && access.url() !== undefined,
    retrySeconds: config.IMPORT_RETRY_SECONDS,
    concurrency: config.IMPORT_CONCURRENCY,
    progressed: (jobId) => progress.emit(jobId),
    logger: logger.child({ worker: 'imports' }),
  });
  const service = new ImportsService(repository, router, config.IMPORT_BATCH_ROWS, () => runner.poke());
  if (typeof access === 'string') logger.warn(`imports cannot run: ${access}`);
  else runner.start();
  const stopFiles = startRetention('import files', config.IMPORT_FILE_RETENTION_HOURS / 24, (before) => repository.pruneFiles(before), logger);
  const stopJobs = startRetention('import jobs', config.IMPORT_JOB_RETENTION_DAYS, (before) => repository.pruneJobs(before), logger);
  deps.onStop(async () => {
    stopFiles();
    stopJobs();
    await runner.stop();
  });
  return {
    imports: {
      service,
      repository,
      onProgress: (jobId, listener) => {
        progress.on(jobId, listener);
        return () => progress.off(jobId, listener);
      },
    },
    route: importRoutes({ repository, service, maxBytes: config.IMPORT_MAX_BYTES, logger }),
  };
}
