import { sql, type ColumnType, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';
import { isPgError, PgErrorCode } from '../../../infra/db/database.js';
import { splitWindowTotal, type PageRequest } from '../../../infra/db/pagination.js';
import { commitThen } from '../../../infra/events/commit-then.js';
import type { NewEvent } from '../../../infra/events/event.js';
import { appendEvents } from '../../../infra/events/event-store.js';
import { conflict } from '../../../infra/errors.js';
import type { NewMessage, QueuesRepository, QueuesTables } from '../queues-repository.js';

export type InboundScheme = 'STANDARD_WEBHOOKS' | 'STRIPE';

interface SourceTable {
  id: Generated<string>;
  name: string;
  scheme: InboundScheme;
  secret: string;
  toleranceSeconds: ColumnType<number, number | undefined, number>;
  queue: string | null;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  createdAt: Generated<Date>;
  updatedAt: ColumnType<Date, never, Date>;
}

interface WebhookTable {
  id: Generated<string>;
  sourceId: string;
  webhookId: string;
  type: string;
  headers: ColumnType<Record<string, string>, string, never>;
  body: ColumnType<Record<string, unknown>, string, never>;
  createdAt: Generated<Date>;
}

interface CountTable {
  sourceId: string;
  outcome: string;
  count: ColumnType<string, number, string>;
}

/** The inbound webhook tables of the queues schema, as Kysely sees them. */
// A type, not an interface: Kysely's withTables needs its implicit index signature.
export type InboundTables = {
  inboundWebhookSources: SourceTable;
  inboundWebhooks: WebhookTable;
  inboundWebhookCounts: CountTable;
};

export type SourceRow = Selectable<SourceTable>;
export type SourceSettings = Partial<Pick<SourceRow, 'secret' | 'toleranceSeconds' | 'queue' | 'enabled'>>;

/** A stored webhook, with its source's name. `createdAt` is when it was received (the page cursor). */
export interface InboundWebhookRow {
  id: string;
  sourceId: string;
  source: string;
  webhookId: string;
  type: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  createdAt: Date;
}

/** What a source's requests came to: ACCEPTED, DUPLICATE, or the code a refusal was answered with. */
export type SourceCounts = ReadonlyMap<string, number>;

/** An accepted webhook, as the HTTP route hands it over. */
export interface NewInboundWebhook {
  webhookId: string;
  type: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** The outcome of storing a webhook: the row (new, or the first of its id), or the route's queue missing. */
export type StoreResult = { stored: 'new' | 'duplicate'; id: string } | { stored: 'no_queue'; queue: string };

export const ACCEPTED = 'ACCEPTED';
export const DUPLICATE = 'DUPLICATE';

/** The hub event an accepted webhook becomes. */
export const inboundEventType = (source: string, type: string) => `inbound.${source}.${type}`;

function sourceEvent(type: string, source: SourceRow, data: Record<string, unknown>, requestId: string | null): NewEvent {
  return { type, source: 'queues', subject: { typename: 'InboundWebhookSource', id: source.id }, data: { name: source.name, ...data }, requestId };
}

/** A source as events show it: never its secret. */
const withoutSecret = ({ secret: _secret, ...rest }: Partial<SourceRow>) => rest;

/** The only place with SQL for inbound webhooks: their sources, the stored webhooks and the counters. */
export class InboundRepository {
  private readonly db: Kysely<QueuesTables & InboundTables>;

  constructor(
    db: Kysely<QueuesTables>,
    /** Publishes an accepted webhook to its source's queue, in the same transaction. */
    private readonly queues: QueuesRepository,
    /** Called after each transaction that wrote events has committed. */
    private readonly afterCommit: () => void,
  ) {
    this.db = db.withTables<InboundTables>();
  }

  /** Stored webhooks received before `before` (a redelivery of one after that is stored again). */
  async prune(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('inboundWebhooks').where('createdAt', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private write<T>(work: (trx: Transaction<QueuesTables & InboundTables>) => Promise<T>): Promise<T> {
    return commitThen(this.db, this.afterCommit, work);
  }

  listSources(): Promise<SourceRow[]> {
    return this.db.selectFrom('inboundWebhookSources').selectAll().orderBy('name').execute();
  }

  findSource(name: string): Promise<SourceRow | undefined> {
    return this.db.selectFrom('inboundWebhookSources').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async createSource(values: Pick<SourceRow, 'name' | 'scheme' | 'secret'> & SourceSettings, requestId: string | null): Promise<SourceRow> {
    try {
      return await this.write(async (trx) => {
        const row = await trx.insertInto('inboundWebhookSources').values(values).returningAll().executeTakeFirstOrThrow();
        await appendEvents(trx, [sourceEvent('inbound_webhook_source.created', row, withoutSecret(row), requestId)]);
        return row;
      });
    } catch (error) {
      if (isPgError(error, PgErrorCode.UniqueViolation)) throw conflict('An inbound webhook source with this name exists already', 'name');
      throw error;
    }
  }

  /** Undefined when no source has this name. */
  updateSource(name: string, patch: SourceSettings, requestId: string | null): Promise<SourceRow | undefined> {
    return this.write(async (trx) => {
      const row = await trx.updateTable('inboundWebhookSources').set({ ...patch, updatedAt: new Date() }).where('name', '=', name).returningAll().executeTakeFirst();
      if (row) await appendEvents(trx, [sourceEvent('inbound_webhook_source.updated', row, { ...withoutSecret(patch), secretChanged: patch.secret !== undefined }, requestId)]);
      return row;
    });
  }

  /** False when no source has this name. Its stored webhooks and counters go with it; its events stay. */
  deleteSource(name: string, requestId: string | null): Promise<boolean> {
    return this.write(async (trx) => {
      const row = await trx.deleteFrom('inboundWebhookSources').where('name', '=', name).returningAll().executeTakeFirst();
      if (row) await appendEvents(trx, [sourceEvent('inbound_webhook_source.deleted', row, {}, requestId)]);
      return !!row;
    });
  }

  /**
   * Stores an accepted webhook, its event and (when the source routes to a queue) its queue
   * message in one transaction, and counts it. A webhook id the source has sent before is a
   * duplicate: it is counted as such, and nothing else changes. Concurrent deliveries of one id
   * wait on the unique index: one stores, the others are duplicates. QUEUE_FULL from the route's
   * queue rolls everything back.
   */
  store(source: SourceRow, webhook: NewInboundWebhook, requestId: string | null): Promise<StoreResult> {
    return this.write(async (trx): Promise<StoreResult> => {
      const inserted = await trx
        .insertInto('inboundWebhooks')
        .values({ sourceId: source.id, webhookId: webhook.webhookId, type: webhook.type, headers: JSON.stringify(webhook.headers), body: JSON.stringify(webhook.body) })
        .onConflict((oc) => oc.columns(['sourceId', 'webhookId']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) {
        const first = await trx.selectFrom('inboundWebhooks').select('id').where('sourceId', '=', source.id).where('webhookId', '=', webhook.webhookId).executeTakeFirstOrThrow();
        await this.countIn(trx, source.id, DUPLICATE);
        return { stored: 'duplicate', id: first.id };
      }
      if (source.queue) {
        const message: NewMessage = {
          payload: webhook.body,
          headers: { type: webhook.type, 'webhook-id': webhook.webhookId, source: source.name },
          priority: 0,
          delaySeconds: 0,
          // Per source: two senders may use the same ids.
          dedupKey: `inbound:${source.name}:${webhook.webhookId}`,
          // On a FIFO queue, a source's webhooks are delivered in the order they arrived.
          orderingKey: `inbound:${source.name}`,
        };
        const published = await this.queues.publishInTransaction(trx as unknown as Transaction<QueuesTables>, source.queue, [message]);
        if (!published) return rollback({ stored: 'no_queue', queue: source.queue });
      }
      await this.countIn(trx, source.id, ACCEPTED);
      await appendEvents(trx, [
        { type: inboundEventType(source.name, webhook.type), source: 'queues', subject: { typename: 'InboundWebhook', id: inserted.id }, data: webhook.body, requestId },
      ]);
      return { stored: 'new', id: inserted.id };
    }).catch((error: unknown) => {
      if (error instanceof Rollback) return error.result;
      throw error;
    });
  }

  /** Counts a refused request of a known source under the code it was answered with. */
  async countRefusal(sourceId: string, code: string): Promise<void> {
    await this.countIn(this.db, sourceId, code);
  }

  /** Each source's counters, in one statement. */
  async countsOf(sourceIds: readonly string[]): Promise<Map<string, Map<string, number>>> {
    const rows = await this.db
      .selectFrom('inboundWebhookCounts')
      .selectAll()
      .where('sourceId', '=', (eb) => eb.fn.any(eb.val([...sourceIds])))
      .orderBy('outcome')
      .execute();
    const counts = new Map<string, Map<string, number>>();
    for (const row of rows) {
      const of = counts.get(row.sourceId) ?? new Map<string, number>();
      of.set(row.outcome, Number(row.count));
      counts.set(row.sourceId, of);
    }
    return counts;
  }

  /** A page of a source's webhooks, newest first; with `counted`, the same statement counts them all. */
  async page(source: SourceRow, page: PageRequest, counted: boolean): Promise<{ rows: InboundWebhookRow[]; total?: number }> {
    const { rows } = await sql<InboundWebhookRow & { windowTotal?: string }>`
      select w.id, w.source_id, ${source.name}::text as source, w.webhook_id, w.type, w.headers, w.body, w.created_at
        ${counted ? sql`, count(*) over () as window_total` : sql``}
      from queues.inbound_webhooks w
      where w.source_id = ${source.id}
        ${page.after ? sql`and (w.created_at, w.id) < (${page.after.createdAt}::timestamptz, ${page.after.id}::uuid)` : sql``}
      order by w.created_at desc, w.id desc
      limit ${page.first + 1}`.execute(this.db);
    return splitWindowTotal(rows, counted);
  }

  async count(sourceId: string): Promise<number> {
    const row = await this.db.selectFrom('inboundWebhooks').select((eb) => eb.fn.countAll<string>().as('count')).where('sourceId', '=', sourceId).executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /** Stored webhooks by id (those that still exist), with their source's name. */
  async findWebhooks(ids: readonly string[]): Promise<InboundWebhookRow[]> {
    return this.db
      .selectFrom('inboundWebhooks as w')
      .innerJoin('inboundWebhookSources as s', 's.id', 'w.sourceId')
      .select(['w.id', 'w.sourceId', 's.name as source', 'w.webhookId', 'w.type', 'w.headers', 'w.body', 'w.createdAt'])
      .where('w.id', '=', (eb) => eb.fn.any(eb.val([...ids])))
      .execute();
  }

  private async countIn(db: Kysely<QueuesTables & InboundTables>, sourceId: string, outcome: string): Promise<void> {
    await db
      .insertInto('inboundWebhookCounts')
      .values({ sourceId, outcome, count: 1 })
      .onConflict((oc) => oc.columns(['sourceId', 'outcome']).doUpdateSet({ count: sql`queues.inbound_webhook_counts.count + 1` }))
      .execute();
  }
}

/** Ends a transaction with a result instead of a commit. */
class Rollback extends Error {
  constructor(readonly result: StoreResult) {
    super('rolled back');
  }
}

function rollback(result: StoreResult): never {
  throw new Rollback(result);
}
