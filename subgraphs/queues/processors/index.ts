import { RouterClient, routerAccessOf, type RouterAccess } from '../../../infra/graphql/router-client.js';
import type { QueueWorkerDeps } from '../workers.js';
import { PROCESSORS_CALLER } from './processor-config.js';
import { QueueProcessor } from './queue-processor.js';

/**
 * Starts the processors PROCESSORS names, each a loop over the queue of its name, applying
 * messages through the router's GraphQL API. They stop with the subgraph (the current batch is
 * finished first). Without router credentials they stay off, and say so once.
 */
export async function startProcessors(deps: QueueWorkerDeps & { router?: RouterAccess }): Promise<void> {
  const names = deps.config.PROCESSORS;
  if (names.length === 0) return;
  const access = routerAccessOf(deps.router, deps.config, PROCESSORS_CALLER.scopes);
  if (typeof access === 'string') {
    deps.logger.warn(`queue processors are off: ${access}, or PROCESSORS=none`);
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
