import { sql, type Kysely } from 'kysely';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../../infra/errors.js';
import { AsyncQueue } from '../../../infra/events/async-queue.js';
import { PostgresWakeSource } from '../../../infra/events/postgres-wake-source.js';
import type { Logger } from '../../../infra/logger.js';

/** The channel on which a changed delivery is announced: `<endpoint id> <delivery id>`. */
const DELIVERIES_CHANNEL = 'interchange_webhook_deliveries';

/** Deliveries a dashboard subscriber may have waiting before it is cut off as too slow. */
const MAX_WAITING = 10_000;

/** Announces, on commit, that these deliveries changed (an attempt settled, a replay). */
export async function announceDeliveries(trx: Kysely<any>, deliveries: readonly { id: string; endpointId: string }[]): Promise<void> {
  if (deliveries.length === 0) return;
  await sql`select pg_notify(${DELIVERIES_CHANNEL}, e || ' ' || d)
    from unnest(${deliveries.map((delivery) => delivery.endpointId)}::text[], ${deliveries.map((delivery) => delivery.id)}::text[]) as x(e, d)`.execute(trx);
}

/**
 * What the webhookDeliveryUpdated subscription follows: PostgreSQL notifications sent in the
 * transaction that changed a delivery, heard by every replica on one connection. A dashboard's
 * feed, not a record: a subscriber sees the changes made while it is subscribed, and nothing is
 * kept for one that reconnects (the deliveries themselves are, in webhookDeliveries).
 */
export class DeliveryUpdates {
  private readonly listeners = new Map<string, Set<(deliveryId: string) => void>>();
  private readonly source: PostgresWakeSource;

  constructor(url: string, logger: Logger) {
    this.source = new PostgresWakeSource(url, logger, DELIVERIES_CHANNEL);
  }

  start(): Promise<void> {
    return this.source.start((payload) => {
      const [endpointId, deliveryId] = payload?.split(' ') ?? [];
      if (endpointId && deliveryId) for (const listener of this.listeners.get(endpointId) ?? []) listener(deliveryId);
    });
  }

  /** The ids of the endpoint's deliveries as they change, from now on. */
  follow(endpointId: string): AsyncQueue<string> {
    let listeners = this.listeners.get(endpointId);
    if (!listeners) this.listeners.set(endpointId, (listeners = new Set()));
    const queue = new AsyncQueue<string>(
      MAX_WAITING,
      () => new GraphQLError('The subscriber fell too far behind and was cut off', { extensions: { code: ErrorCode.SlowConsumer } }),
      () => {
        listeners.delete(push);
        if (listeners.size === 0 && this.listeners.get(endpointId) === listeners) this.listeners.delete(endpointId);
      },
    );
    const push = (deliveryId: string) => queue.push(deliveryId);
    listeners.add(push);
    return queue;
  }

  stop(): Promise<void> {
    return this.source.stop();
  }
}
