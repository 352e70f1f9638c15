import DataLoader from 'dataloader';
import { groupLoader } from '../../../infra/db/loader.js';
import type { AttemptRow, EndpointStats, WebhooksRepository } from './webhooks-repository.js';

export interface WebhookLoaders {
  /** WebhookEndpoint.stats: one statement for all endpoints of a request. */
  statsByEndpointId: DataLoader<string, EndpointStats>;
  /** WebhookDelivery.attempts: one statement for all deliveries of a request. */
  attemptsByDeliveryId: DataLoader<string, AttemptRow[]>;
}

const NO_STATS: EndpointStats = Object.freeze({ delivered: 0, failed: 0, pending: 0, lastSuccessAt: null, lastFailureAt: null });

/** Created per request, so batches never mix requests and nothing is cached across them. */
export function createWebhookLoaders(repository: WebhooksRepository): WebhookLoaders {
  return {
    statsByEndpointId: new DataLoader(async (ids) => {
      const stats = await repository.statsOf(ids);
      return ids.map((id) => stats.get(id) ?? NO_STATS);
    }),
    attemptsByDeliveryId: groupLoader((ids) => repository.attemptsOf(ids), (row) => row.deliveryId),
  };
}
