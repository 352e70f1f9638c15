import { DurableEventConsumer, eventTypeMatcher } from '../../../infra/events/event-cursor.js';
import { eventJson, type DomainEvent } from '../../../infra/events/event.js';
import type { QueueWorkerDeps } from '../workers.js';
import type { EndpointRow, NewDelivery, WebhooksRepository } from './webhooks-repository.js';

/** The cursor (a row of events.cursors) that every replica's delivery consumer shares. */
export const DELIVERIES_CURSOR = 'webhooks.deliveries';

/** The Standard Webhooks body of an event: its type, when it occurred, and the event as it leaves the hub. */
export function webhookBody(event: DomainEvent) {
  return { type: event.type, timestamp: event.occurredAt.toISOString(), data: eventJson(event) };
}

/**
 * Whether `endpoint` gets `event`: its type matches the endpoint's filter, it occurred after the
 * endpoint was created, and it is not about the endpoint itself (so that an endpoint on `*` is not
 * fed the failures of its own deliveries).
 */
function wants(endpoint: EndpointRow, matches: (type: string) => boolean, event: DomainEvent): boolean {
  if (!matches(event.type) || event.occurredAt < endpoint.createdAt) return false;
  return !(event.subject.typename === 'WebhookEndpoint' && event.subject.id === endpoint.id);
}

/**
 * Turns stored hub events into deliveries: a durable consumer of the event store (cursor
 * `webhooks.deliveries`) that, for each event, creates one delivery per enabled endpoint whose
 * filter matches, and its message in the endpoint's queue, in the transaction that moves the
 * cursor. So a delivery is created exactly once per event and endpoint, whatever dies when.
 */
export async function startDeliveryConsumer(deps: QueueWorkerDeps, repository: WebhooksRepository): Promise<void> {
  const consumer = new DurableEventConsumer({
    name: DELIVERIES_CURSOR,
    db: deps.db,
    events: deps.events,
    logger: deps.logger.child({ consumer: DELIVERIES_CURSOR }),
    // Events that no endpoint can get (there is none enabled) are not read: an endpoint gets only events after its creation.
    idle: async (trx) => (await repository.enabledEndpoints(trx)).length === 0,
    handle: async (events, trx) => {
      // Read in the batch's transaction: an endpoint created, changed or disabled counts from its commit on.
      const endpoints = await repository.enabledEndpoints(trx);
      if (endpoints.length === 0) return;
      const matchers = new Map(endpoints.map((endpoint) => [endpoint.id, eventTypeMatcher(endpoint.eventTypes)]));
      const deliveries: NewDelivery[] = [];
      for (const event of events) {
        for (const endpoint of endpoints) {
          if (wants(endpoint, matchers.get(endpoint.id)!, event)) deliveries.push({ endpoint, eventId: event.id, eventType: event.type, body: webhookBody(event) });
        }
      }
      if (deliveries.length > 0) await repository.createDeliveries(trx, deliveries);
    },
  });
  await consumer.start();
  deps.onStop(() => consumer.stop());
}
