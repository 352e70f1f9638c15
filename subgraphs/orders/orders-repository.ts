import { sql, type ColumnType, type ExpressionBuilder, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';
import { CompiledQueries } from '../../infra/db/compiled-queries.js';
import { keysetPages, splitWindowTotal, type CursorPosition, type PageRequest } from '../../infra/db/pagination.js';
import { isUuid } from '../../infra/ids.js';
import { appendEvents } from '../../infra/events/event-store.js';
import { commitThen } from '../../infra/events/commit-then.js';
import { claimIdempotencyKey, recordIdempotentResult, type IdempotencyTables, type IdempotentCall } from '../../infra/db/idempotency.js';
import type { OrderStatus } from './order-lifecycle.js';

interface OrderTable {
  id: Generated<string>;
  number: Generated<string>;
  customerId: string;
  status: ColumnType<OrderStatus, OrderStatus | undefined, OrderStatus>;
  currency: string;
  /** NUMERIC: pg hands it over as a string, so no float ever touches it. */
  total: ColumnType<string, string | undefined, string>;
  cancelReason: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: Generated<Date>;
  updatedAt: ColumnType<Date, never, Date>;
}

interface OrderLineTable {
  orderId: string;
  lineNo: number;
  sku: string;
  description: string | null;
  quantity: number;
  unitPrice: string;
  lineTotal: ColumnType<string, never, never>;
}

/** The orders schema, as Kysely sees it (camelCase; snake_case in SQL). */
export interface OrdersTables extends IdempotencyTables {
  orders: OrderTable;
  orderLines: OrderLineTable;
}

export type OrderRow = Selectable<OrderTable>;
export type OrderLineRow = Selectable<OrderLineTable>;
/** A customer as the orders subgraph knows it: only the key. */
export interface CustomerRef {
  id: string;
}

export interface OrderFilter {
  status?: OrderStatus | null;
  customerId?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

/** An order with its lines, in line order, as an export writes it. */
export interface OrderWithLines {
  order: OrderRow;
  lines: OrderLineRow[];
}

export interface NewOrder {
  customerId: string;
  currency: string;
  idempotencyKey: string | null;
  requestHash: string | null;
  lines: { sku: string; description: string | null; quantity: number; unitPrice: string }[];
}

export type StatusDecision = { status: OrderStatus; cancelReason?: string | null };

type OrdersBuilder = ExpressionBuilder<OrdersTables, 'orders'>;

function orderEvent(type: string, row: OrderRow, data: Record<string, unknown>, requestId: string | null) {
  return { type, source: 'orders', subject: { typename: 'Order', id: row.id }, data, requestId };
}

/** The only place with SQL for orders. */
export class OrdersRepository {
  /** The reads every request makes, compiled once per shape. */
  private readonly compiled: CompiledQueries<OrdersTables>;

  constructor(
    private readonly db: Kysely<OrdersTables>,
    /** Called after each transaction that wrote events has committed. */
    private readonly afterCommit: () => void = () => {},
  ) {
    this.compiled = new CompiledQueries(db);
  }

  private write<T>(work: (trx: Transaction<OrdersTables>) => Promise<T>): Promise<T> {
    return commitThen(this.db, this.afterCommit, work);
  }

  async findByIds(ids: readonly string[]): Promise<OrderRow[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.compiled.rows('findByIds', { ids: valid }, ({ ids }) => this.db.selectFrom('orders').selectAll().where('id', '=', (eb) => eb.fn.any(eb.val(ids))));
  }

  async linesOf(orderIds: readonly string[]): Promise<OrderLineRow[]> {
    return this.compiled.rows('linesOf', { ids: [...orderIds] }, ({ ids }) =>
      this.db.selectFrom('orderLines').selectAll().where('orderId', '=', (eb) => eb.fn.any(eb.val(ids))).orderBy('orderId').orderBy('lineNo'),
    );
  }

  /** One page; with `count` (a first page only, see countsWithPage) the same statement counts every match. */
  async list(filter: OrderFilter, page: PageRequest, count = false): Promise<{ rows: OrderRow[]; total?: number }> {
    if (filter.customerId && !isUuid(filter.customerId)) return splitWindowTotal([], count);
    return splitWindowTotal(
      await this.db
        .selectFrom('orders')
        .selectAll()
        .$if(count, (qb) => qb.select(sql<string>`count(*) over ()`.as('windowTotal')))
        .where((eb) => eb.and([this.matches(eb, filter), this.after(eb, page.after)]))
        .orderBy('createdAt', 'desc')
        .orderBy('id', 'desc')
        .limit(page.first + 1)
        .execute(),
      count,
    );
  }

  /**
   * Every order `filter` matches, newest first, with its lines: per page, the list's statement
   * and one for the page's lines (see keysetPages).
   */
  async *exportPages(filter: OrderFilter, pageSize?: number): AsyncGenerator<OrderWithLines[]> {
    for await (const orders of keysetPages(async (page) => (await this.list(filter, page)).rows, pageSize)) {
      const lines = new Map<string, OrderLineRow[]>(orders.map((order) => [order.id, []]));
      for (const line of await this.linesOf(orders.map((order) => order.id))) lines.get(line.orderId)?.push(line);
      yield orders.map((order) => ({ order, lines: lines.get(order.id)! }));
    }
  }

  async count(filter: OrderFilter): Promise<number> {
    if (filter.customerId && !isUuid(filter.customerId)) return 0;
    const { count } = await this.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where((eb) => this.matches(eb, filter))
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  /**
   * One page of orders for each of many customers, in one statement. On a first page the same
   * statement counts each customer's matching orders (it ranks them all anyway): `totals`.
   */
  async pageForCustomers(customerIds: readonly string[], status: OrderStatus | null, page: PageRequest): Promise<{ rows: OrderRow[]; totals?: Map<string, number> }> {
    const valid = customerIds.filter(isUuid);
    const counted = !page.after;
    if (valid.length === 0) return { rows: [], totals: counted ? new Map() : undefined };
    const values = { ids: valid, limit: page.first + 1, ...(status ? { status } : {}), ...(page.after ? { afterCreatedAt: page.after.createdAt, afterId: page.after.id } : {}) };
    const rows = await this.compiled.rows(`pageForCustomers:${status ? 'status' : ''}:${counted ? '' : 'after'}`, values, (v) => {
      const ranked = this.db
        .selectFrom('orders')
        .selectAll()
        .select(sql<number>`row_number() over (partition by customer_id order by created_at desc, id desc)`.as('rank'))
        .$if(counted, (qb) => qb.select(sql<string>`count(*) over (partition by customer_id)`.as('windowTotal')))
        .where((eb) =>
          eb.and([
            eb('customerId', '=', eb.fn.any(eb.val(v.ids))),
            this.matches(eb, { status: v.status }),
            this.after(eb, v.afterCreatedAt && v.afterId ? { createdAt: v.afterCreatedAt, id: v.afterId } : null),
          ]),
        );
      return this.db.selectFrom(ranked.as('ranked')).selectAll().where('rank', '<=', v.limit).orderBy('customerId').orderBy('rank');
    });
    const totals = counted ? new Map<string, number>() : undefined;
    const plain = rows.map(({ rank: _rank, windowTotal, ...row }: typeof rows[number] & { windowTotal?: string }) => {
      if (windowTotal !== undefined) totals!.set(row.customerId, Number(windowTotal));
      return row;
    });
    return { rows: plain, totals };
  }

  /** Order counts for many customers, in one statement. */
  async countForCustomers(customerIds: readonly string[], status: OrderStatus | null): Promise<Map<string, number>> {
    const valid = customerIds.filter(isUuid);
    if (valid.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('orders')
      .select((eb) => ['customerId', eb.fn.countAll<string>().as('count')])
      .where((eb) => eb.and([eb('customerId', '=', eb.fn.any(eb.val(valid))), this.matches(eb, { status })]))
      .groupBy('customerId')
      .execute();
    return new Map(rows.map((row) => [row.customerId, Number(row.count)]));
  }

  async findByIdempotencyKey(key: string): Promise<OrderRow | undefined> {
    return this.db.selectFrom('orders').selectAll().where('idempotencyKey', '=', key).executeTakeFirst();
  }

  /**
   * Inserts the order and its lines in one transaction and sets the total with NUMERIC
   * arithmetic. Returns undefined when another order already holds the idempotency key
   * (a concurrent retry that committed first); nothing is written then.
   */
  async insert(order: NewOrder, requestId: string | null): Promise<OrderRow | undefined> {
    return this.write(async (trx) => {
      const inserted = await trx
        .insertInto('orders')
        .values({
          customerId: order.customerId,
          currency: order.currency,
          idempotencyKey: order.idempotencyKey,
          requestHash: order.requestHash,
        })
        .onConflict((oc) => oc.column('idempotencyKey').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return undefined;
      await trx
        .insertInto('orderLines')
        .values(order.lines.map((line, index) => ({ orderId: inserted.id, lineNo: index + 1, ...line })))
        .execute();
      const row = await trx
        .updateTable('orders')
        .set((eb) => ({
          total: eb.selectFrom('orderLines').select((inner) => sql<string>`coalesce(sum(${inner.ref('lineTotal')}), 0)`.as('sum')).where('orderId', '=', inserted.id),
        }))
        .where('id', '=', inserted.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const { number, customerId, currency, total, status } = row;
      await appendEvents(trx, [orderEvent('order.placed', row, { number, customerId, currency, total, status, lines: order.lines }, requestId)]);
      return row;
    });
  }

  /**
   * Locks the order, lets `decide` choose its new status from the current row (or throw),
   * and writes it, all in one transaction. Undefined when no order has this id. With `idempotent`,
   * the key is claimed in the same transaction: a repeat answers the order as it is now and
   * changes nothing (no event), whatever `decide` would say.
   */
  async changeStatus(
    id: string,
    decide: (current: OrderRow) => StatusDecision,
    requestId: string | null,
    idempotent?: IdempotentCall,
  ): Promise<OrderRow | undefined> {
    if (!isUuid(id)) return undefined;
    return this.write(async (trx) => {
      const current = await trx.selectFrom('orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!current) return undefined;
      if (idempotent) {
        if (await claimIdempotencyKey(trx, idempotent)) return current;
        await recordIdempotentResult(trx, idempotent.key, { id });
      }
      const decision = decide(current);
      const row = await trx
        .updateTable('orders')
        .set({ status: decision.status, cancelReason: decision.cancelReason ?? current.cancelReason, updatedAt: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const data = { status: row.status, previousStatus: current.status, customerId: row.customerId, updatedAt: row.updatedAt };
      const event =
        row.status === 'CANCELLED'
          ? orderEvent('order.cancelled', row, { ...data, reason: row.cancelReason }, requestId)
          : orderEvent('order.status_changed', row, data, requestId);
      await appendEvents(trx, [event]);
      return row;
    });
  }

  private matches(eb: OrdersBuilder, filter: OrderFilter) {
    const conditions = [];
    if (filter.status) conditions.push(eb('status', '=', filter.status));
    if (filter.customerId) conditions.push(eb('customerId', '=', filter.customerId));
    if (filter.createdAfter) conditions.push(eb('createdAt', '>=', filter.createdAfter));
    if (filter.createdBefore) conditions.push(eb('createdAt', '<', filter.createdBefore));
    return eb.and(conditions);
  }

  private after(eb: OrdersBuilder, after: CursorPosition | null) {
    if (!after) return eb.and([]);
    return eb(eb.refTuple('createdAt', 'id'), '<', eb.tuple(after.createdAt, after.id));
  }
}
