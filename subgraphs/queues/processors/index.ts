import { RouterClient, type RouterAccess } from '../../../infra/graphql/router-client.js';
import type { QueueWorkerDeps } from '../workers.js';
import { PROCESSORS_CALLER } from './processor-config.js';
import { QueueProcessor } from './queue-processor.js';

/**
 * The router and credentials the processors use: the hub's (`deps.router`, a bearer token it
 * signs) when a hub runs the subgraph, else ROUTER_URL with ROUTER_API_KEY; a string says why there are none.
 */
function routerAccess(config: QueueWorkerDeps['config'], given: RouterAccess | undefined): RouterAccess | string {
  if (given) return given;
  const { ROUTER_URL: url, ROUTER_API_KEY: key } = config;
  if (url && key) return { url: () => url, headers: async () => ({ 'x-api-key': key }) };
  return `set ROUTER_URL and ROUTER_API_KEY (an API key with the scopes ${PROCESSORS_CALLER.scopes.join(', ')}), or PROCESSORS=none`;
}

/**
 * Starts the processors PROCESSORS names, each a loop over the queue of its name, applying
 * messages through the router's GraphQL API. They stop with the subgraph (the current batch is
 * finished first). Without router credentials they stay off, and say so once.
 */
export async function startProcessors(deps: QueueWorkerDeps & { router?: RouterAccess }): Promise<void> {
  const names = deps.config.PROCESSORS;
  if (names.length === 0) return;
  const access = routerAccess(deps.config, deps.router);
  if (typeof access === 'string') {
    deps.logger.warn(`queue processors are off: ${access}`);
    return;
  }
  const router = new RouterClient({ access });
  const controller = new AbortController();
  const runs = names.map((name) => new QueueProcessor(name, deps, router, () => access.url() !== undefined).run(controller.signal));
  deps.onStop(async () => {
    controller.abort();
    await Promise.all(runs);
  });
  deps.logger.info({ processors: names }, 'queue processors started');
}
