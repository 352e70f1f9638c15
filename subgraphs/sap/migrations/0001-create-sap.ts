import { sql, type Kysely } from 'kysely';

/**
 * The sap schema keeps what the hub itself knows about SAP: the IDocs it sent for its orders
 * (with their status as last read from SAP), and every IDoc SAP sent to it, valid or not.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sap.idocs (
      id uuid primary key default gen_random_uuid(),
      system text not null,
      docnum text not null,
      order_id uuid not null,
      order_number text not null,
      status text not null check (status in ('SENT', 'POSTED', 'FAILED')),
      status_code text not null,
      status_text text,
      sent_at timestamptz(3) not null default now(),
      updated_at timestamptz(3) not null default now(),
      unique (system, docnum)
    );
    create index idocs_order_idx on sap.idocs (order_id, sent_at desc);
    create index idocs_open_idx on sap.idocs (system) where status = 'SENT';

    create table sap.inbound_idocs (
      id uuid primary key default gen_random_uuid(),
      message_type text,
      docnum text,
      status text not null check (status in ('RECEIVED', 'PROCESSED', 'REJECTED')),
      error text,
      raw text not null,
      -- What is forwarded (the customer_updated message) while status is RECEIVED.
      forward jsonb,
      attempts integer not null default 0,
      next_attempt_at timestamptz(3),
      -- When it was received (the page cursor names it).
      created_at timestamptz(3) not null default now(),
      processed_at timestamptz(3)
    );
    create index inbound_idocs_page_idx on sap.inbound_idocs (created_at desc, id desc);
    create index inbound_idocs_pending_idx on sap.inbound_idocs (next_attempt_at) where status = 'RECEIVED';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table sap.inbound_idocs; drop table sap.idocs;`.execute(db);
}
