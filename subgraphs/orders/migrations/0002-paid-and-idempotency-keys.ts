import { sql, type Kysely } from 'kysely';
import { createIdempotencyKeysTable, dropIdempotencyKeysTable } from '../../../infra/db/idempotency.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table orders.orders drop constraint orders_status_check;
    alter table orders.orders add constraint orders_status_check
      check (status in ('PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'));
  `.execute(db);
  // updateOrderStatus(idempotencyKey); placeOrder keeps its key on the order row.
  await createIdempotencyKeysTable(db, 'orders');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropIdempotencyKeysTable(db, 'orders');
  await sql`
    alter table orders.orders drop constraint orders_status_check;
    alter table orders.orders add constraint orders_status_check
      check (status in ('PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED'));
  `.execute(db);
}
