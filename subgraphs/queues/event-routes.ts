import { z } from 'zod';
import { DurableEventConsumer, eventTypeMatcher } from '../../infra/events/event-cursor.js';
import { eventJson, type DomainEvent } from '../../infra/events/event.js';
import { QUEUE_NAME } from './queue-input.js';
import type { NewMessage } from './queues-repository.js';
import type { QueueWorkerDeps } from './workers.js';

export interface EventRoute {
  /** Event types, `order.*` matching a prefix, `*` every type. */
  types: string[];
  queue: string;
}

const TYPE_PATTERN = /^(\*|[a-z0-9_.]+\*?)$/;

/**
 * `QUEUE_EVENT_ROUTES`: hub events that feed queues, as `<types>=<queue>` separated by `;`, the
 * types separated by `,`: `order.*=order-feed;customer.created,customer.updated=crm-sync`.
 */
export const eventRoutesEnv = {
  QUEUE_EVENT_ROUTES: z
    .string()
    .default('')
    .transform((value, context): EventRoute[] => {
      const routes: EventRoute[] = [];
      for (const entry of value.split(';').map((part) => part.trim()).filter(Boolean)) {
        const [types = '', queue = '', ...rest] = entry.split('=').map((part) => part.trim());
        const list = types.split(',').map((type) => type.trim()).filter(Boolean);
        if (rest.length > 0 || !QUEUE_NAME.test(queue) || list.length === 0 || !list.every((type) => TYPE_PATTERN.test(type))) {
          context.addIssue({ code: 'custom', message: `"${entry}" is not <event types>=<queue>, e.g. order.*,customer.created=order-feed` });
          return z.NEVER;
        }
        routes.push({ types: list, queue });
      }
      if (new Set(routes.map((route) => route.queue)).size !== routes.length) {
        context.addIssue({ code: 'custom', message: 'names a queue twice: list all of its event types in one route' });
        return z.NEVER;
      }
      return routes;
    }),
};

/** An event as a queue message: the event as it is stored, keyed by its id so that it is never published twice. */
export function eventMessage(event: DomainEvent): NewMessage {
  return {
    payload: eventJson(event),
    headers: { type: event.type, 'event-id': event.id },
    priority: 0,
    delaySeconds: 0,
    dedupKey: `event:${event.id}`,
    // On a FIFO queue, the events of one entity stay in order.
    orderingKey: `${event.subject.typename}:${event.subject.id}`,
  };
}

/**
 * Feeds each route's queue with the hub events of its types, exactly once: a durable consumer of
 * the event store per route (cursor `queue-route.<queue>`), publishing in the transaction that
 * moves its cursor. A missing queue is created (STANDARD, default settings). While the queue is
 * full (or gone), the route retries with backoff and skips nothing.
 */
export async function startEventRoutes(deps: QueueWorkerDeps): Promise<void> {
  for (const route of deps.config.QUEUE_EVENT_ROUTES) {
    if ((await deps.repository.findByNames([route.queue])).length === 0) {
      await deps.repository.create({ name: route.queue, kind: 'STANDARD' }, null).catch((error: unknown) => {
        // Another replica created it meanwhile.
        if ((error as { extensions?: { code?: string } }).extensions?.code !== 'CONFLICT') throw error;
      });
    }
    const matches = eventTypeMatcher(route.types);
    const consumer = new DurableEventConsumer({
      name: `queue-route.${route.queue}`,
      db: deps.db,
      events: deps.events,
      logger: deps.logger.child({ route: route.queue }),
      accepts: (event) => matches(event.type),
      handle: async (events, trx) => {
        const published = await deps.repository.publishInTransaction(trx, route.queue, events.map(eventMessage));
        if (!published) throw new Error(`queue ${route.queue} does not exist`);
      },
    });
    await consumer.start();
    deps.onStop(() => consumer.stop());
  }
}
