import { notFound } from '../../../infra/errors.js';
import { RouterClient, routerAccessOf, type RouterAccess } from '../../../infra/graphql/router-client.js';
import { createOutboundHttp } from '../../../infra/http/outbound-http.js';
import { PROCESSORS_CALLER } from '../processors/processor-config.js';
import type { QueueWorkerDeps } from '../workers.js';
import type { PollSource } from './polling-config.js';
import { PollingRepository, type PollSourceRow } from './polling-repository.js';
import { PollingWorker } from './polling-worker.js';

export { pollingEnv, pollSourcesOf, type PollSource } from './polling-config.js';
export { pollingResolvers } from './polling-resolvers.js';

/** A configured source with its row (undefined only before its first round has created it). */
export interface PollSourceView {
  source: PollSource;
  row: PollSourceRow | undefined;
}

/** What resolvers reach the polling connector through (QueuesContext.polling). */
export interface Polling {
  /** The configured sources, by name. */
  list(): Promise<PollSourceView[]>;
  /** Runs a round of the source now; answers it when the round has ended. NOT_FOUND for an unknown name. */
  pollNow(name: string): Promise<PollSourceView>;
}

/**
 * Starts polling the configured sources (see polling-worker.ts): customers are upserted through
 * the router with the queues subgraph's service credentials, the processors' (PROCESSORS_CALLER,
 * whose scopes include customers:write), whatever PROCESSORS says. Without router credentials
 * the sources are listed and every round fails saying why. Stops with the subgraph, ending
 * rounds at the next item.
 */
export async function startPolling(deps: QueueWorkerDeps & { router?: RouterAccess; sources: readonly PollSource[] }): Promise<Polling> {
  const { config, sources } = deps;
  if (sources.length === 0) {
    return {
      list: async () => [],
      pollNow: async (name) => {
        throw notFound('PollSource', name);
      },
    };
  }
  const repository = new PollingRepository(deps.db);
  await repository.ensure(sources.map((source) => source.name));
  const access = routerAccessOf(deps.router, config, PROCESSORS_CALLER.scopes);
  const http = createOutboundHttp({ allowedHosts: config.POLL_ALLOWED_HOSTS, timeoutMs: config.POLL_TIMEOUT_MS });
  const worker = new PollingWorker({
    sources,
    repository,
    http,
    router: typeof access === 'string' ? access : new RouterClient({ access }),
    routerUp: () => typeof access !== 'string' && access.url() !== undefined,
    maxResponseBytes: config.POLL_MAX_RESPONSE_BYTES,
    logger: deps.logger.child({ worker: 'polling' }),
  });
  if (typeof access === 'string') deps.logger.warn(`polling is off: ${access}`);
  else worker.start();
  deps.onStop(async () => {
    await worker.stop();
    await http.close();
  });
  deps.logger.info({ pollSources: sources.map((source) => source.name) }, 'polling sources');
  const view = (rows: PollSourceRow[]) => (source: PollSource): PollSourceView => ({ source, row: rows.find((row) => row.name === source.name) });
  return {
    list: async () => sources.map(view(await repository.list(sources.map((source) => source.name)))),
    pollNow: async (name) => {
      const row = await worker.pollNow(name);
      return { source: sources.find((source) => source.name === name)!, row };
    },
  };
}
