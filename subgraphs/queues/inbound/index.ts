import { startRetention } from '../../../infra/db/retention.js';
import type { Kysely } from 'kysely';
import type { Events } from '../../../infra/events/events.js';
import type { SubgraphRoute } from '../../../infra/graphql/subgraph-server.js';
import type { Logger } from '../../../infra/logger.js';
import type { QueuesRepository, QueuesTables } from '../queues-repository.js';
import { InboundRepository } from './inbound-repository.js';
import { inboundWebhookRoute } from './inbound-route.js';
import { createInboundLoaders, InboundService, type InboundLoaders } from './inbound-service.js';

export { inboundResolvers } from './inbound-resolvers.js';
export { WEBHOOKS_PREFIX } from './inbound-route.js';

/** What resolvers reach inbound webhooks through: the service, and this request's loaders. */
export interface InboundContext {
  service: InboundService;
  loaders: InboundLoaders;
}

/** Inbound webhooks in the queues subgraph: the HTTP route the router forwards to, and the GraphQL side. */
export interface InboundWebhooks {
  /** Served under WEBHOOKS_PREFIX. */
  route: SubgraphRoute;
  /** Per request. */
  context(): InboundContext;
}

export function createInboundWebhooks(deps: { db: Kysely<QueuesTables>; events: Events; queues: QueuesRepository; logger: Logger; retentionDays: number; onStop(stop: () => void): void }): InboundWebhooks {
  const repository = new InboundRepository(deps.db, deps.queues, () => deps.events.committed());
  deps.onStop(startRetention('inbound webhooks', deps.retentionDays, (before) => repository.prune(before), deps.logger));
  const service = new InboundService(repository, deps.queues, deps.events);
  return {
    route: inboundWebhookRoute({ repository, logger: deps.logger }),
    context: () => ({ service, loaders: createInboundLoaders(repository) }),
  };
}
