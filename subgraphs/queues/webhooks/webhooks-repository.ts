import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type ColumnType, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';
import { splitWindowTotal, type PageRequest } from '../../../infra/db/pagination.js';
import { commitThen } from '../../../infra/events/commit-then.js';
import { appendEvents } from '../../../infra/events/event-store.js';
import { announceDeliveries } from './delivery-updates.js';
import type { NewEvent } from '../../../infra/events/event.js';
import type { QueuesRepository, QueuesTables } from '../queues-repository.js';
import type { Delivery } from '../receipts.js';

export type WebhookDeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

interface EndpointTable {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  rateLimitPerSecond: number | null;
  maxConcurrency: number;
  retrySchedule: number[];
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  queueId: string;
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
}

interface DeliveryTable {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  payload: ColumnType<WebhookBody, string, string>;
  status: Generated<WebhookDeliveryStatus>;
  attempts: Generated<number>;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Generated<Date>;
}

interface AttemptTable {
  id: Generated<string>;
  deliveryId: string;
  endpointId: string;
  attempt: number;
  at: Generated<Date>;
  statusCode: number | null;
  latencyMs: number | null;
  responseBody: string | null;
  error: string | null;
  nextAttemptAt: Date | null;
}

/** The webhook tables of the queues schema, as Kysely sees them. */
export type WebhookTables = {
  webhookEndpoints: EndpointTable;
  webhookDeliveries: DeliveryTable;
  webhookAttempts: AttemptTable;
};

export type EndpointRow = Selectable<EndpointTable>;
export type DeliveryRow = Selectable<DeliveryTable>;
export type AttemptRow = Selectable<AttemptTable>;

/** The Standard Webhooks body: the event's type, when it occurred, and the event as JSON (eventJson). */
export interface WebhookBody {
  type: string;
  timestamp: string;
  data: unknown;
}

export interface EndpointStats {
  delivered: number;
  failed: number;
  pending: number;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
}

export type EndpointValues = Omit<EndpointRow, 'id' | 'queueId' | 'createdAt' | 'updatedAt' | 'previousSecret' | 'previousSecretExpiresAt' | 'disabledReason' | 'disabledAt' | 'failingSince'>;
export type EndpointPatch = Partial<Pick<EndpointRow, 'url' | 'description' | 'eventTypes' | 'enabled' | 'rateLimitPerSecond' | 'maxConcurrency' | 'retrySchedule'>>;

/** A new delivery of one event to one endpoint. */
export interface NewDelivery {
  endpoint: EndpointRow;
  eventId: string;
  eventType: string;
  body: WebhookBody;
}

/** What one attempt came to, as the sender saw it. */
export interface AttemptResult {
  statusCode: number | null;
  latencyMs: number | null;
  responseBody: string | null;
  error: string | null;
}

/** How the sender settles an attempt: success acks, anything else nacks with the schedule's delay. */
export interface Settlement {
  endpoint: EndpointRow;
  deliveryId: string;
  receipt: Delivery;
  result: AttemptResult;
  success: boolean;
  /** Seconds before the next attempt; ignored when the message is at its last attempt (it becomes a dead letter). */
  retryDelaySeconds: number;
  /** Disable the endpoint whatever its failures (410 Gone), with this reason. */
  disableReason: string | null;
  /** Disable the endpoint when it has failed without a success for this long. */
  disableAfterSeconds: number;
}

/** The queue of an endpoint: one per endpoint, created and deleted with it. */
export const endpointQueueName = (endpointId: string) => `webhook.${endpointId}`;

/** Webhook events are about an endpoint (`subject` WebhookEndpoint): a subscription filters by it, and it never receives its own. */
export function webhookEvent(type: string, endpointId: string, data: Record<string, unknown>, requestId: string | null): NewEvent {
  return { type, source: 'queues', subject: { typename: 'WebhookEndpoint', id: endpointId }, data: { endpointId, ...data }, requestId };
}

/** What an endpoint's events say about it: never its secrets. */
function publicFields(endpoint: EndpointRow): Record<string, unknown> {
  const { url, description, eventTypes, enabled, rateLimitPerSecond, maxConcurrency, retrySchedule } = endpoint;
  return { url, description, eventTypes, enabled, rateLimitPerSecond, maxConcurrency, retrySchedule };
}

