import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create sequence orders.order_number_seq;

    create table orders.orders (
      id uuid primary key default gen_random_uuid(),
      number text not null unique default 'ORD-' || lpad(nextval('orders.order_number_seq')::text, 8, '0'),
      -- The customer lives in the customers subgraph: no foreign key across domains.
      customer_id uuid not null,
      status text not null default 'PENDING' check (status in ('PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED')),
      currency char(3) not null,
      total numeric(20, 4) not null default 0,
      cancel_reason text,
      idempotency_key text unique,
      request_hash text,
      created_at timestamptz(3) not null default now(),
      updated_at timestamptz(3) not null default now()
    );
    create index orders_page_idx on orders.orders (created_at desc, id desc);
    create index orders_customer_page_idx on orders.orders (customer_id, created_at desc, id desc);
    create index orders_status_idx on orders.orders (status);

    create table orders.order_lines (
      order_id uuid not null references orders.orders (id) on delete cascade,
      line_no integer not null,
      sku text not null,
      description text,
      quantity integer not null check (quantity > 0),
      unit_price numeric(18, 4) not null check (unit_price >= 0),
      line_total numeric(20, 4) generated always as (quantity * unit_price) stored,
      primary key (order_id, line_no)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table orders.order_lines; drop table orders.orders; drop sequence orders.order_number_seq;`.execute(db);
}
