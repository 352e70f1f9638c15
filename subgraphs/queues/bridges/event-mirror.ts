import { DurableEventConsumer, eventTypeMatcher } from '../../../infra/events/event-cursor.js';
import { eventJson, type DomainEvent } from '../../../infra/events/event.js';
import type { QueueWorkerDeps } from '../workers.js';
import type { Broker, OutgoingMessage } from './broker.js';

/** The broker message of a hub event: its JSON as subscribers see it, keyed `event.<type>`, with the event id as message id. */
export function eventMessage(event: DomainEvent): OutgoingMessage {
  return {
    key: `event.${event.type}`,
    id: event.id,
    body: JSON.stringify(eventJson(event)),
    headers: { 'x-event-type': event.type, 'x-event-source': event.source },
  };
}

/**
 * Mirrors the hub events whose types match `patterns` to the broker, in commit order, from a
 * durable cursor (`bridge.<broker>.events`, created at the newest event when the bridge first
 * runs). A batch is published and every message confirmed before the cursor moves past it in
 * the same transaction; a failure (broker down, a message not confirmed) rolls the batch back
 * and the consumer sends it again with backoff. So each event arrives at least once; a resend
 * carries the same message id (JetStream drops it, RabbitMQ consumers can).
 */
export async function startEventMirror(deps: QueueWorkerDeps, broker: Broker, patterns: readonly string[]): Promise<() => Promise<void>> {
  const matches = eventTypeMatcher(patterns);
  const consumer = new DurableEventConsumer({
    name: `bridge.${broker.name}.events`,
    db: deps.db,
    events: deps.events,
    logger: deps.logger,
    accepts: (event) => matches(event.type),
    // Published all at once (in order on one connection) and confirmed together.
    handle: async (events) => {
      await Promise.all(events.map((event) => broker.publish(eventMessage(event))));
    },
  });
  await consumer.start();
  return () => consumer.stop();
}
