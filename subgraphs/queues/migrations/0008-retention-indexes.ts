import { sql, type Kysely } from 'kysely';

/** The indexes the hourly retention deletes use: settled webhook deliveries and stored inbound webhooks by age. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index webhook_deliveries_settled_age_idx on queues.webhook_deliveries (created_at) where status <> 'PENDING';
    create index inbound_webhooks_age_idx on queues.inbound_webhooks (created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index queues.webhook_deliveries_settled_age_idx; drop index queues.inbound_webhooks_age_idx;`.execute(db);
}
