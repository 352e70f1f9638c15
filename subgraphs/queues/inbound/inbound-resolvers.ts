import { connectionResolvers, countsWithPage, pageRequest } from '../../../infra/db/pagination.js';
import type { DomainEvent } from '../../../infra/events/event.js';
import type {
  InboundWebhookEventResolvers,
  InboundWebhookResolvers,
  InboundWebhookSourceResolvers,
  MutationResolvers,
  QueryResolvers,
  SubscriptionResolvers,
} from '../__generated__/resolvers-types.js';
import { ACCEPTED, DUPLICATE, inboundEventType } from './inbound-repository.js';
import { WEBHOOKS_PREFIX } from './inbound-route.js';

/** Inbound webhooks' resolvers, spread into the queues subgraph's (resolvers.ts): root fields by root type, and their own types. */
export const inboundResolvers = {
  Query: {
    inboundWebhookSources: (_parent, _args, { inbound }) => inbound.service.listSources(),
    inboundWebhooks: (_parent, { source, first, after }, { inbound }, info) => {
      const page = pageRequest({ first, after });
      return inbound.service.webhooks(source, page, countsWithPage(info, page));
    },
  } satisfies QueryResolvers,
  Mutation: {
    createInboundWebhookSource: (_parent, { input }, { inbound, requestId }) => inbound.service.createSource(input, requestId),
    updateInboundWebhookSource: (_parent, { name, input }, { inbound, requestId }) => inbound.service.updateSource(name, input, requestId),
    deleteInboundWebhookSource: (_parent, { name }, { inbound, requestId }) => inbound.service.deleteSource(name, requestId),
  } satisfies MutationResolvers,
  Subscription: {
    inboundWebhooks: {
      subscribe: (_parent, { source, after }, { inbound }) => inbound.service.subscribe(source, after),
      resolve: (event: DomainEvent) => event,
    },
  } satisfies SubscriptionResolvers,
  types: {
    InboundWebhookConnection: connectionResolvers,
    InboundWebhookSource: {
      path: (source) => `${WEBHOOKS_PREFIX}${source.name}`,
      accepted: async (source, _args, { inbound }) => (await inbound.loaders.countsBySourceId.load(source.id)).get(ACCEPTED) ?? 0,
      duplicates: async (source, _args, { inbound }) => (await inbound.loaders.countsBySourceId.load(source.id)).get(DUPLICATE) ?? 0,
      rejected: async (source, _args, { inbound }) =>
        [...(await inbound.loaders.countsBySourceId.load(source.id))]
          .filter(([outcome]) => outcome !== ACCEPTED && outcome !== DUPLICATE)
          .map(([reason, count]) => ({ reason, count })),
    } satisfies InboundWebhookSourceResolvers,
    InboundWebhook: {
      eventType: (webhook) => inboundEventType(webhook.source, webhook.type),
      receivedAt: (webhook) => webhook.createdAt,
    } satisfies InboundWebhookResolvers,
    InboundWebhookEvent: {
      webhook: (event, _args, { inbound }) => inbound.loaders.webhookById.load(event.subject.id),
    } satisfies InboundWebhookEventResolvers,
  },
};
