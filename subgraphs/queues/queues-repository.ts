import { sql, type ColumnType, type Generated, type Kysely, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import { conflict } from '../../infra/errors.js';
import { isPgError, PgErrorCode } from '../../infra/db/database.js';
import { splitWindowTotal, type PageRequest } from '../../infra/db/pagination.js';
import { appendEvents } from '../../infra/events/event-store.js';
import { commitThen } from '../../infra/events/commit-then.js';
import type { NewEvent } from '../../infra/events/event.js';
import { queueFull, receiptExpired } from './queue-errors.js';
import { QUEUES_CHANNEL } from './queue-signals.js';
import type { Delivery } from './receipts.js';
import type { QueueMetrics } from './queue-metrics.js';

export type QueueKind = 'STANDARD' | 'FIFO' | 'PRIORITY';
export type DeliveryMode = 'AT_LEAST_ONCE' | 'AT_MOST_ONCE' | 'EFFECTIVELY_ONCE';
/** What a message row stores; DELAYED and the outcome of an unapplied visibility timeout are derived when read. */
type StoredState = 'AVAILABLE' | 'IN_FLIGHT' | 'DONE' | 'DEAD';
export type MessageState = 'AVAILABLE' | 'DELAYED' | 'IN_FLIGHT' | 'DONE' | 'DEAD';

type Setting<T> = ColumnType<T, T | undefined, T>;

interface QueueTable {
  id: Generated<string>;
  name: string;
  kind: QueueKind;
  deliveryMode: Setting<DeliveryMode>;
  maxAttempts: Setting<number>;
  backoffSeconds: Setting<number>;
  maxBackoffSeconds: Setting<number>;
  maxSize: Setting<number>;
  messageTtlSeconds: Setting<number>;
  dedupWindowSeconds: Setting<number>;
  createdAt: Generated<Date>;
  updatedAt: ColumnType<Date, never, Date>;
}

export interface MessageError {
  attempt: number;
  error: string;
  /** ISO 8601, UTC. */
  at: string;
}

interface MessageTable {
  id: Generated<string>;
  seq: ColumnType<string, never, never>;
  queueId: string;
  state: StoredState;
  payload: ColumnType<unknown, string, string>;
  headers: ColumnType<unknown, string | null, string | null>;
  priority: number;
  orderingKey: string | null;
  dedupKey: string | null;
  dedupUntil: Date | null;
  attempts: Setting<number>;
  errors: ColumnType<MessageError[], string | undefined, string>;
  receiptNonce: string | null;
  createdAt: Generated<Date>;
  availableAt: Date;
  expiresAt: Date;
  doneAt: Date | null;
}

interface RateTable {
  queueId: string;
  second: Date;
  published: number;
  processed: number;
}

interface TopicTable {
  id: Generated<string>;
  name: string;
  createdAt: Generated<Date>;
}

interface TopicGroupTable {
  topicId: string;
  name: string;
  queueId: string;
  createdAt: Generated<Date>;
}

/** The queues schema, as Kysely sees it (camelCase; snake_case in SQL). */
export interface QueuesTables {
  queues: QueueTable;
  messages: MessageTable;
  rates: RateTable;
  topics: TopicTable;
  topicGroups: TopicGroupTable;
}

export type TopicRow = Selectable<TopicTable>;
export type TopicGroupRow = Selectable<TopicGroupTable>;

export type QueueRow = Selectable<QueueTable>;
export type QueueSettings = Partial<Omit<QueueRow, 'id' | 'name' | 'kind' | 'createdAt' | 'updatedAt'>>;

/** A message as clients see it: `state` is the derived one. */
export interface MessageRow {
  id: string;
  queueId: string;
  state: MessageState;
  payload: unknown;
  headers: unknown;
  priority: number;
  orderingKey: string | null;
  dedupKey: string | null;
  attempts: number;
  errors: MessageError[];
  createdAt: Date;
  availableAt: Date;
  expiresAt: Date;
}

export interface ClaimedMessage {
  message: MessageRow;
  delivery: Delivery;
}

export interface QueueStats {
  depth: number;
  inFlight: number;
  delayed: number;
  failed: number;
  deadLetters: number;
  oldestAgeSeconds: number;
  publishedPerMinute: number;
  processedPerMinute: number;
}

export interface NewMessage {
  payload: unknown;
  headers: Record<string, string> | null;
  priority: number;
  delaySeconds: number;
  dedupKey: string | null;
  orderingKey: string | null;
}

/** How long acked messages, and the rates' per-second rows, are kept at least: see sweep(). */
const SWEEP_EVERY_MS = 10_000;
/** Advisory lock key that lets one replica at a time do maintain()'s rounds (any 64-bit number unique to this use). */
const MAINTENANCE_LOCK = 4_207_711_023;
const SWEEP_BATCH = 10_000;

/** now() as ISO 8601 in UTC with milliseconds, as the errors history stores times. */
const iso = (at: RawBuilder<unknown>) => sql<string>`to_char(${at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The state a reader sees, for a message `m` of queue `q`: an AVAILABLE message not due yet is
 * DELAYED, and an IN_FLIGHT one whose visibility has ended is what the timeout makes it (AVAILABLE,
 * or DEAD after its last attempt) even before a receive applies the timeout to the row.
 */
const effectiveState = sql<MessageState>`(case
  when m.state = 'IN_FLIGHT' and m.available_at <= now() then case when m.attempts >= q.max_attempts then 'DEAD' else 'AVAILABLE' end
  when m.state = 'AVAILABLE' and m.available_at > now() then 'DELAYED'
  else m.state end)`;

/** A waiting message past its TTL: never delivered, never counted or listed, deleted by the sweep. */
const expired = sql<boolean>`(m.expires_at <= now() and ${effectiveState} in ('AVAILABLE', 'DELAYED'))`;

const messageColumns = sql`m.id, m.queue_id, ${effectiveState} as state, m.payload, m.headers, m.priority, m.ordering_key,
  m.dedup_key, m.attempts, m.errors, m.created_at, m.available_at, m.expires_at`;

function queueEvent(type: string, queue: QueueRow, data: Record<string, unknown>, requestId: string | null): NewEvent {
  return { type, source: 'queues', subject: { typename: 'Queue', id: queue.id }, data: { name: queue.name, ...data }, requestId };
}

function deadLetterEvent(queue: Pick<QueueRow, 'name'>, message: { id: string; attempts: number; errors: MessageError[] }, requestId: string | null): NewEvent {
  return {
    type: 'message.dead_lettered',
    source: 'queues',
    subject: { typename: 'QueueMessage', id: message.id },
    data: { queue: queue.name, attempts: message.attempts, lastError: message.errors.at(-1)?.error ?? null },
    requestId,
  };
}

function rethrowConflict(error: unknown, field = 'name'): never {
  if (isPgError(error, PgErrorCode.UniqueViolation) && error.constraint?.includes('name')) {
    throw conflict(`A ${error.table === 'topics' ? 'topic' : 'queue'} with this name exists already`, field);
  }
  throw error;
}

/** The queue of consumer group `group` of `topic`. */
export const groupQueueName = (topic: string, group: string) => `${topic}.${group}`;

function topicEvent(type: string, topic: TopicRow, data: Record<string, unknown>, requestId: string | null): NewEvent {
  return { type, source: 'queues', subject: { typename: 'Topic', id: topic.id }, data: { name: topic.name, ...data }, requestId };
}

const count = (value: unknown) => Number(value ?? 0);

/** The only place with SQL for queues. Claims messages with `for update skip locked`, so consumers never wait on each other. */
export class QueuesRepository {
  /** When each queue was last swept by this process. */
  private readonly swept = new Map<string, number>();

  constructor(
    private readonly db: Kysely<QueuesTables>,
    /** Called after each transaction that wrote events has committed. */
    private readonly afterCommit: () => void = () => {},
    /** The service's message counters; none without metrics. */
    private readonly metrics?: QueueMetrics,
  ) {}

  private write<T>(work: (trx: Transaction<QueuesTables>) => Promise<T>): Promise<T> {
    return commitThen(this.db, this.afterCommit, work);
  }

  list(): Promise<QueueRow[]> {
    return this.db.selectFrom('queues').selectAll().orderBy('name').execute();
  }

  findByNames(names: readonly string[]): Promise<QueueRow[]> {
    return this.db.selectFrom('queues').selectAll().where('name', '=', (eb) => eb.fn.any(eb.val([...names]))).execute();
  }

  /** Every counter of every queue in `ids`, in one statement. */
  async statsOf(ids: readonly string[]): Promise<Map<string, QueueStats>> {
    const { rows } = await sql<Record<keyof QueueStats | 'queueId', unknown>>`
      select q.id as queue_id,
        count(m.id) filter (where ${effectiveState} = 'AVAILABLE' and not ${expired}) as depth,
        count(m.id) filter (where ${effectiveState} = 'IN_FLIGHT') as in_flight,
        count(m.id) filter (where ${effectiveState} = 'DELAYED' and m.attempts = 0 and not ${expired}) as delayed,
        count(m.id) filter (where ${effectiveState} in ('AVAILABLE', 'DELAYED') and m.attempts > 0 and not ${expired}) as failed,
        count(m.id) filter (where ${effectiveState} = 'DEAD') as dead_letters,
        coalesce(floor(extract(epoch from now() - min(m.created_at) filter (where ${effectiveState} in ('AVAILABLE', 'DELAYED', 'IN_FLIGHT') and not ${expired}))), 0) as oldest_age_seconds,
        (select coalesce(sum(r.published), 0) from queues.rates r where r.queue_id = q.id and r.second > now() - interval '60 seconds') as published_per_minute,
        (select coalesce(sum(r.processed), 0) from queues.rates r where r.queue_id = q.id and r.second > now() - interval '60 seconds') as processed_per_minute
      from queues.queues q
      left join queues.messages m on m.queue_id = q.id and m.state <> 'DONE'
      where q.id = any(${[...ids]}::uuid[])
      group by q.id`.execute(this.db);
    return new Map(
      rows.map((row) => [
        row.queueId as string,
        {
          depth: count(row.depth),
          inFlight: count(row.inFlight),
          delayed: count(row.delayed),
          failed: count(row.failed),
          deadLetters: count(row.deadLetters),
          oldestAgeSeconds: count(row.oldestAgeSeconds),
          publishedPerMinute: count(row.publishedPerMinute),
          processedPerMinute: count(row.processedPerMinute),
        },
      ]),
    );
  }

  /**
   * One page of messages for each queue in `queueIds` (newest first), in one statement; with
   * `counted` (a first page whose totalCount is selected) the same statement counts each queue's matches.
   */
  async pages(queueIds: readonly string[], state: MessageState | null, page: PageRequest, counted: boolean): Promise<{ rows: MessageRow[]; totals?: Map<string, number> }> {
    const conditions = [sql`m.queue_id = qid`, sql`not ${expired}`];
    if (state) conditions.push(sql`${effectiveState} = ${state}`);
    if (page.after) conditions.push(sql`(m.created_at, m.id) < (${page.after.createdAt}::timestamptz, ${page.after.id}::uuid)`);
    const { rows } = await sql<MessageRow & { windowTotal?: string }>`
      select p.* from unnest(${[...queueIds]}::uuid[]) as qid
      cross join lateral (
        select ${messageColumns}${counted ? sql`, count(*) over () as window_total` : sql``}
        from queues.messages m join queues.queues q on q.id = m.queue_id
        where ${sql.join(conditions, sql` and `)}
        order by m.created_at desc, m.id desc
        limit ${page.first + 1}
      ) p`.execute(this.db);
    if (!counted) return { rows };
    const totals = new Map<string, number>();
    for (const row of rows) if (row.windowTotal != null) totals.set(row.queueId, Number(row.windowTotal));
    return { rows: splitWindowTotal(rows, true).rows, totals };
  }

  async countMessages(queueId: string, state: MessageState | null): Promise<number> {
    const { rows } = await sql<{ count: string }>`
      select count(*) as count from queues.messages m join queues.queues q on q.id = m.queue_id
      where m.queue_id = ${queueId} and not ${expired} ${state ? sql`and ${effectiveState} = ${state}` : sql``}`.execute(this.db);
    return Number(rows[0]?.count ?? 0);
  }

  async create(values: Pick<QueueRow, 'name' | 'kind'> & QueueSettings, requestId: string | null): Promise<QueueRow> {
    try {
      return await this.write((trx) => this.createInTransaction(trx, values, requestId));
    } catch (error) {
      rethrowConflict(error);
    }
  }

  /** create() in a transaction of the caller's (a webhook endpoint's, with its row); a taken name is a unique violation. */
  async createInTransaction(trx: Transaction<QueuesTables>, values: Pick<QueueRow, 'name' | 'kind'> & QueueSettings, requestId: string | null): Promise<QueueRow> {
    const row = await trx.insertInto('queues').values(values).returningAll().executeTakeFirstOrThrow();
    await appendEvents(trx, [queueEvent('queue.created', row, row, requestId)]);
    return row;
  }

  /** Undefined when no queue has this name. */
  update(name: string, patch: QueueSettings, requestId: string | null): Promise<QueueRow | undefined> {
    return this.write((trx) => this.updateInTransaction(trx, name, patch, requestId));
  }

  /** update() in a transaction of the caller's. */
  async updateInTransaction(trx: Transaction<QueuesTables>, name: string, patch: QueueSettings, requestId: string | null): Promise<QueueRow | undefined> {
    const row = await trx.updateTable('queues').set({ ...patch, updatedAt: new Date() }).where('name', '=', name).returningAll().executeTakeFirst();
    if (row) await appendEvents(trx, [queueEvent('queue.updated', row, { ...patch, updatedAt: row.updatedAt }, requestId)]);
    return row;
  }

  /** Deletes a queue (with its messages) that no topic group owns, in a transaction of the caller's; false when no queue has this name. */
  async deleteInTransaction(trx: Transaction<QueuesTables>, name: string, requestId: string | null): Promise<boolean> {
    const row = await trx.deleteFrom('queues').where('name', '=', name).returningAll().executeTakeFirst();
    if (row) await appendEvents(trx, [queueEvent('queue.deleted', row, {}, requestId)]);
    return !!row;
  }

  /** False when no queue has this name. Its messages go with it (on delete cascade). */
  delete(name: string, requestId: string | null): Promise<boolean> {
    return this.write(async (trx) => {
      const group = await trx
        .selectFrom('topicGroups as g')
        .innerJoin('queues as q', 'q.id', 'g.queueId')
        .innerJoin('topics as t', 't.id', 'g.topicId')
        .select(['t.name as topic', 'g.name as group'])
        .where('q.name', '=', name)
        .executeTakeFirst();
      if (group) throw conflict(`Queue ${name} is consumer group ${group.group} of topic ${group.topic}: remove it with removeConsumerGroup`, 'name');
      try {
        return await this.deleteInTransaction(trx, name, requestId);
      } catch (error) {
        // Only a webhook endpoint's queue is referenced so (queues.webhook_endpoints.queue_id).
        if (isPgError(error, PgErrorCode.ForeignKeyViolation)) throw conflict(`Queue ${name} belongs to a webhook endpoint: delete it with deleteWebhookEndpoint`, 'name');
        throw error;
      }
    });
  }

  /** How many messages were deleted; undefined when no queue has this name. */
  purge(name: string, requestId: string | null): Promise<number | undefined> {
    return this.write(async (trx) => {
      const queue = await this.lockQueue(trx, name);
      if (!queue) return undefined;
      const { numDeletedRows } = await trx.deleteFrom('messages').where('queueId', '=', queue.id).executeTakeFirst();
      const purged = Number(numDeletedRows);
      await appendEvents(trx, [queueEvent('queue.purged', queue, { purged }, requestId)]);
      return purged;
    });
  }

  /**
   * Publishes `messages` in order, all or none. Publishes to one queue are serialised by a lock on
   * its row, so the size check and the dedup window hold under concurrency. A message whose
   * dedupKey was published within the window (or earlier in the same batch) is answered with the
   * first message and adds nothing. Undefined when no queue has this name.
   */
  publish(name: string, messages: readonly NewMessage[], _requestId: string | null): Promise<MessageRow[] | undefined> {
    return this.write((trx) => this.publishInTransaction(trx, name, messages));
  }

  /** publish() in a transaction of the caller's (an event route's, with its cursor). */
  async publishInTransaction(trx: Transaction<QueuesTables>, name: string, messages: readonly NewMessage[]): Promise<MessageRow[] | undefined> {
    const queue = await this.lockQueue(trx, name);
    return queue && this.publishIn(trx, queue, messages);
  }

  /** publish() for a queue whose row `trx` has locked. */
  private async publishIn(trx: Transaction<QueuesTables>, queue: QueueRow, messages: readonly NewMessage[]): Promise<MessageRow[]> {
    const keys = [...new Set(messages.flatMap((message) => (message.dedupKey ? [message.dedupKey] : [])))];
    const existing = new Map<string, MessageRow>();
    if (keys.length > 0) {
      // A key whose window has passed is free again.
      await sql`update queues.messages set dedup_key = null, dedup_until = null
        where queue_id = ${queue.id} and dedup_key = any(${keys}::text[]) and dedup_until <= now()`.execute(trx);
      const { rows } = await sql<MessageRow>`select ${messageColumns} from queues.messages m join queues.queues q on q.id = m.queue_id
        where m.queue_id = ${queue.id} and m.dedup_key = any(${keys}::text[])`.execute(trx);
      for (const row of rows) existing.set(row.dedupKey!, row);
    }
    const fresh: NewMessage[] = [];
    const byInput = new Map<NewMessage, MessageRow>();
    const firstOfKey = new Set<string>();
    for (const message of messages) {
      if (message.dedupKey && (existing.has(message.dedupKey) || firstOfKey.has(message.dedupKey))) continue;
      if (message.dedupKey) firstOfKey.add(message.dedupKey);
      fresh.push(message);
    }
    if (fresh.length > 0) {
      const { rows } = await sql<{ waiting: string }>`select count(*) as waiting from (
          select 1 from queues.messages where queue_id = ${queue.id}
            and (state = 'IN_FLIGHT' or (state = 'AVAILABLE' and expires_at > now()))
          limit ${queue.maxSize}
        ) w`.execute(trx);
      const waiting = Number(rows[0]?.waiting ?? 0);
      if (waiting + fresh.length > queue.maxSize) throw queueFull(queue.name, queue.maxSize, waiting);

      const inserted = await trx
        .insertInto('messages')
        .values(
          fresh.map((message) => ({
            queueId: queue.id,
            state: 'AVAILABLE' as const,
            payload: JSON.stringify(message.payload),
            headers: message.headers ? JSON.stringify(message.headers) : null,
            priority: message.priority,
            orderingKey: message.orderingKey,
            dedupKey: message.dedupKey,
            dedupUntil: message.dedupKey ? sql<Date>`now() + make_interval(secs => ${queue.dedupWindowSeconds})` : null,
            availableAt: sql<Date>`now() + make_interval(secs => ${message.delaySeconds})`,
            expiresAt: sql<Date>`now() + make_interval(secs => ${queue.messageTtlSeconds})`,
          })),
        )
        .returning(['id', 'queueId', 'payload', 'headers', 'priority', 'orderingKey', 'dedupKey', 'attempts', 'errors', 'createdAt', 'availableAt', 'expiresAt'])
        .execute();
      inserted.forEach((row, i) => {
        const message: MessageRow = { ...row, state: fresh[i]!.delaySeconds > 0 ? 'DELAYED' : 'AVAILABLE' };
        if (message.dedupKey) existing.set(message.dedupKey, message);
        byInput.set(fresh[i]!, message);
      });
      await this.count(trx, queue, 'published', fresh.length);
      await this.signal(trx, [queue.id]);
    }
    return messages.map((message) => (message.dedupKey ? existing.get(message.dedupKey)! : byInput.get(message)!));
  }

  /**
   * Claims up to `max` deliverable messages, in the queue's order: hidden until `visibilitySeconds`
   * have passed (AT_LEAST_ONCE) or done at once (AT_MOST_ONCE). First applies the visibility
   * timeouts that have passed (an attempt each; a dead letter after the last) and, at most every
   * few seconds per queue and process, deletes expired and long-acked messages.
   */
  receive(queue: QueueRow, max: number, visibilitySeconds: number, requestId: string | null): Promise<ClaimedMessage[]> {
    return this.write(async (trx) => {
      const dead = await this.applyTimeouts(trx, queue);
      await this.sweep(trx, queue);
      const candidates = await this.claimable(trx, queue, max);
      let received: ClaimedMessage[] = [];
      if (candidates.length > 0) {
        const done = queue.deliveryMode === 'AT_MOST_ONCE';
        const { rows } = await sql<MessageRow & { seq: string; receiptNonce: string }>`
          update queues.messages m set
            state = ${done ? 'DONE' : 'IN_FLIGHT'},
            attempts = m.attempts + 1,
            receipt_nonce = gen_random_uuid(),
            available_at = ${done ? sql`m.available_at` : sql`now() + make_interval(secs => ${visibilitySeconds})`},
            done_at = ${done ? sql`now()` : sql`null`}
          from queues.queues q
          where q.id = m.queue_id and m.id = any(${candidates}::uuid[])
          returning ${messageColumns}, m.seq, m.receipt_nonce`.execute(trx);
        const order = new Map(candidates.map((id, i) => [id, i]));
        rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
        received = rows.map(({ seq: _seq, receiptNonce, ...message }) => ({ message, delivery: { messageId: message.id, attempt: message.attempts, nonce: receiptNonce } }));
        if (done) await this.count(trx, queue, 'processed', rows.length);
      }
      await appendEvents(trx, dead.map((message) => deadLetterEvent(queue, message, requestId)));
      return received;
    });
  }

  /**
   * Marks the deliveries' messages done, all or none: a delivery whose visibility has ended (or
   * that a later delivery replaced) is RECEIPT_EXPIRED and nothing is acked. A delivery acked
   * before (or received from an AT_MOST_ONCE queue) counts as acked.
   */
  ack(deliveries: readonly Delivery[]): Promise<number> {
    return this.write((trx) => this.ackInTransaction(trx, deliveries));
  }

  /** ack() in a transaction of the caller's (a webhook sender's, with its delivery's row). */
  async ackInTransaction(trx: Transaction<QueuesTables>, deliveries: readonly Delivery[]): Promise<number> {
    const rows = await this.lockDeliveries(trx, deliveries);
    const late = deliveries.filter((delivery) => {
      const row = rows.get(delivery.messageId);
      return !row || row.receiptNonce !== delivery.nonce || !(row.state === 'DONE' || (row.state === 'IN_FLIGHT' && row.visible));
    });
    if (late.length > 0) throw receiptExpired(late.map((delivery) => deliveries.indexOf(delivery)));
    const acking = deliveries.filter((delivery) => rows.get(delivery.messageId)!.state === 'IN_FLIGHT').map((delivery) => delivery.messageId);
    if (acking.length > 0) {
      await sql`update queues.messages set state = 'DONE', done_at = now() where id = any(${acking}::uuid[])`.execute(trx);
      const perQueue = new Map<string, { name: string; processed: number }>();
      for (const id of acking) {
        const { queueId, queueName } = rows.get(id)!;
        const counted = perQueue.get(queueId) ?? { name: queueName, processed: 0 };
        counted.processed += 1;
        perQueue.set(queueId, counted);
      }
      for (const [queueId, { name, processed }] of perQueue) await this.count(trx, { id: queueId, name }, 'processed', processed);
      // A FIFO key's next message, and a subscriber's prefetch slot, are free now.
      await this.signal(trx, [...perQueue.keys()]);
    }
    return deliveries.length;
  }

  /**
   * Gives the deliveries' messages back, all or none (RECEIPT_EXPIRED as for ack, a done message
   * included): each records a failed attempt with `error` and is delivered again after
   * `delaySeconds` or its queue's backoff, or becomes a dead letter after its queue's last attempt
   * (at once with `deadLetter`).
   */
  nack(deliveries: readonly Delivery[], delaySeconds: number | null, error: string, requestId: string | null, deadLetter = false): Promise<number> {
    return this.write(async (trx) => {
      await this.nackInTransaction(trx, deliveries, delaySeconds, error, requestId, deadLetter);
      return deliveries.length;
    });
  }

  /** nack() in a transaction of the caller's; answers the ids of the messages that became dead letters. */
  async nackInTransaction(
    trx: Transaction<QueuesTables>,
    deliveries: readonly Delivery[],
    delaySeconds: number | null,
    error: string,
    requestId: string | null,
    deadLetter = false,
  ): Promise<string[]> {
    const rows = await this.lockDeliveries(trx, deliveries);
    const late = deliveries.filter((delivery) => {
      const row = rows.get(delivery.messageId);
      return !row || row.receiptNonce !== delivery.nonce || row.state !== 'IN_FLIGHT' || !row.visible;
    });
    if (late.length > 0) throw receiptExpired(late.map((delivery) => deliveries.indexOf(delivery)));
    return this.giveBack(trx, rows, deliveries, delaySeconds, error, requestId, deadLetter);
  }

  /**
   * What a subscription does with the deliveries it still holds when it ends: those not acked
   * meanwhile (still in flight with their receipt) become available again at once. Delivered
   * ones count a failed attempt with `error`, as a nack; `undelivered` ones (claimed but never
   * sent) do not count at all.
   */
  release(delivered: readonly Delivery[], undelivered: readonly Delivery[], error: string, requestId: string | null): Promise<void> {
    const all = [...delivered, ...undelivered];
    if (all.length === 0) return Promise.resolve();
    return this.write(async (trx) => {
      const rows = await this.lockDeliveries(trx, all);
      const held = (delivery: Delivery) => {
        const row = rows.get(delivery.messageId);
        return !!row && row.receiptNonce === delivery.nonce && row.state === 'IN_FLIGHT';
      };
      await this.giveBack(trx, rows, delivered.filter(held), 0, error, requestId, false);
      const unsent = undelivered.filter(held).map((delivery) => delivery.messageId);
      if (unsent.length > 0) {
        const { rows: queues } = await sql<{ queueId: string }>`
          update queues.messages set state = 'AVAILABLE', attempts = attempts - 1, available_at = now(), receipt_nonce = null
          where id = any(${unsent}::uuid[]) returning queue_id`.execute(trx);
        await this.signal(trx, [...new Set(queues.map((row) => row.queueId))]);
      }
    });
  }

  /** Which of the deliveries are still in flight and visible: received and neither acked, nacked nor timed out. */
  async stillInFlight(deliveries: readonly Delivery[]): Promise<Set<string>> {
    if (deliveries.length === 0) return new Set();
    const { rows } = await sql<{ id: string }>`
      select m.id from queues.messages m
      join unnest(${deliveries.map((delivery) => delivery.messageId)}::uuid[], ${deliveries.map((delivery) => delivery.nonce)}::uuid[]) as d(id, nonce)
        on m.id = d.id and m.receipt_nonce = d.nonce
      where m.state = 'IN_FLIGHT' and m.available_at > now()`.execute(this.db);
    return new Set(rows.map((row) => row.id));
  }

  /** nack's change, for deliveries whose rows `trx` has locked (see lockDeliveries). */
  private async giveBack(
    trx: Transaction<QueuesTables>,
    rows: Awaited<ReturnType<QueuesRepository['lockDeliveries']>>,
    deliveries: readonly Delivery[],
    delaySeconds: number | null,
    error: string,
    requestId: string | null,
    deadLetter: boolean,
  ): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const ids = deliveries.map((delivery) => delivery.messageId);
    const states: StoredState[] = [];
    const delays: number[] = [];
    for (const id of ids) {
      const row = rows.get(id)!;
      const last = deadLetter || row.attempts >= row.maxAttempts;
      states.push(last ? 'DEAD' : 'AVAILABLE');
      delays.push(last ? 0 : (delaySeconds ?? backoffSeconds(row.attempts, row.backoffSeconds, row.maxBackoffSeconds)));
    }
    const { rows: updated } = await sql<{ id: string; attempts: number; errors: MessageError[]; state: StoredState; queueId: string; queueName: string }>`
      update queues.messages m set
        state = d.state,
        available_at = now() + d.delay * interval '1 second',
        errors = m.errors || jsonb_build_array(jsonb_build_object('attempt', m.attempts, 'error', ${error}::text, 'at', ${iso(sql`now()`)})),
        receipt_nonce = null
      from unnest(${ids}::uuid[], ${states}::text[], ${delays}::float8[]) as d(id, state, delay), queues.queues q
      where m.id = d.id and q.id = m.queue_id
      returning m.id, m.attempts, m.errors, m.state, m.queue_id, q.name as queue_name`.execute(trx);
    await this.signal(trx, [...new Set(updated.map((row) => row.queueId))]);
    await appendEvents(
      trx,
      updated.filter((row) => row.state === 'DEAD').map((row) => deadLetterEvent({ name: row.queueName }, row, requestId)),
    );
    return updated.filter((row) => row.state === 'DEAD').map((row) => row.id);
  }

  /**
   * Makes dead letters available again with their attempts reset and a new TTL (their error
   * history stays): those with the given ids, or every one with `ids` null. Undefined when no
   * queue has this name.
   */
  replay(name: string, ids: readonly string[] | null, requestId: string | null): Promise<number | undefined> {
    return this.write(async (trx) => {
      const queue = await this.lockQueue(trx, name);
      if (!queue) return undefined;
      const dead = await this.applyTimeouts(trx, queue);
      const { rows } = await sql<{ id: string }>`
        update queues.messages set state = 'AVAILABLE', attempts = 0, available_at = now(), receipt_nonce = null,
          expires_at = now() + make_interval(secs => ${queue.messageTtlSeconds})
        where queue_id = ${queue.id} and state = 'DEAD' ${ids ? sql`and id = any(${[...ids]}::uuid[])` : sql``}
        returning id`.execute(trx);
      if (rows.length > 0) await this.signal(trx, [queue.id]);
      await appendEvents(trx, [
        ...dead.map((message) => deadLetterEvent(queue, message, requestId)),
        ...(rows.length > 0 ? [queueEvent('queue.dead_letters_replayed', queue, { replayed: rows.length, ids: rows.map((row) => row.id) }, requestId)] : []),
      ]);
      return rows.length;
    });
  }

  listTopics(): Promise<TopicRow[]> {
    return this.db.selectFrom('topics').selectAll().orderBy('name').execute();
  }

  findTopicsByNames(names: readonly string[]): Promise<TopicRow[]> {
    return this.db.selectFrom('topics').selectAll().where('name', '=', (eb) => eb.fn.any(eb.val([...names]))).execute();
  }

  /** The groups of each topic in `topicIds`, by name. */
  groupsOf(topicIds: readonly string[]): Promise<TopicGroupRow[]> {
    return this.db.selectFrom('topicGroups').selectAll().where('topicId', '=', (eb) => eb.fn.any(eb.val([...topicIds]))).orderBy('name').execute();
  }

  findByIds(ids: readonly string[]): Promise<QueueRow[]> {
    return this.db.selectFrom('queues').selectAll().where('id', '=', (eb) => eb.fn.any(eb.val([...ids]))).execute();
  }

  /** The queue of `group` of `topic`; undefined when either is unknown. */
  async groupQueue(topic: string, group: string): Promise<QueueRow | undefined> {
    return this.db
      .selectFrom('topicGroups as g')
      .innerJoin('topics as t', 't.id', 'g.topicId')
      .innerJoin('queues as q', 'q.id', 'g.queueId')
      .selectAll('q')
      .where('t.name', '=', topic)
      .where('g.name', '=', group)
      .executeTakeFirst();
  }

  /** A topic and a queue for each of its groups (`groups[i]` named `groups.<i>` in a conflict), in one transaction. */
  async createTopic(name: string, groups: readonly { name: string; queue: Pick<QueueRow, 'kind'> & QueueSettings }[], requestId: string | null): Promise<TopicRow> {
    try {
      return await this.write(async (trx) => {
        const topic = await trx.insertInto('topics').values({ name }).returningAll().executeTakeFirstOrThrow();
        const events: NewEvent[] = [];
        for (const [index, group] of groups.entries()) await this.addGroupIn(trx, topic, group.name, group.queue, `groups.${index}`, events, requestId);
        await appendEvents(trx, [...events, topicEvent('topic.created', topic, { groups: groups.map((group) => group.name) }, requestId)]);
        return topic;
      });
    } catch (error) {
      rethrowConflict(error);
    }
  }

  /** False when no topic has this name. Its groups' queues (and their messages) go with it. */
  deleteTopic(name: string, requestId: string | null): Promise<boolean> {
    return this.write(async (trx) => {
      const topic = await trx.selectFrom('topics').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
      if (!topic) return false;
      const groups = await trx.selectFrom('topicGroups').select('queueId').where('topicId', '=', topic.id).execute();
      await trx.deleteFrom('topics').where('id', '=', topic.id).execute(); // its groups go with it (on delete cascade)
      if (groups.length > 0) await trx.deleteFrom('queues').where('id', '=', (eb) => eb.fn.any(eb.val(groups.map((group) => group.queueId)))).execute();
      await appendEvents(trx, [topicEvent('topic.deleted', topic, {}, requestId)]);
      return true;
    });
  }

  /** The new group's row; undefined when no topic has this name. */
  async addGroup(topicName: string, group: string, queue: Pick<QueueRow, 'kind'> & QueueSettings, requestId: string | null): Promise<TopicGroupRow | undefined> {
    try {
      return await this.write(async (trx) => {
        const topic = await trx.selectFrom('topics').selectAll().where('name', '=', topicName).forNoKeyUpdate().executeTakeFirst();
        if (!topic) return undefined;
        const events: NewEvent[] = [];
        const row = await this.addGroupIn(trx, topic, group, queue, 'group', events, requestId);
        await appendEvents(trx, [...events, topicEvent('topic.group_added', topic, { group }, requestId)]);
        return row;
      });
    } catch (error) {
      rethrowConflict(error, 'group');
    }
  }

  /** False when the topic has no such group. The group's queue and its messages go with it. */
  removeGroup(topicName: string, group: string, requestId: string | null): Promise<boolean> {
    return this.write(async (trx) => {
      const topic = await trx.selectFrom('topics').selectAll().where('name', '=', topicName).forNoKeyUpdate().executeTakeFirst();
      if (!topic) return false;
      const row = await trx.deleteFrom('topicGroups').where('topicId', '=', topic.id).where('name', '=', group).returningAll().executeTakeFirst();
      if (!row) return false;
      await trx.deleteFrom('queues').where('id', '=', row.queueId).execute();
      await appendEvents(trx, [topicEvent('topic.group_removed', topic, { group }, requestId)]);
      return true;
    });
  }

  /**
   * Publishes `messages` to every group's queue of the topic, all or none, the queues locked in
   * name order. Answers the copies group by group; undefined when no topic has this name.
   */
  publishToTopic(topicName: string, messages: readonly NewMessage[]): Promise<MessageRow[] | undefined> {
    return this.write(async (trx) => {
      const topic = await trx.selectFrom('topics').select('id').where('name', '=', topicName).forKeyShare().executeTakeFirst();
      if (!topic) return undefined;
      const queues = await trx
        .selectFrom('queues as q')
        .innerJoin('topicGroups as g', 'g.queueId', 'q.id')
        .selectAll('q')
        .where('g.topicId', '=', topic.id)
        .orderBy('q.name')
        .forNoKeyUpdate('q')
        .execute();
      const copies: MessageRow[] = [];
      for (const queue of queues) copies.push(...(await this.publishIn(trx, queue, messages)));
      return copies;
    });
  }

  /** Creates the group's queue and row; adds the queue's event to `events` (appended last, by the caller). */
  private async addGroupIn(
    trx: Transaction<QueuesTables>,
    topic: TopicRow,
    group: string,
    queue: Pick<QueueRow, 'kind'> & QueueSettings,
    field: string,
    events: NewEvent[],
    requestId: string | null,
  ): Promise<TopicGroupRow> {
    const existing = await trx.selectFrom('topicGroups').select('name').where('topicId', '=', topic.id).where('name', '=', group).executeTakeFirst();
    if (existing) throw conflict(`Topic ${topic.name} has a group ${group} already`, field);
    const name = groupQueueName(topic.name, group);
    const taken = await trx.selectFrom('queues').select('id').where('name', '=', name).executeTakeFirst();
    if (taken) throw conflict(`A queue named ${name} exists already`, field);
    const row = await trx.insertInto('queues').values({ ...queue, name }).returningAll().executeTakeFirstOrThrow();
    events.push(queueEvent('queue.created', row, row, requestId));
    return trx.insertInto('topicGroups').values({ topicId: topic.id, name: group, queueId: row.id }).returningAll().executeTakeFirstOrThrow();
  }

  /**
   * Housekeeping for queues no consumer is reading: applies passed visibility timeouts (so a
   * message past its last attempt becomes a dead letter, with its event, even on an idle queue)
   * and deletes what the sweep deletes. One replica at a time (an advisory lock); returns how many
   * messages became dead letters.
   */
  async maintain(): Promise<number> {
    return this.write(async (trx) => {
      const { rows: locked } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${MAINTENANCE_LOCK}) as locked`.execute(trx);
      if (!locked[0]?.locked) return 0;
      const { rows: due } = await sql<{ queueId: string }>`
        select q.id as queue_id from queues.queues q
        where exists (select 1 from queues.messages m where m.queue_id = q.id and m.state = 'IN_FLIGHT' and m.available_at <= now())`.execute(trx);
      const queues = await this.findByIds(due.map((row) => row.queueId));
      const events: NewEvent[] = [];
      for (const queue of queues) events.push(...(await this.applyTimeouts(trx, queue)).map((message) => deadLetterEvent(queue, message, null)));
      for (const queue of await trx.selectFrom('queues').selectAll().execute()) await this.sweep(trx, queue);
      await appendEvents(trx, events);
      return events.length;
    });
  }

  private lockQueue(trx: Transaction<QueuesTables>, name: string): Promise<QueueRow | undefined> {
    return trx.selectFrom('queues').selectAll().where('name', '=', name).forNoKeyUpdate().executeTakeFirst();
  }

  /** Locks the deliveries' messages in id order (so two callers never deadlock), with what ack and nack decide on. */
  private async lockDeliveries(trx: Transaction<QueuesTables>, deliveries: readonly Delivery[]) {
    const { rows } = await sql<{
      id: string;
      queueId: string;
      queueName: string;
      state: StoredState;
      receiptNonce: string | null;
      attempts: number;
      visible: boolean;
      maxAttempts: number;
      backoffSeconds: number;
      maxBackoffSeconds: number;
    }>`
      select m.id, m.queue_id, q.name as queue_name, m.state, m.receipt_nonce, m.attempts, m.available_at > now() as visible,
        q.max_attempts, q.backoff_seconds, q.max_backoff_seconds
      from queues.messages m join queues.queues q on q.id = m.queue_id
      where m.id = any(${deliveries.map((delivery) => delivery.messageId)}::uuid[])
      order by m.id
      for update of m`.execute(trx);
    return new Map(rows.map((row) => [row.id, row]));
  }

  /**
   * Applies passed visibility timeouts of `queue`: each counts an attempt (recorded as the error
   * `visibility timeout`) and makes the message available again, or a dead letter after the
   * last attempt. Rows another transaction holds are left to it. Returns the new dead letters.
   */
  private async applyTimeouts(trx: Transaction<QueuesTables>, queue: QueueRow): Promise<{ id: string; attempts: number; errors: MessageError[] }[]> {
    const { rows } = await sql<{ id: string; attempts: number; errors: MessageError[]; state: StoredState }>`
      with due as (
        select id from queues.messages
        where queue_id = ${queue.id} and state = 'IN_FLIGHT' and available_at <= now()
        order by id for update skip locked
      )
      update queues.messages m set
        state = case when m.attempts >= ${queue.maxAttempts} then 'DEAD' else 'AVAILABLE' end,
        errors = m.errors || jsonb_build_array(jsonb_build_object('attempt', m.attempts, 'error', 'visibility timeout', 'at', ${iso(sql`m.available_at`)})),
        receipt_nonce = null
      from due where m.id = due.id
      returning m.id, m.attempts, m.errors, m.state`.execute(trx);
    return rows.filter((row) => row.state === 'DEAD');
  }

  /** The ids to deliver next, locked, in delivery order; rows other consumers hold are skipped. */
  private async claimable(trx: Transaction<QueuesTables>, queue: QueueRow, max: number): Promise<string[]> {
    const kind = queue.kind;
    switch (kind) {
      case 'STANDARD':
      case 'PRIORITY': {
        const { rows } = await sql<{ id: string }>`
          select id from queues.messages
          where queue_id = ${queue.id} and state = 'AVAILABLE' and available_at <= now() and expires_at > now()
          order by ${kind === 'PRIORITY' ? sql`priority desc, seq` : sql`seq`}
          limit ${max}
          for update skip locked`.execute(trx);
        return rows.map((row) => row.id);
      }
      case 'FIFO': {
        // Only the oldest live message of each key may go, and only while no other of its key is
        // in flight. A competing consumer that sees a head already claimed skips it (locked), or,
        // once claimed and committed, finds its key's head IN_FLIGHT and takes nothing of that key.
        const { rows } = await sql<{ id: string }>`
          select m.id from queues.messages m
          where m.id = any(array(
            select h.id from (
              select distinct on (ordering_key) id, state, available_at, seq from queues.messages
              where queue_id = ${queue.id} and (state = 'IN_FLIGHT' or (state = 'AVAILABLE' and expires_at > now()))
              order by ordering_key, seq
            ) h
            where h.state = 'AVAILABLE' and h.available_at <= now()
            order by h.seq
            limit ${max}
          ))
          and m.state = 'AVAILABLE'
          order by m.seq
          for update skip locked`.execute(trx);
        return rows.map((row) => row.id);
      }
      default: {
        const unknown: never = kind;
        throw new Error(`unknown queue kind ${String(unknown)}`);
      }
    }
  }

  /**
   * Deletes what no one will read again: waiting messages past their TTL, acked ones older than
   * the queue's dedup window (which keeps the first message of a dedupKey as long as the key
   * holds) and rate rows older than two minutes. At most every SWEEP_EVERY_MS per queue and process.
   */
  private async sweep(trx: Transaction<QueuesTables>, queue: QueueRow): Promise<void> {
    const now = Date.now();
    if ((this.swept.get(queue.id) ?? 0) > now - SWEEP_EVERY_MS) return;
    this.swept.set(queue.id, now);
    await sql`
      delete from queues.messages where id in (
        select id from queues.messages
        where queue_id = ${queue.id} and (
          (state = 'DONE' and done_at <= now() - make_interval(secs => ${queue.dedupWindowSeconds}))
          or (state = 'AVAILABLE' and expires_at <= now())
        )
        limit ${SWEEP_BATCH} for update skip locked
      )`.execute(trx);
    await sql`delete from queues.rates where queue_id = ${queue.id} and second < now() - interval '2 minutes'`.execute(trx);
  }

  /** Announces, on commit, that these queues may have something deliverable (see QueueSignals). */
  private async signal(trx: Transaction<QueuesTables>, queueIds: readonly string[]): Promise<void> {
    if (queueIds.length > 0) await sql`select pg_notify(${QUEUES_CHANNEL}, id::text) from unnest(${[...queueIds]}::uuid[]) as id`.execute(trx);
  }

  /** Counts messages published to or processed from `queue`: its per-second rate row, and the service's metrics. */
  private async count(trx: Transaction<QueuesTables>, queue: Pick<QueueRow, 'id' | 'name'>, counter: 'published' | 'processed', amount: number): Promise<void> {
    this.metrics?.count(queue.name, counter, amount);
    const queueId = queue.id;
    await trx
      .insertInto('rates')
      .values({ queueId, second: sql<Date>`date_trunc('second', now())`, published: counter === 'published' ? amount : 0, processed: counter === 'processed' ? amount : 0 })
      .onConflict((oc) => oc.columns(['queueId', 'second']).doUpdateSet((eb) => ({ [counter]: eb(`rates.${counter}`, '+', amount) })))
      .execute();
  }
}

/** Exponential backoff with full jitter: a random wait up to min(cap, base × 2^(attempt−1)) seconds. */
export function backoffSeconds(attempt: number, base: number, cap: number): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.random() * ceiling;
}
