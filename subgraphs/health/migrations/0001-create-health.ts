import { sql, type Kysely } from 'kysely';

/**
 * The health schema: the latest state of each component, every check (kept
 * HEALTH_CHECK_RETENTION_DAYS) with its hourly roll-ups (HEALTH_ROLLUP_RETENTION_DAYS), the
 * router's traffic per check, the alerts, and the lease that lets one replica run the checks.
 * Latencies are counted in the buckets of LATENCY_BUCKETS_MS (an array per check), so that any
 * window's p95 is a sum of arrays, whether it reads checks or roll-ups.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table health.components (
      name text primary key,
      kind text not null,
      status text not null check (status in ('UP', 'DEGRADED', 'DOWN')),
      latency_ms double precision,
      details jsonb not null,
      circuit jsonb,
      checked_at timestamptz(3) not null
    );

    -- The overall status as of the last round; one row.
    create table health.overall (
      id integer primary key check (id = 1),
      status text not null,
      checked_at timestamptz(3) not null
    );

    create table health.checks (
      id bigint generated always as identity primary key,
      component text not null,
      kind text not null,
      status text not null,
      -- Counts per latency bucket: one for a probe, the operations of the interval for the router.
      latency_hist integer[] not null,
      -- Operations (router) or deliveries (webhook endpoints) since the check before, and how many failed.
      requests integer not null default 0,
      errors integer not null default 0,
      at timestamptz(3) not null
    );
    create index checks_at_idx on health.checks (at);
    create index checks_component_at_idx on health.checks (component, at);

    create table health.rollups (
      component text not null,
      hour timestamptz not null,
      kind text not null,
      checks integer not null,
      up integer not null,
      requests bigint not null,
      errors bigint not null,
      latency_hist bigint[] not null,
      primary key (component, hour)
    );
    create index rollups_hour_idx on health.rollups (hour);

    create table health.traffic (
      at timestamptz(3) primary key,
      seconds double precision not null,
      requests integer not null,
      errors integer not null,
      p95_ms double precision,
      cache_hits integer not null,
      cache_misses integer not null
    );

    create table health.alerts (
      id uuid primary key default gen_random_uuid(),
      rule text not null,
      severity text not null,
      state text not null check (state in ('FIRING', 'RESOLVED')),
      component text not null,
      message text not null,
      value double precision,
      threshold double precision,
      -- The page cursor's column (raisedAt).
      created_at timestamptz(3) not null default now(),
      resolved_at timestamptz(3)
    );
    -- At most one firing alert per rule and component.
    create unique index alerts_firing_idx on health.alerts (rule, component) where state = 'FIRING';
    create index alerts_page_idx on health.alerts (created_at desc, id desc);
    create index alerts_resolved_idx on health.alerts (resolved_at) where state = 'RESOLVED';

    create table health.monitor_lease (
      id integer primary key check (id = 1),
      holder text not null,
      expires_at timestamptz(3) not null
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table health.monitor_lease, health.alerts, health.traffic, health.rollups, health.checks, health.overall, health.components;`.execute(db);
}
