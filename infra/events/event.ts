/**
 * A webhook-style event, as stored in events.events and delivered to subscribers.
 * `id` is global and strictly increasing in commit order, so it serves as a resume cursor.
 */
export interface DomainEvent {
  id: string;
  /** `customer.created`, `customer.updated`, `order.placed`, `order.status_changed`, `order.cancelled`. */
  type: string;
  /** The subgraph that wrote it. */
  source: string;
  subject: { typename: string; id: string };
  occurredAt: Date;
  /** The changed fields; previousStatus for status changes. */
  data: Record<string, unknown>;
  requestId: string | null;
}

/** An event as it leaves the hub (queue messages, broker messages, webhooks): plain JSON, `occurredAt` in ISO 8601. */
export function eventJson(event: DomainEvent): Record<string, unknown> {
  const { id, type, source, subject, occurredAt, data, requestId } = event;
  return { id, type, source, subject, occurredAt: occurredAt.toISOString(), data, requestId };
}

/** What a state change hands to the event store, in the same transaction as the change. */
export interface NewEvent {
  type: string;
  source: string;
  subject: { typename: string; id: string };
  data: Record<string, unknown>;
  requestId: string | null;
}

export interface EventFilter {
  /** Undefined: events about anything (the health subgraph's tail of every hub event). */
  subjectType?: string;
  subjectId?: string | null;
  types?: readonly string[] | null;
  /** Matches `data.customerId` (order events carry it). */
  customerId?: string | null;
}

export function matches(event: DomainEvent, filter: EventFilter): boolean {
  if (filter.subjectType !== undefined && event.subject.typename !== filter.subjectType) return false;
  if (filter.subjectId && event.subject.id !== filter.subjectId) return false;
  if (filter.types && filter.types.length > 0 && !filter.types.includes(event.type)) return false;
  if (filter.customerId && event.data.customerId !== filter.customerId) return false;
  return true;
}
