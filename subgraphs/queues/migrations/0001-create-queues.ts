import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table queues.queues (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
      kind text not null check (kind in ('STANDARD', 'FIFO', 'PRIORITY')),
      delivery_mode text not null default 'AT_LEAST_ONCE' check (delivery_mode in ('AT_LEAST_ONCE', 'AT_MOST_ONCE')),
      max_attempts integer not null default 5 check (max_attempts between 1 and 100),
      backoff_seconds integer not null default 1 check (backoff_seconds between 0 and 3600),
      max_backoff_seconds integer not null default 300 check (max_backoff_seconds between backoff_seconds and 86400),
      max_size integer not null default 100000 check (max_size between 1 and 10000000),
      message_ttl_seconds integer not null default 345600 check (message_ttl_seconds between 1 and 1209600),
      dedup_window_seconds integer not null default 300 check (dedup_window_seconds between 1 and 86400),
      created_at timestamptz(3) not null default now(),
      updated_at timestamptz(3) not null default now()
    );

    -- state is what was written; readers derive DELAYED (AVAILABLE, available_at ahead) and the
    -- outcome of a visibility timeout that no receive has applied yet (see queues-repository.ts).
    create table queues.messages (
      id uuid primary key default gen_random_uuid(),
      -- Publication order: FIFO order within a key, oldest first within a priority.
      seq bigint generated always as identity,
      queue_id uuid not null references queues.queues (id) on delete cascade,
      state text not null check (state in ('AVAILABLE', 'IN_FLIGHT', 'DONE', 'DEAD')),
      payload jsonb not null,
      headers jsonb,
      priority smallint not null default 0 check (priority between 0 and 9),
      ordering_key text,
      dedup_key text,
      dedup_until timestamptz(3),
      attempts integer not null default 0,
      errors jsonb not null default '[]',
      -- The current delivery's nonce, which its receipt carries.
      receipt_nonce uuid,
      created_at timestamptz(3) not null default now(),
      -- AVAILABLE: deliverable from then; IN_FLIGHT: when its visibility ends.
      available_at timestamptz(3) not null,
      expires_at timestamptz(3) not null,
      done_at timestamptz(3)
    );
    create unique index messages_dedup_idx on queues.messages (queue_id, dedup_key) where dedup_key is not null;
    create index messages_ready_idx on queues.messages (queue_id, priority desc, seq) where state = 'AVAILABLE';
    create index messages_fifo_idx on queues.messages (queue_id, ordering_key, seq) where state in ('AVAILABLE', 'IN_FLIGHT');
    create index messages_in_flight_idx on queues.messages (queue_id, available_at) where state = 'IN_FLIGHT';
    create index messages_done_idx on queues.messages (queue_id, done_at) where state = 'DONE';
    create index messages_page_idx on queues.messages (queue_id, created_at desc, id desc);

    -- Publish and process counts per queue and second, for the per-minute rates; kept two minutes.
    create table queues.rates (
      queue_id uuid not null references queues.queues (id) on delete cascade,
      second timestamptz(0) not null,
      published integer not null default 0,
      processed integer not null default 0,
      primary key (queue_id, second)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table queues.rates; drop table queues.messages; drop table queues.queues;`.execute(db);
}