const count = (value: unknown) => Number(value ?? 0);

let lastMs = 0;
let sequence = 0;

/**
 * A UUIDv7 (RFC 9562: milliseconds, then a 12-bit sequence, then random bits), increasing within
 * this process: the deliveries of one batch share created_at, and their ids keep them in event
 * order, for the newest-first list and its cursor.
 */
function orderedUuid(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    sequence += 1;
    if (sequence > 0xfff) {
      lastMs += 1;
      sequence = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    sequence = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The only place with SQL for webhooks. Endpoint queues, and the messages that carry deliveries,
 * are written through the QueuesRepository in the same transactions.
 */
export class WebhooksRepository {
  private readonly db: Kysely<QueuesTables & WebhookTables>;

  constructor(
    db: Kysely<QueuesTables>,
    private readonly queues: QueuesRepository,
    /** Called after each transaction that wrote events has committed. */
    private readonly afterCommit: () => void,
  ) {
    this.db = db.withTables<WebhookTables>();
  }

  /** Settled deliveries (DELIVERED, FAILED) created before `before`, with their attempts; pending ones stay. */
  async pruneDeliveries(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('webhookDeliveries').where('status', '<>', 'PENDING').where('createdAt', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private write<T>(work: (trx: Transaction<QueuesTables & WebhookTables>) => Promise<T>): Promise<T> {
    return commitThen(this.db, this.afterCommit, work);
  }

  /** The transaction as the queues repository types it (the same connection and schema). */
  private static asQueues(trx: Transaction<QueuesTables & WebhookTables>): Transaction<QueuesTables> {
    return trx as unknown as Transaction<QueuesTables>;
  }

  listEndpoints(): Promise<EndpointRow[]> {
    return this.db.selectFrom('webhookEndpoints').selectAll().orderBy('createdAt').orderBy('id').execute();
  }

  endpointsByIds(ids: readonly string[]): Promise<EndpointRow[]> {
    return this.db.selectFrom('webhookEndpoints').selectAll().where('id', '=', (eb) => eb.fn.any(eb.val([...ids]))).execute();
  }

  /** The endpoint and its queue, in one transaction; the event never carries the secret. */
  createEndpoint(values: EndpointValues, requestId: string | null): Promise<EndpointRow> {
    return this.write(async (trx) => {
      const id = randomUUID();
      const queue = await this.queues.createInTransaction(
        WebhooksRepository.asQueues(trx),
        // A message waits up to 14 days (the longest TTL), also while its endpoint is disabled.
        { name: endpointQueueName(id), kind: 'STANDARD', maxAttempts: values.retrySchedule.length + 1, maxSize: 10_000_000, messageTtlSeconds: 1_209_600 },
        requestId,
      );
      const row = await trx.insertInto('webhookEndpoints').values({ ...values, id, queueId: queue.id }).returningAll().executeTakeFirstOrThrow();
      await appendEvents(trx, [webhookEvent('webhook.endpoint_created', id, publicFields(row), requestId)]);
      return row;
    });
  }

  /** Undefined when there is no such endpoint. Enabling clears the reason it was disabled and its failure streak. */
  updateEndpoint(id: string, patch: EndpointPatch, requestId: string | null): Promise<EndpointRow | undefined> {
    return this.write(async (trx) => {
      const before = await trx.selectFrom('webhookEndpoints').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!before) return undefined;
      const enabling = patch.enabled === true && !before.enabled;
      const row = await trx
        .updateTable('webhookEndpoints')
        .set({ ...patch, updatedAt: sql<Date>`now()`, ...(enabling ? { disabledReason: null, disabledAt: null, failingSince: null } : {}) })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (patch.retrySchedule && patch.retrySchedule.length !== before.retrySchedule.length) {
        await this.queues.updateInTransaction(WebhooksRepository.asQueues(trx), endpointQueueName(id), { maxAttempts: patch.retrySchedule.length + 1 }, requestId);
      }
      await appendEvents(trx, [webhookEvent('webhook.endpoint_updated', id, publicFields(row), requestId)]);
      return row;
    });
  }

  /** The new secret signs from now on; the previous one beside it for `overlapSeconds`. Undefined when there is no such endpoint. */
  rotateSecret(id: string, secret: string, overlapSeconds: number, requestId: string | null): Promise<EndpointRow | undefined> {
    return this.write(async (trx) => {
      const row = await trx
        .updateTable('webhookEndpoints')
        .set((eb) => ({
          previousSecret: eb.ref('secret'),
          previousSecretExpiresAt: sql<Date>`now() + make_interval(secs => ${overlapSeconds})`,
          secret,
          updatedAt: sql<Date>`now()`,
        }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (row) await appendEvents(trx, [webhookEvent('webhook.secret_rotated', id, { previousSecretExpiresAt: row.previousSecretExpiresAt }, requestId)]);
      return row;
    });
  }

  /** False when there is no such endpoint. Its deliveries, attempts, queue and messages go with it. */
  deleteEndpoint(id: string, requestId: string | null): Promise<boolean> {
    return this.write(async (trx) => {
      const row = await trx.deleteFrom('webhookEndpoints').where('id', '=', id).returningAll().executeTakeFirst();
      if (!row) return false;
      await this.queues.deleteInTransaction(WebhooksRepository.asQueues(trx), endpointQueueName(id), requestId);
      await appendEvents(trx, [webhookEvent('webhook.endpoint_deleted', id, { url: row.url }, requestId)]);
      return true;
    });
  }

  /** The enabled endpoints, as the delivery consumer reads them in its transaction. */
  enabledEndpoints(trx: Transaction<QueuesTables>): Promise<EndpointRow[]> {
    return (trx as unknown as Transaction<QueuesTables & WebhookTables>).selectFrom('webhookEndpoints').selectAll().where('enabled', '=', true).orderBy('id').execute();
  }

  /**
   * Creates the deliveries and their messages in `trx` (the delivery consumer's, with its
   * cursor), endpoint by endpoint. A delivery that exists already (same event and endpoint) is not
   * created or sent again. An endpoint deleted meanwhile fails the batch, which is then retried
   * without it.
   */
  async createDeliveries(trx: Transaction<QueuesTables>, deliveries: readonly NewDelivery[]): Promise<number> {
    const byEndpoint = new Map<string, NewDelivery[]>();
    for (const delivery of deliveries) byEndpoint.set(delivery.endpoint.id, [...(byEndpoint.get(delivery.endpoint.id) ?? []), delivery]);
    const webhooks = trx as unknown as Transaction<QueuesTables & WebhookTables>;
    let created = 0;
    for (const [endpointId, list] of [...byEndpoint].sort(([a], [b]) => a.localeCompare(b))) {
      const rows = list.map((delivery) => ({ id: orderedUuid(), endpointId, eventId: delivery.eventId, eventType: delivery.eventType, payload: JSON.stringify(delivery.body) }));
      const inserted = new Set(
        (await webhooks.insertInto('webhookDeliveries').values(rows).onConflict((oc) => oc.columns(['endpointId', 'eventId']).doNothing()).returning('id').execute()).map((row) => row.id),
      );
      const messages = rows.flatMap((row, index) => (inserted.has(row.id) ? [deliveryMessage(row.id, list[index]!.body)] : []));
      if (messages.length === 0) continue;
      const published = await this.queues.publishInTransaction(trx, endpointQueueName(endpointId), messages);
      if (!published) throw new Error(`the queue of webhook endpoint ${endpointId} does not exist`);
      created += messages.length;
    }
    return created;
  }

  /** Every counter of each endpoint in `ids`, in one statement. */
  async statsOf(ids: readonly string[]): Promise<Map<string, EndpointStats>> {
    const { rows } = await sql<{ endpointId: string; delivered: string; failed: string; pending: string; lastSuccessAt: Date | null; lastFailureAt: Date | null }>`
      select e.id as endpoint_id,
        count(d.id) filter (where d.status = 'DELIVERED') as delivered,
        count(d.id) filter (where d.status = 'FAILED') as failed,
        count(d.id) filter (where d.status = 'PENDING') as pending,
        (select max(a.at) from queues.webhook_attempts a where a.endpoint_id = e.id and a.status_code between 200 and 299) as last_success_at,
        (select max(a.at) from queues.webhook_attempts a where a.endpoint_id = e.id and (a.status_code is null or a.status_code not between 200 and 299)) as last_failure_at
      from unnest(${[...ids]}::uuid[]) as e(id)
      left join queues.webhook_deliveries d on d.endpoint_id = e.id
      group by e.id`.execute(this.db);
    return new Map(
      rows.map((row) => [
        row.endpointId,
        { delivered: count(row.delivered), failed: count(row.failed), pending: count(row.pending), lastSuccessAt: row.lastSuccessAt, lastFailureAt: row.lastFailureAt },
      ]),
    );
  }

  /** A page of an endpoint's deliveries, newest first; with `counted`, the same statement counts the matches. */
  async deliveriesPage(endpointId: string, status: WebhookDeliveryStatus | null, page: PageRequest, counted: boolean): Promise<{ rows: DeliveryRow[]; total?: number }> {
    let query = this.db
      .selectFrom('webhookDeliveries')
      .selectAll()
      .where('endpointId', '=', endpointId)
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(page.first + 1);
    if (status) query = query.where('status', '=', status);
    if (page.after) query = query.where(sql<boolean>`(created_at, id) < (${page.after.createdAt}::timestamptz, ${page.after.id}::uuid)`);
    if (!counted) return { rows: await query.execute() };
    const rows = await query.select(sql<string>`count(*) over ()`.as('windowTotal')).execute();
    return splitWindowTotal(rows, true);
  }

  async countDeliveries(endpointId: string, status: WebhookDeliveryStatus | null): Promise<number> {
    let query = this.db.selectFrom('webhookDeliveries').select((eb) => eb.fn.countAll<string>().as('count')).where('endpointId', '=', endpointId);
    if (status) query = query.where('status', '=', status);
    return Number((await query.executeTakeFirst())?.count ?? 0);
  }

  deliveriesByIds(ids: readonly string[]): Promise<DeliveryRow[]> {
    return this.db.selectFrom('webhookDeliveries').selectAll().where('id', '=', (eb) => eb.fn.any(eb.val([...ids]))).execute();
  }

  /** Every attempt of each delivery in `ids`, oldest first. */
  attemptsOf(deliveryIds: readonly string[]): Promise<AttemptRow[]> {
    return this.db.selectFrom('webhookAttempts').selectAll().where('deliveryId', '=', (eb) => eb.fn.any(eb.val([...deliveryIds]))).orderBy('attempt').execute();
  }

  /** The ids of an endpoint's deliveries created in [since, until), oldest first. */
  async deliveryIdsBetween(endpointId: string, since: Date, until: Date): Promise<string[]> {
    const rows = await this.db
      .selectFrom('webhookDeliveries')
      .select('id')
      .where('endpointId', '=', endpointId)
      .where('createdAt', '>=', since)
      .where('createdAt', '<', until)
      .orderBy('createdAt')
      .orderBy('eventId')
      .execute();
    return rows.map((row) => row.id);
  }

  /**
   * Sends the deliveries again, in the order given: a new message each in its endpoint's queue
   * (with the same webhook-id), the delivery PENDING again. Answers how many.
   */
  replay(ids: readonly string[], requestId: string | null): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return this.write(async (trx) => {
      const rows = await trx
        .updateTable('webhookDeliveries')
        .set({ status: 'PENDING', nextAttemptAt: sql<Date>`now()` })
        .where('id', '=', (eb) => eb.fn.any(eb.val([...ids])))
        .returningAll()
        .execute();
      const byId = new Map(rows.map((row) => [row.id, row]));
      const ordered = ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
      const byEndpoint = new Map<string, DeliveryRow[]>();
      for (const row of ordered) byEndpoint.set(row.endpointId, [...(byEndpoint.get(row.endpointId) ?? []), row]);
      for (const [endpointId, list] of byEndpoint) {
        await this.queues.publishInTransaction(WebhooksRepository.asQueues(trx), endpointQueueName(endpointId), list.map((row) => deliveryMessage(row.id, row.payload)));
      }
      await announceDeliveries(trx, ordered);
      await appendEvents(
        trx,
        [...byEndpoint].map(([endpointId, list]) => webhookEvent('webhook.deliveries_replayed', endpointId, { deliveryIds: list.map((row) => row.id) }, requestId)),
      );
      return ordered.length;
    });
  }

  /**
   * Records an attempt and settles its message in one transaction: an ack and DELIVERED, or a nack
   * with the delay (a dead letter, FAILED and `webhook.delivery_failed` after the queue's last
   * attempt). A failure starts or continues the endpoint's failure streak, which a success ends;
   * a streak longer than `disableAfterSeconds`, or a `disableReason`, disables the endpoint
   * (`webhook.endpoint_disabled`). Every outcome is announced to webhookDeliveryUpdated.
   * Several attempts (one endpoint's, in the order given) settle in one transaction: fewer commits
   * when deliveries flow fast. Answers each attempt's error by index (none for those settled).
   */
  async settle(settlements: readonly Settlement[]): Promise<unknown[]> {
    if (settlements.length === 0) return [];
    return this.write(async (trx) => {
      const events: NewEvent[] = [];
      const settled: DeliveryRow[] = [];
      const errors: unknown[] = [];
      // The common case first: the successes of the batch in a few statements. Should one of their
      // receipts have expired, they are settled one by one below instead.
      const successes = settlements.filter((settlement) => settlement.success);
      let delivered = false;
      if (successes.length > 1) {
        await sql`savepoint settle_delivered`.execute(trx);
        try {
          settled.push(...(await this.settleDelivered(trx, successes)));
          await sql`release savepoint settle_delivered`.execute(trx);
          delivered = true;
        } catch {
          await sql`rollback to savepoint settle_delivered`.execute(trx);
        }
      }
      for (const [index, settlement] of settlements.entries()) {
        if (delivered && settlement.success) continue;
        // One attempt that cannot settle (its receipt expired meanwhile) leaves the others settled.
        await sql`savepoint settle_attempt`.execute(trx);
        try {
          const own: NewEvent[] = [];
          const delivery = await this.settleOne(trx, settlement, own);
          await sql`release savepoint settle_attempt`.execute(trx);
          events.push(...own);
          if (delivery) settled.push(delivery);
        } catch (error) {
          await sql`rollback to savepoint settle_attempt`.execute(trx);
          errors[index] = error;
        }
      }
      await announceDeliveries(trx, settled);
      await appendEvents(trx, events);
      return errors;
    });
  }

  /** Successful attempts of one endpoint or several, set-based: one ack, one update of the deliveries, one insert of the attempts. */
  private async settleDelivered(trx: Transaction<QueuesTables & WebhookTables>, successes: readonly Settlement[]): Promise<DeliveryRow[]> {
    await this.queues.ackInTransaction(WebhooksRepository.asQueues(trx), successes.map((settlement) => settlement.receipt));
    const ids = successes.map((settlement) => settlement.deliveryId);
    const rows = await trx
      .updateTable('webhookDeliveries')
      .set((eb) => ({ status: 'DELIVERED', attempts: eb('attempts', '+', 1), lastAttemptAt: sql<Date>`now()`, deliveredAt: sql<Date>`now()`, nextAttemptAt: null }))
      .where('id', '=', (eb) => eb.fn.any(eb.val(ids)))
      .returningAll()
      .execute();
    const endpointIds = [...new Set(successes.map((settlement) => settlement.endpoint.id))];
    await trx.updateTable('webhookEndpoints').set({ failingSince: null }).where('id', '=', (eb) => eb.fn.any(eb.val(endpointIds))).where('failingSince', 'is not', null).execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    const attempts = successes.flatMap((settlement) => {
      const row = byId.get(settlement.deliveryId);
      return row ? [{ deliveryId: row.id, endpointId: row.endpointId, attempt: row.attempts, ...settlement.result, nextAttemptAt: null }] : [];
    });
    if (attempts.length > 0) await trx.insertInto('webhookAttempts').values(attempts).execute();
    return rows;
  }

  /** One attempt's part of settle(), adding its events to `events`. */
  private async settleOne(trx: Transaction<QueuesTables & WebhookTables>, settlement: Settlement, events: NewEvent[]): Promise<DeliveryRow | undefined> {
    const { endpoint, deliveryId, receipt, result, success } = settlement;
    const queuesTrx = WebhooksRepository.asQueues(trx);
    let delivery: DeliveryRow | undefined;
    if (success) {
      await this.queues.ackInTransaction(queuesTrx, [receipt]);
      delivery = await trx
        .updateTable('webhookDeliveries')
        .set((eb) => ({ status: 'DELIVERED', attempts: eb('attempts', '+', 1), lastAttemptAt: sql<Date>`now()`, deliveredAt: sql<Date>`now()`, nextAttemptAt: null }))
        .where('id', '=', deliveryId)
        .returningAll()
        .executeTakeFirst();
      await trx.updateTable('webhookEndpoints').set({ failingSince: null }).where('id', '=', endpoint.id).where('failingSince', 'is not', null).execute();
    } else {
      const error = result.error ?? `HTTP ${result.statusCode}`;
      const dead = (await this.queues.nackInTransaction(queuesTrx, [receipt], settlement.retryDelaySeconds, error, null)).length > 0;
      const next = dead ? null : sql<Date>`now() + make_interval(secs => ${settlement.retryDelaySeconds})`;
      delivery = await trx
        .updateTable('webhookDeliveries')
        .set((eb) => ({ status: dead ? 'FAILED' : 'PENDING', attempts: eb('attempts', '+', 1), lastAttemptAt: sql<Date>`now()`, nextAttemptAt: next }))
        .where('id', '=', deliveryId)
        .returningAll()
        .executeTakeFirst();
      if (dead && delivery) {
        events.push(
          webhookEvent('webhook.delivery_failed', endpoint.id, { deliveryId, eventId: delivery.eventId, eventType: delivery.eventType, attempts: delivery.attempts, lastError: error, url: endpoint.url }, null),
        );
      }
      const streak = await sql<{ enabled: boolean; tooLong: boolean; failingSince: Date }>`
        update queues.webhook_endpoints set failing_since = coalesce(failing_since, now()) where id = ${endpoint.id}
        returning enabled, failing_since, now() - failing_since >= make_interval(secs => ${settlement.disableAfterSeconds}) as too_long`.execute(trx);
      const state = streak.rows[0];
      const reason =
        settlement.disableReason ??
        (state?.tooLong ? `every attempt failed since ${state.failingSince.toISOString()} (WEBHOOK_DISABLE_AFTER_SECONDS=${settlement.disableAfterSeconds})` : null);
      if (state?.enabled && reason) {
        await trx.updateTable('webhookEndpoints').set({ enabled: false, disabledReason: reason, disabledAt: sql<Date>`now()`, updatedAt: sql<Date>`now()` }).where('id', '=', endpoint.id).execute();
        events.push(webhookEvent('webhook.endpoint_disabled', endpoint.id, { reason, url: endpoint.url }, null));
      }
    }
    if (!delivery) return undefined;
    await trx
      .insertInto('webhookAttempts')
      .values({ deliveryId, endpointId: endpoint.id, attempt: delivery.attempts, ...result, nextAttemptAt: success ? null : delivery.nextAttemptAt })
      .execute();
    return delivery;
  }

  /** Dead-letters a message of an endpoint's queue that is not a delivery (published there by hand). */
  async rejectMessage(receipt: Delivery, error: string): Promise<void> {
    await this.queues.nack([receipt], null, error, null, true);
  }
}

/** A delivery as a queue message: the body as payload, the delivery's id as webhook-id header. */
function deliveryMessage(deliveryId: string, body: WebhookBody) {
  return { payload: body, headers: { 'webhook-id': deliveryId, type: body.type }, priority: 0, delaySeconds: 0, dedupKey: null, orderingKey: null };
}

