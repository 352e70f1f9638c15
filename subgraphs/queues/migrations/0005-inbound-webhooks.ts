import { sql, type Kysely } from 'kysely';

/**
 * Inbound webhooks: the sources that may post to POST /webhooks/<source> (with the secret their
 * signatures are checked with), every accepted webhook (unique per source and webhook id, which
 * makes redeliveries duplicates), and the counters of what each source's requests came to.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table queues.inbound_webhook_sources (
      id uuid primary key default gen_random_uuid(),
      -- Part of the URL and of the events' type (inbound.<name>.<type>): no dots, no dashes.
      name text not null unique check (name ~ '^[a-z0-9][a-z0-9_]{0,62}$'),
      scheme text not null check (scheme in ('STANDARD_WEBHOOKS', 'STRIPE')),
      -- Kept as given: verifying an HMAC needs the secret itself.
      secret text not null,
      tolerance_seconds integer not null default 300 check (tolerance_seconds between 1 and 86400),
      -- The queue accepted webhooks are published to (a name: the queue may be deleted and made again).
      queue text,
      enabled boolean not null default true,
      created_at timestamptz(3) not null default now(),
      updated_at timestamptz(3) not null default now()
    );

    create table queues.inbound_webhooks (
      id uuid primary key default gen_random_uuid(),
      source_id uuid not null references queues.inbound_webhook_sources (id) on delete cascade,
      webhook_id text not null,
      type text not null,
      headers jsonb not null,
      body jsonb not null,
      created_at timestamptz(3) not null default now(),
      unique (source_id, webhook_id)
    );
    create index inbound_webhooks_page_idx on queues.inbound_webhooks (source_id, created_at desc, id desc);

    -- outcome: ACCEPTED, DUPLICATE, or the code a refused request was answered with.
    create table queues.inbound_webhook_counts (
      source_id uuid not null references queues.inbound_webhook_sources (id) on delete cascade,
      outcome text not null,
      count bigint not null default 0,
      primary key (source_id, outcome)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table queues.inbound_webhook_counts; drop table queues.inbound_webhooks; drop table queues.inbound_webhook_sources;`.execute(db);
}
