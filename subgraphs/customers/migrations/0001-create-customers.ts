import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table customers.customer_groups (
      code text primary key,
      name text not null
    );
    insert into customers.customer_groups (code, name) values
      ('RETAIL', 'Retail'),
      ('WHOLESALE', 'Wholesale'),
      ('DISTRIBUTOR', 'Distributor'),
      ('EMPLOYEE', 'Employee');

    create table customers.customers (
      id uuid primary key default gen_random_uuid(),
      external_id text unique,
      name text not null check (char_length(name) between 2 and 100),
      email text not null unique,
      phone text,
      customer_group text not null default 'RETAIL' references customers.customer_groups (code),
      credit_limit numeric(12, 2) not null default 0 check (credit_limit between 0 and 1000000),
      tier text not null default 'STANDARD' check (tier in ('STANDARD', 'PREMIUM', 'PLATINUM')),
      created_at timestamptz(3) not null default now(),
      updated_at timestamptz(3) not null default now()
    );
    create index customers_page_idx on customers.customers (created_at desc, id desc);
    create index customers_group_idx on customers.customers (customer_group);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table customers.customers; drop table customers.customer_groups;`.execute(db);
}
