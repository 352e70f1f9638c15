import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A receiver of hub events over HTTP (Standard Webhooks). Its deliveries are messages of its
    -- own hub queue (webhook.<id>), which gives them retries, dead letters and replay.
    create table queues.webhook_endpoints (
      id uuid primary key default gen_random_uuid(),
      url text not null check (url ~ '^https?://'),
      description text,
      event_types text[] not null check (cardinality(event_types) > 0),
      enabled boolean not null default true,
      rate_limit_per_second integer check (rate_limit_per_second >= 1),
      max_concurrency integer not null default 4 check (max_concurrency between 1 and 100),
      -- Seconds before each retry; the queue's max_attempts is its length + 1.
      retry_schedule integer[] not null check (cardinality(retry_schedule) between 1 and 20),
      -- whsec_<base64>: the database holds it so that every replica can sign.
      secret text not null,
      -- After a rotation, the previous secret signs beside the new one until it expires.
      previous_secret text,
      previous_secret_expires_at timestamptz(3),
      -- Restrict: deleteQueue on an endpoint's queue is refused; deleting the endpoint deletes it.
      queue_id uuid not null unique references queues.queues (id) on delete restrict,
      disabled_reason text,
      disabled_at timestamptz(3),
      -- The first failed attempt since the last success: an endpoint failing for too long is disabled.
      failing_since timestamptz(3),
      created_at timestamptz(3) not null default now(),
      updated_at timestamptz(3) not null default now()
    );

    -- One per event and endpoint; its id is the webhook-id, the same for every attempt and replay.
    create table queues.webhook_deliveries (
      id uuid primary key default gen_random_uuid(),
      endpoint_id uuid not null references queues.webhook_endpoints (id) on delete cascade,
      event_id bigint not null,
      event_type text not null,
      -- The Standard Webhooks body: { type, timestamp, data }.
      payload jsonb not null,
      status text not null default 'PENDING' check (status in ('PENDING', 'DELIVERED', 'FAILED')),
      attempts integer not null default 0,
      last_attempt_at timestamptz(3),
      next_attempt_at timestamptz(3),
      delivered_at timestamptz(3),
      created_at timestamptz(3) not null default now(),
      unique (endpoint_id, event_id)
    );
    create index webhook_deliveries_page_idx on queues.webhook_deliveries (endpoint_id, created_at desc, id desc);
    create index webhook_deliveries_status_idx on queues.webhook_deliveries (endpoint_id, status);

    create table queues.webhook_attempts (
      id uuid primary key default gen_random_uuid(),
      delivery_id uuid not null references queues.webhook_deliveries (id) on delete cascade,
      endpoint_id uuid not null,
      attempt integer not null,
      -- When its outcome was recorded (in the transaction that settled the queue message).
      at timestamptz(3) not null default now(),
      status_code integer,
      latency_ms integer,
      -- The first 1 KB of the response body.
      response_body text,
      error text,
      -- When the next attempt is due: at + the schedule's delay; null after a success or the last attempt.
      next_attempt_at timestamptz(3)
    );
    create index webhook_attempts_delivery_idx on queues.webhook_attempts (delivery_id, attempt);
    create index webhook_attempts_endpoint_idx on queues.webhook_attempts (endpoint_id, at desc);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table queues.webhook_attempts; drop table queues.webhook_deliveries; drop table queues.webhook_endpoints;`.execute(db);
}
