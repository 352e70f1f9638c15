import { sql, type Kysely } from 'kysely';

/**
 * The key an order was imported with (importOrders' ORDER_KEY column): an import looks orders up
 * by it, so that a file imported twice neither duplicates nor silently changes them. Unique when
 * set; the index leaves out the orders placed through the API, which have none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table orders.orders add column external_id text;
    create unique index orders_external_id_key on orders.orders (external_id) where external_id is not null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index orders.orders_external_id_key; alter table orders.orders drop column external_id;`.execute(db);
}
