import { connectionResolvers, countsWithPage, pageRequest } from '../../../infra/db/pagination.js';
import type {
  MutationResolvers,
  QueryResolvers,
  SubscriptionResolvers,
  WebhookDeliveryResolvers,
  WebhookEndpointResolvers,
} from '../__generated__/resolvers-types.js';
import type { DeliveryRow } from './webhooks-repository.js';

/** Outbound webhooks' resolvers, spread into the queues subgraph's (resolvers.ts): root fields by root type, and their own types. */
export const webhookResolvers = {
  Query: {
    webhookEndpoints: (_parent, _args, { webhooks }) => webhooks.service.list(),
    webhookEndpoint: (_parent, { id }, { webhooks }) => webhooks.service.find(id),
    webhookDeliveries: (_parent, { endpointId, status, first, after }, { webhooks }, info) => {
      const page = pageRequest({ first, after });
      return webhooks.service.deliveries(endpointId, status ?? null, page, countsWithPage(info, page));
    },
  } satisfies QueryResolvers,
  Mutation: {
    createWebhookEndpoint: (_parent, { input }, { webhooks, requestId }) => webhooks.service.create(input, requestId),
    updateWebhookEndpoint: (_parent, { id, input }, { webhooks, requestId }) => webhooks.service.update(id, input, requestId),
    rotateWebhookSecret: (_parent, { id }, { webhooks, requestId }) => webhooks.service.rotateSecret(id, requestId),
    deleteWebhookEndpoint: (_parent, { id }, { webhooks, requestId }) => webhooks.service.delete(id, requestId),
    replayWebhookDelivery: (_parent, { id }, { webhooks, requestId }) => webhooks.service.replayDelivery(id, requestId),
    replayWebhookEndpoint: (_parent, { id, since, until }, { webhooks, requestId }) => webhooks.service.replayEndpoint(id, since as Date, until as Date | null | undefined, requestId),
  } satisfies MutationResolvers,
  Subscription: {
    webhookDeliveryUpdated: {
      subscribe: (_parent, { endpointId }, { webhooks }) => webhooks.service.updates(endpointId),
      resolve: (delivery: DeliveryRow) => delivery,
    },
  } satisfies SubscriptionResolvers,
  types: {
    WebhookDeliveryConnection: connectionResolvers,
    WebhookEndpoint: {
      host: (endpoint) => new URL(endpoint.url).host,
      previousSecretExpiresAt: (endpoint) => (endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date() ? endpoint.previousSecretExpiresAt : null),
      queue: async (endpoint, _args, { loaders }) => (await loaders.queueById.load(endpoint.queueId))!,
      stats: (endpoint, _args, { webhooks }) => webhooks.loaders.statsByEndpointId.load(endpoint.id),
    } satisfies WebhookEndpointResolvers,
    WebhookDelivery: {
      attemptCount: (delivery) => delivery.attempts,
      attempts: (delivery, _args, { webhooks }) => webhooks.loaders.attemptsByDeliveryId.load(delivery.id),
    } satisfies WebhookDeliveryResolvers,
  },
};
