import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // STANDARD and FIFO receives take the oldest available messages first (by seq, whatever their
  // priority): without this index each receive sorted the queue's whole backlog.
  await sql`create index messages_ready_seq_idx on queues.messages (queue_id, seq) where state = 'AVAILABLE'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index queues.messages_ready_seq_idx`.execute(db);
}
