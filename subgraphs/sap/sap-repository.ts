import { sql, type ColumnType, type Generated, type Kysely, type Selectable } from 'kysely';
import { splitWindowTotal, type PageRequest } from '../../infra/db/pagination.js';
import { commitThen } from '../../infra/events/commit-then.js';
import type { NewEvent } from '../../infra/events/event.js';
import { appendEvents } from '../../infra/events/event-store.js';

export type IdocStatus = 'SENT' | 'POSTED' | 'FAILED';
export type InboundIdocStatus = 'RECEIVED' | 'PROCESSED' | 'REJECTED';

interface IdocTable {
  id: Generated<string>;
  system: string;
  docnum: string;
  orderId: string;
  orderNumber: string;
  status: IdocStatus;
  statusCode: string;
  statusText: string | null;
  sentAt: Generated<Date>;
  updatedAt: Generated<Date>;
}

/** What an accepted DEBMAS becomes on the queues domain: a customer_updated message. */
export interface ForwardedMessage {
  queue: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  dedupKey: string;
}

interface InboundIdocTable {
  id: Generated<string>;
  messageType: string | null;
  docnum: string | null;
  status: InboundIdocStatus;
  error: string | null;
  raw: string;
  forward: ColumnType<ForwardedMessage | null, string | null, string | null>;
  attempts: Generated<number>;
  nextAttemptAt: Date | null;
  createdAt: Generated<Date>;
  processedAt: Date | null;
}

/** The sap schema, as Kysely sees it (camelCase; snake_case in SQL). */
export interface SapTables {
  idocs: IdocTable;
  inboundIdocs: InboundIdocTable;
}

export type IdocRow = Selectable<IdocTable>;
export type InboundIdocRow = Selectable<InboundIdocTable>;

export interface NewIdoc {
  system: string;
  docnum: string;
  orderId: string;
  orderNumber: string;
  statusCode: string;
  statusText: string | null;
}

/** An IDoc's status as read back from SAP. */
export interface IdocStatusUpdate {
  id: string;
  status: IdocStatus;
  statusCode: string;
  statusText: string | null;
}

export interface NewInboundIdoc {
  messageType: string | null;
  docnum: string | null;
  status: InboundIdocStatus;
  error: string | null;
  raw: string;
  forward: ForwardedMessage | null;
}

/** The only place with SQL for the sap schema. Changes commit together with their events. */
export class SapRepository {
  constructor(
    private readonly db: Kysely<SapTables>,
    private readonly committed: () => void,
  ) {}

  /** Records a sent IDoc and its `sap.idoc_sent` event. */
  recordSent(idoc: NewIdoc, event: (row: IdocRow) => NewEvent): Promise<IdocRow> {
    return commitThen(this.db, this.committed, async (trx) => {
      const row = await trx
        .insertInto('idocs')
        .values({ ...idoc, status: 'SENT' })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendEvents(trx, [event(row)]);
      return row;
    });
  }

  /** The IDocs of these orders, newest first per order. */
  async idocsByOrders(orderIds: readonly string[]): Promise<IdocRow[]> {
    return this.db.selectFrom('idocs').selectAll().where('orderId', 'in', [...orderIds]).orderBy('sentAt', 'desc').orderBy('id', 'desc').execute();
  }

  /** IDocs still waiting for SAP to post them, oldest first. */
  async openIdocs(limit: number): Promise<IdocRow[]> {
    return this.db.selectFrom('idocs').selectAll().where('status', '=', 'SENT').orderBy('sentAt').limit(limit).execute();
  }

  /**
   * Applies statuses read from SAP with their events, each only if the IDoc is still SENT (a second
   * replica reading the same status changes nothing and emits nothing). Returns the rows changed.
   */
  applyStatuses(updates: readonly IdocStatusUpdate[], event: (row: IdocRow) => NewEvent): Promise<IdocRow[]> {
    if (updates.length === 0) return Promise.resolve([]);
    return commitThen(this.db, this.committed, async (trx) => {
      const changed: IdocRow[] = [];
      for (const update of updates) {
        const row = await trx
          .updateTable('idocs')
          .set({ status: update.status, statusCode: update.statusCode, statusText: update.statusText, updatedAt: sql<Date>`now()` })
          .where('id', '=', update.id)
          .where('status', '=', 'SENT')
          .returningAll()
          .executeTakeFirst();
        if (row) changed.push(row);
      }
      await appendEvents(trx, changed.map(event));
      return changed;
    });
  }

  /** Also keeps a rejected document, for inspection. Events (MATMAS, ORDERS) commit with it. */
  recordInbound(idoc: NewInboundIdoc, events: (row: InboundIdocRow) => NewEvent[]): Promise<InboundIdocRow> {
    return commitThen(this.db, this.committed, async (trx) => {
      const row = await trx
        .insertInto('inboundIdocs')
        .values({
          ...idoc,
          forward: idoc.forward ? JSON.stringify(idoc.forward) : null,
          nextAttemptAt: idoc.status === 'RECEIVED' ? sql<Date>`now()` : null,
          processedAt: idoc.status === 'PROCESSED' ? sql<Date>`now()` : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendEvents(trx, events(row));
      return row;
    });
  }

  /** Accepted documents whose message is due to be forwarded (again), oldest first. */
  async dueForwards(limit: number): Promise<InboundIdocRow[]> {
    return this.db
      .selectFrom('inboundIdocs')
      .selectAll()
      .where('status', '=', 'RECEIVED')
      .where('nextAttemptAt', '<=', sql<Date>`now()`)
      .orderBy('nextAttemptAt')
      .limit(limit)
      .execute();
  }

  /** The document's message is on its queue. */
  async markForwarded(id: string): Promise<void> {
    await this.db
      .updateTable('inboundIdocs')
      .set({ status: 'PROCESSED', error: null, nextAttemptAt: null, processedAt: sql<Date>`now()`, attempts: sql<number>`attempts + 1` })
      .where('id', '=', id)
      .where('status', '=', 'RECEIVED')
      .execute();
  }

  /** Forwarding failed: try again after `retryInSeconds` (the document stays RECEIVED, the reason kept). */
  async markForwardFailed(id: string, error: string, retryInSeconds: number): Promise<void> {
    await this.db
      .updateTable('inboundIdocs')
      .set({ error, attempts: sql<number>`attempts + 1`, nextAttemptAt: sql<Date>`now() + make_interval(secs => ${retryInSeconds})` })
      .where('id', '=', id)
      .where('status', '=', 'RECEIVED')
      .execute();
  }

  /** A page of received documents, newest first; counted with the page when `counted`. */
  async inboundPage(status: InboundIdocStatus | null, page: PageRequest, counted: boolean): Promise<{ rows: InboundIdocRow[]; total?: number }> {
    let query = this.db.selectFrom('inboundIdocs').selectAll();
    if (status) query = query.where('status', '=', status);
    if (page.after) {
      const { createdAt, id } = page.after;
      query = query.where((eb) => eb.or([eb('createdAt', '<', createdAt), eb.and([eb('createdAt', '=', createdAt), eb('id', '<', id)])]));
    }
    const rows = await query
      .$if(counted, (q) => q.select(sql<string>`count(*) over ()`.as('windowTotal')))
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(page.first + 1)
      .execute();
    return splitWindowTotal(rows, counted);
  }

  async countInbound(status: InboundIdocStatus | null): Promise<number> {
    let query = this.db.selectFrom('inboundIdocs').select(sql<string>`count(*)`.as('count'));
    if (status) query = query.where('status', '=', status);
    const { count } = await query.executeTakeFirstOrThrow();
    return Number(count);
  }
}
