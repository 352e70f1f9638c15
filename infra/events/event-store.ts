import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DomainEvent, EventFilter, NewEvent } from './event.js';

/** PostgreSQL channel whose notifications tell listeners that events were committed. */
export const EVENTS_CHANNEL = 'interchange_events';

/** Advisory lock key that orders event writers (any 64-bit number unique to this use). */
const APPEND_LOCK = 4_207_711_017;

/**
 * Writes events in the caller's transaction, so that a change and its events commit together.
 * Call it last in the transaction: it holds a lock until commit that serialises event writers,
 * which makes ids commit in increasing order, so a reader that has seen id N has seen every
 * id below N. The notification is delivered on commit and never for a rollback.
 */
export async function appendEvents(trx: Kysely<any>, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(trx);
  // One statement however many events (a bulk import writes thousands at a time), ids in the
  // order given; the notification names the last. The events go as one JSON parameter, written
  // by one native JSON.stringify (arrays of text would be escaped element by element in JS).
  const given = JSON.stringify(events.map((event) => [event.type, event.source, event.subject.typename, event.subject.id, event.data, event.requestId]));
  await sql`
    with inserted as (
      insert into events.events (type, source, subject_type, subject_id, data, request_id)
      select e->>0, e->>1, e->>2, e->>3, e->4, e->>5
      from jsonb_array_elements(${given}::jsonb) with ordinality as given (e, position)
      order by position
      returning id
    )
    select pg_notify(${EVENTS_CHANNEL}, max(id)::text) from inserted`.execute(trx);
}

/**
 * appendEvents for a statement that writes rows and builds their events from them in SQL (a bulk
 * write, whose events would otherwise be read back, built and sent again by the caller). `events`
 * selects the events' columns (type, source, subject_type, subject_id, data, request_id) from
 * what the statement wrote. `ctes` go after the statement's own CTEs: they take appendEvents'
 * lock, after the rows are written and before any event gets its id, and insert the events.
 * `notify`, in the statement's select list, notifies as appendEvents does when there are events.
 */
export function eventsAppendedFrom(events: RawBuilder<unknown>): { ctes: RawBuilder<unknown>; notify: RawBuilder<unknown> } {
  return {
    // An event row needs the lock's row to exist, so the lock is taken before the first nextval.
    ctes: sql`event_lock as (select pg_advisory_xact_lock(${APPEND_LOCK})),
      appended_events as (
        insert into events.events (type, source, subject_type, subject_id, data, request_id)
        select given.* from event_lock, (${events}) as given
        returning id
      )`,
    notify: sql`(select pg_notify(${EVENTS_CHANNEL}, max(id)::text) from appended_events having count(*) > 0)`,
  };
}

interface EventRow {
  id: string;
  type: string;
  source: string;
  subject_type: string;
  subject_id: string;
  occurred_at: Date;
  data: Record<string, unknown>;
  request_id: string | null;
}

function toEvent(row: EventRow): DomainEvent {
  return {
    id: row.id,
    type: row.type,
    source: row.source,
    subject: { typename: row.subject_type, id: row.subject_id },
    occurredAt: row.occurred_at,
    data: row.data,
    requestId: row.request_id,
  };
}

/** Reads and prunes the event store (events.events). */
export class EventStore {
  private readonly db: Kysely<any>;

  /** Rows are read as stored (snake_case), whatever plugins the given instance has. */
  constructor(db: Kysely<any>) {
    this.db = db.withoutPlugins();
  }

  /** Up to `limit` events after `afterId`, in id (= commit) order, optionally filtered. */
  /** `withData: false` leaves each event's data out (an empty object), for a reader that needs only types and subjects. */
  async readAfter(afterId: string, limit: number, filter?: EventFilter, withData = true): Promise<DomainEvent[]> {
    const conditions = [sql`id > ${afterId}::bigint`];
    if (filter) {
      if (filter.subjectType !== undefined) conditions.push(sql`subject_type = ${filter.subjectType}`);
      if (filter.subjectId) conditions.push(sql`subject_id = ${filter.subjectId}`);
      if (filter.types && filter.types.length > 0) conditions.push(sql`type = any(${[...filter.types]}::text[])`);
      if (filter.customerId) conditions.push(sql`data->>'customerId' = ${filter.customerId}`);
    }
    const { rows } = await sql<EventRow>`
      select id, type, source, subject_type, subject_id, occurred_at, ${withData ? sql`data` : sql`'{}'::jsonb as data`}, request_id
      from events.events where ${sql.join(conditions, sql` and `)} order by id limit ${limit}`.execute(this.db);
    return rows.map(toEvent);
  }

  /** The id of the newest event, or '0'. */
  async latestId(): Promise<string> {
    const { rows } = await sql<{ id: string }>`select coalesce(max(id), 0)::text as id from events.events`.execute(this.db);
    return rows[0]!.id;
  }

  /** Events up to this id were removed by retention. */
  async prunedThrough(): Promise<string> {
    const { rows } = await sql<{ id: string }>`select pruned_through::text as id from events.horizon`.execute(this.db);
    return rows[0]?.id ?? '0';
  }

  /** Deletes events that occurred before `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string }>`delete from events.events where occurred_at < ${before} returning id`.execute(trx);
      if (rows.length === 0) return 0;
      const highest = rows.reduce((max, row) => (BigInt(row.id) > max ? BigInt(row.id) : max), 0n);
      await sql`update events.horizon set pruned_through = greatest(pruned_through, ${highest.toString()}::bigint)`.execute(trx);
      return rows.length;
    });
  }
}
