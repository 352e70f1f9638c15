import { sql, type Kysely } from 'kysely';

/**
 * Polling sources (subgraphs/queues/polling): where each configured source has got to (its
 * watermark, stored after each committed page), who is polling it (a lease, so that one replica
 * polls a source at a time), the schedule and the counters; and, per source and externalId, the
 * hash of the input last applied, so that an item read again unchanged is not sent again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table queues.poll_sources (
      name text primary key check (name ~ '^[a-z0-9_]{1,63}$'),
      -- The last committed page's greatest watermark value, as the source wrote it; null: none yet.
      watermark text,
      -- Fingerprints of the items read at exactly that watermark: the next page starts at it
      -- (inclusive), and these are skipped there instead of being handled twice.
      boundary text[] not null default '{}',
      -- The replica polling it now, until when (renewed while it polls; a crashed replica's lease runs out).
      leased_by text,
      leased_until timestamptz(3),
      -- When the next scheduled round is due (null: at once); failed rounds in a row back it off.
      next_run_at timestamptz(3),
      failures integer not null default 0,
      last_run_at timestamptz(3),
      last_success_at timestamptz(3),
      last_error text,
      items_applied bigint not null default 0,
      items_unchanged bigint not null default 0,
      items_rejected bigint not null default 0,
      -- The latest rejected items, newest first: [{ externalId, watermark, reason, at }].
      recent_rejections jsonb not null default '[]',
      created_at timestamptz(3) not null default now()
    );

    create table queues.poll_items (
      source text not null references queues.poll_sources (name) on delete cascade,
      external_id text not null,
      input_hash text not null,
      primary key (source, external_id)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table queues.poll_items; drop table queues.poll_sources;`.execute(db);
}
