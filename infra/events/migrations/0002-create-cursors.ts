import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Where each durable consumer of the event store (event-to-queue routes, broker bridges,
    -- webhook deliveries) has got to: it moves in the same transaction as the consumer's work.
    create table events.cursors (
      name text primary key,
      position bigint not null,
      updated_at timestamptz(3) not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table events.cursors;`.execute(db);
}
