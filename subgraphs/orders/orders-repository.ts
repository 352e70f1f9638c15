import { sql, type ColumnType, type ExpressionBuilder, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { CompiledQueries } from '../../infra/db/compiled-queries.js';
import { isPgError } from '../../infra/db/database.js';
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
  /** The key it was imported with (importOrders); unique when set. */
  externalId: ColumnType<string | null, string | null | undefined, never>;
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

export interface NewOrderLine {
  sku: string;
  description: string | null;
  quantity: number;
  unitPrice: string;
}

export interface NewOrder {
  customerId: string;
  currency: string;
  idempotencyKey: string | null;
  requestHash: string | null;
  lines: NewOrderLine[];
}

/** An order an import places: placeOrder's values and the key it is imported with. */
export interface NewImportedOrder {
  externalId: string;
  customerId: string;
  currency: string;
  lines: NewOrderLine[];
}

/** An imported order as stored, with its lines in order (unitPrice as NUMERIC's text, e.g. `0.1000`). */
export interface StoredImport {
  id: string;
  number: string;
  externalId: string;
  customerId: string;
  currency: string;
  lines: NewOrderLine[];
}

/** What an import decided once it saw the stored orders: the orders to place, and its answer. */
export interface ImportPlan<Result> {
  place: NewImportedOrder[];
  result: Result;
}

export interface ImportWrite {
  requestId: string | null;
  /** Decide, then roll back: nothing is placed, recorded or announced. */
  dryRun: boolean;
  idempotent?: IdempotentCall;
}

export type StatusDecision = { status: OrderStatus; cancelReason?: string | null };

type OrdersBuilder = ExpressionBuilder<OrdersTables, 'orders'>;

function orderEvent(type: string, row: OrderRow, data: Record<string, unknown>, requestId: string | null) {
  return { type, source: 'orders', subject: { typename: 'Order', id: row.id }, data, requestId };
}

/** order.placed, for placeOrder and for an import alike. */
function orderPlaced(row: OrderRow, lines: readonly NewOrderLine[], requestId: string | null) {
  const { number, customerId, currency, total, status } = row;
  return orderEvent('order.placed', row, { number, customerId, currency, total, status, lines }, requestId);
}

/** Thrown inside an import's transaction to roll it back: a dry run's answer. */
class DryRun<Result> {
  constructor(readonly result: Result) {}
}

/** A concurrent import placed one of the batch's keys between the read and the insert. */
class KeyTakenMeanwhile extends Error {}

/**
 * PostgreSQL's deadlock_detected: two imports inserting some of the same keys in other orders
 * each wait for the other's key; PostgreSQL aborts one, which runs again.
 */
const DEADLOCK_DETECTED = '40P01';

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
      await appendEvents(trx, [orderPlaced(row, order.lines, requestId)]);
      return row;
    });
  }

  /**
   * One batch of an import, in one transaction: claims the idempotency key (a repeat answers the
   * first call's result and changes nothing), reads the stored orders with the batch's keys, lets
   * `decide` choose from them what to place and what to answer, and places those orders with
   * their order.placed events. A fixed number of statements whatever the size of the batch,
   * besides the event store's. When a concurrent import took one of the keys between the read and
   * the insert (or the two deadlocked over them), it all runs again, the key then reading as
   * stored; at most three times.
   */
  async importOrders<Result>(keys: readonly string[], decide: (stored: ReadonlyMap<string, StoredImport>) => ImportPlan<Result>, write: ImportWrite): Promise<Result> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.write(async (trx) => {
          if (write.idempotent) {
            const recorded = await claimIdempotencyKey<Result>(trx, write.idempotent);
            if (recorded !== undefined) return recorded;
          }
          const plan = decide(await this.storedImports(trx, keys));
          // Placing the orders and rolling back would still consume their numbers (a sequence
          // does not roll back), so a dry run stops at the decision, which has read everything.
          if (write.dryRun) throw new DryRun(plan.result);
          const rows = await this.placeImported(trx, plan.place);
          if (rows.length !== plan.place.length) throw new KeyTakenMeanwhile();
          const lines = new Map(plan.place.map((order) => [order.externalId, order.lines]));
          await appendEvents(trx, rows.map((row) => orderPlaced(row, lines.get(row.externalId!)!, write.requestId)));
          if (write.idempotent) await recordIdempotentResult(trx, write.idempotent.key, plan.result);
          return plan.result;
        });
      } catch (error) {
        if (error instanceof DryRun) return error.result as Result;
        const raced = error instanceof KeyTakenMeanwhile || isPgError(error, DEADLOCK_DETECTED);
        if (!raced || attempt === 3) throw error;
      }
    }
  }

  /** The imported orders with these keys, with their lines, in one statement. */
  private async storedImports(trx: Transaction<OrdersTables>, keys: readonly string[]): Promise<Map<string, StoredImport>> {
    if (keys.length === 0) return new Map();
    const rows = await trx
      .selectFrom('orders')
      .select((eb) => [
        'id',
        'number',
        'externalId',
        'customerId',
        'currency',
        jsonArrayFrom(
          eb
            .selectFrom('orderLines')
            // As text: a JSON number would reach JavaScript as a float.
            .select(['sku', 'description', 'quantity', sql<string>`${sql.ref('orderLines.unitPrice')}::text`.as('unitPrice')])
            .whereRef('orderLines.orderId', '=', 'orders.id')
            .orderBy('orderLines.lineNo'),
        ).as('lines'),
      ])
      .where('externalId', '=', (eb) => eb.fn.any(eb.val([...keys])))
      .execute();
    return new Map(rows.map((row) => [row.externalId!, { ...row, externalId: row.externalId! }]));
  }

  /**
   * Inserts the orders and all their lines in one statement, from arrays (so its text is the
   * same for any batch), in the batch's order so that their numbers follow the file. Each total
   * is summed from the lines as their generated line_total computes it (quantity × unitPrice at
   * four places), so it equals placeOrder's. An order whose key is stored by now is skipped.
   */
  private async placeImported(trx: Transaction<OrdersTables>, orders: readonly NewImportedOrder[]): Promise<OrderRow[]> {
    if (orders.length === 0) return [];
    const lines = orders.flatMap((order) => order.lines.map((line, index) => ({ key: order.externalId, lineNo: index + 1, ...line })));
    const { rows } = await sql<OrderRow>`
      with lines as (
        select * from unnest(
          ${lines.map((line) => line.key)}::text[], ${lines.map((line) => line.lineNo)}::int[], ${lines.map((line) => line.sku)}::text[],
          ${lines.map((line) => line.description)}::text[], ${lines.map((line) => line.quantity)}::int[], ${lines.map((line) => line.unitPrice)}::numeric[]
        ) as line (order_key, line_no, sku, description, quantity, unit_price)
      ), totals as (
        select order_key, sum((quantity * unit_price)::numeric(20, 4)) as total from lines group by order_key
      ), placed as (
        insert into orders.orders (customer_id, currency, external_id, total)
        select batch.customer_id, batch.currency, batch.external_id, totals.total
        from unnest(${orders.map((order) => order.customerId)}::uuid[], ${orders.map((order) => order.currency)}::text[], ${orders.map((order) => order.externalId)}::text[])
          with ordinality as batch (customer_id, currency, external_id, position)
          join totals on totals.order_key = batch.external_id
        order by batch.position
        on conflict (external_id) where external_id is not null do nothing
        returning *
      ), placed_lines as (
        insert into orders.order_lines (order_id, line_no, sku, description, quantity, unit_price)
        select placed.id, line.line_no, line.sku, line.description, line.quantity, line.unit_price
        from lines line join placed on placed.external_id = line.order_key
      )
      select * from placed order by number`.execute(trx);
    return rows;
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
