import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { PageRequest } from '../../infra/db/pagination.js';
import { appendEvents } from '../../infra/events/event-store.js';
import type { NewEvent } from '../../infra/events/event.js';
import type { ComponentKind, Severity } from './health-rules.js';
import type { ComponentCheck, Status } from './probes.js';
import { histogramOf } from './router-traffic.js';
import type { TrafficDelta } from './router-traffic.js';

/** A component's state as the last check that reached it stored it. */
export interface ComponentRow extends Omit<ComponentCheck, 'requests' | 'errors' | 'latencyHist'> {
  checkedAt: Date;
}

export interface HealthView {
  status: Status;
  checkedAt: Date;
  components: ComponentRow[];
}

export interface AlertRow {
  id: string;
  rule: string;
  severity: Severity;
  state: 'FIRING' | 'RESOLVED';
  component: string;
  message: string;
  value: number | null;
  threshold: number | null;
  /** raisedAt (the page cursor's column). */
  createdAt: Date;
  resolvedAt: Date | null;
}

/** Counts of one component's checks over a window. */
export interface WindowStats {
  component: string;
  kind: ComponentKind;
  checks: number;
  up: number;
  requests: number;
  errors: number;
  latencyHist: number[];
}

export interface TrafficRow {
  at: Date;
  seconds: number;
  requests: number;
  errors: number;
  p95Ms: number | null;
  cacheHits: number;
  cacheMisses: number;
}

const RANK: Record<Status, number> = { UP: 0, DEGRADED: 1, DOWN: 2 };

/** A status change of one component (`component` set) or of the hub (`component` null), as an event's data. */
export interface StatusChange {
  component: string | null;
  kind: ComponentKind | null;
  status: Status;
  previousStatus: Status | null;
  overall: Status;
}

export const HEALTH_SOURCE = 'health';

/**
 * The hub's status: DOWN when the router, PostgreSQL, the event store or a subgraph is down
 * (operations fail), DEGRADED when any other component is not UP, else UP.
 */
export function overallStatus(components: readonly { kind: ComponentKind; status: Status }[]): Status {
  let worst: Status = 'UP';
  for (const { kind, status } of components) {
    const essential = kind === 'ROUTER' || kind === 'SUBGRAPH' || kind === 'POSTGRESQL' || kind === 'EVENT_STORE';
    const counted: Status = status === 'DOWN' && !essential ? 'DEGRADED' : status;
    if (RANK[counted] > RANK[worst]) worst = counted;
  }
  return worst;
}

/** The checks since `since`, shaped as roll-ups are (one check each). */
function checksSince(since: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(select component, kind, 1 as checks, (status <> 'DOWN')::int as up, requests, errors, latency_hist from health.checks where at > ${since})`;
}

export class HealthRepository {
  constructor(private readonly db: Kysely<any>) {}

  transaction<T>(work: (trx: Kysely<any>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /**
   * Takes or renews the lease of the checks for `ttlMs`: true when this replica holds it (it runs
   * the round), false when another replica does.
   */
  async takeLease(holder: string, ttlMs: number): Promise<boolean> {
    const { rows } = await sql<{ holder: string }>`
      insert into health.monitor_lease (id, holder, expires_at) values (1, ${holder}, now() + ${ttlMs} * interval '1 millisecond')
      on conflict (id) do update set holder = excluded.holder, expires_at = excluded.expires_at
        where health.monitor_lease.holder = excluded.holder or health.monitor_lease.expires_at < now()
      returning holder`.execute(this.db);
    return rows.length > 0;
  }

  async releaseLease(holder: string): Promise<void> {
    await sql`delete from health.monitor_lease where holder = ${holder}`.execute(this.db);
  }

  async view(): Promise<HealthView | undefined> {
    const [{ rows: overall }, { rows: components }] = await Promise.all([
      sql<{ status: Status; checkedAt: Date }>`select status, checked_at from health.overall`.execute(this.db),
      sql<ComponentRow>`select name, kind, status, latency_ms, details, circuit, checked_at from health.components order by kind, name`.execute(this.db),
    ]);
    if (!overall[0]) return undefined;
    return { ...overall[0], components };
  }

  /**
   * Stores a round in `trx`: the checks, the components' new state (those of `answered` kinds
   * that were not found are removed), the overall status and the traffic point; returns the
   * status changes, whose events it has appended.
   */
  async saveRound(trx: Kysely<any>, round: { checks: ComponentCheck[]; answered: ReadonlySet<ComponentKind>; traffic: TrafficDelta | undefined; at: Date }, requestId: string): Promise<{ components: ComponentRow[]; changes: StatusChange[] }> {
    const { checks, answered, traffic, at } = round;
    const { rows: before } = await sql<{ name: string; status: Status }>`select name, status from health.components for update`.execute(trx);
    const previous = new Map(before.map((row) => [row.name, row.status]));
    const { rows: overallBefore } = await sql<{ status: Status }>`select status from health.overall`.execute(trx);

    if (checks.length > 0) {
      await sql`
        insert into health.components (name, kind, status, latency_ms, details, circuit, checked_at)
        select * from unnest(${checks.map((c) => c.name)}::text[], ${checks.map((c) => c.kind)}::text[], ${checks.map((c) => c.status)}::text[],
          ${checks.map((c) => c.latencyMs)}::float8[], ${checks.map((c) => JSON.stringify(c.details))}::jsonb[], ${checks.map((c) => (c.circuit ? JSON.stringify(c.circuit) : null))}::jsonb[],
          array_fill(${at}::timestamptz, array[${checks.length}::int]))
        on conflict (name) do update set kind = excluded.kind, status = excluded.status, latency_ms = excluded.latency_ms,
          details = excluded.details, circuit = excluded.circuit, checked_at = excluded.checked_at`.execute(trx);
      await sql`
        insert into health.checks (component, kind, status, latency_hist, requests, errors, at)
        select component, kind, status, (select array_agg(x.value::int order by x.position) from jsonb_array_elements_text(hist) with ordinality as x(value, position)), requests, errors, ${at}
        from unnest(${checks.map((c) => c.name)}::text[], ${checks.map((c) => c.kind)}::text[], ${checks.map((c) => c.status)}::text[],
          ${checks.map((c) => JSON.stringify(c.latencyHist ?? histogramOf(c.latencyMs)))}::jsonb[],
          ${checks.map((c) => c.requests ?? 0)}::int[], ${checks.map((c) => c.errors ?? 0)}::int[]) as t(component, kind, status, hist, requests, errors)`.execute(trx);
    }
    const found = new Set(checks.map((check) => check.name));
    if (answered.size > 0) {
      await sql`delete from health.components where kind = any(${[...answered]}::text[]) and not (name = any(${[...found]}::text[]))`.execute(trx);
    }
    if (traffic) {
      await sql`
        insert into health.traffic (at, seconds, requests, errors, p95_ms, cache_hits, cache_misses)
        values (${at}, ${traffic.seconds}, ${traffic.requests}, ${traffic.errors}, ${traffic.p95Ms}, ${traffic.cacheHits}, ${traffic.cacheMisses})
        on conflict (at) do nothing`.execute(trx);
    }

    const { rows: components } = await sql<ComponentRow>`select name, kind, status, latency_ms, details, circuit, checked_at from health.components order by kind, name`.execute(trx);
    const overall = overallStatus(components);
    await sql`insert into health.overall (id, status, checked_at) values (1, ${overall}, ${at})
      on conflict (id) do update set status = excluded.status, checked_at = excluded.checked_at`.execute(trx);

    const changes: StatusChange[] = [];
    for (const check of checks) {
      const was = previous.get(check.name) ?? null;
      if (was !== check.status) changes.push({ component: check.name, kind: check.kind, status: check.status, previousStatus: was, overall });
    }
    const overallWas = overallBefore[0]?.status ?? null;
    if (overallWas !== overall) changes.push({ component: null, kind: null, status: overall, previousStatus: overallWas, overall });
    await appendEvents(
      trx,
      changes.map(
        (change): NewEvent => ({
          type: 'health.status_changed',
          source: HEALTH_SOURCE,
          subject: change.component ? { typename: 'HealthComponent', id: change.component } : { typename: 'Health', id: 'hub' },
          data: { ...change },
          requestId,
        }),
      ),
    );
    return { components, changes };
  }

  /** Each component's checks over the last `minutes` (for the alert rules' errorRate and p95LatencyMs). */
  async windowStats(minutes: number, db: Kysely<any> = this.db): Promise<Map<string, WindowStats>> {
    return this.statsOf(checksSince(sql`now() - ${minutes} * interval '1 minute'`), db);
  }

  /**
   * Each integration's counts over the window: the checks for an hour or a day; for a week, the
   * hourly roll-ups of the hours before this one and the checks of this one.
   */
  async slaStats(window: 'LAST_HOUR' | 'LAST_DAY' | 'LAST_WEEK'): Promise<WindowStats[]> {
    const source =
      window === 'LAST_WEEK'
        ? sql`(select component, kind, checks, up, requests, errors, latency_hist from health.rollups
              where hour >= date_trunc('hour', now() - interval '7 days') and hour < date_trunc('hour', now())
            union all ${checksSince(sql`date_trunc('hour', now())`)})`
        : checksSince(window === 'LAST_HOUR' ? sql`now() - interval '1 hour'` : sql`now() - interval '1 day'`);
    const stats = await this.statsOf(source, this.db);
    return [...stats.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.component.localeCompare(b.component));
  }

  /** Counts per component of `source` (checks or roll-ups, as checksSince shapes them); the latency buckets are summed element by element. */
  private async statsOf(source: RawBuilder<unknown>, db: Kysely<any>): Promise<Map<string, WindowStats>> {
    const [{ rows }, { rows: buckets }] = await Promise.all([
      sql<{ component: string; kind: ComponentKind; checks: string; up: string; requests: string; errors: string }>`
        select component, max(kind) as kind, sum(checks)::text as checks, sum(up)::text as up, sum(requests)::text as requests, sum(errors)::text as errors
        from ${source} as w group by component`.execute(db),
      sql<{ component: string; bucket: number; count: string }>`
        select component, b.bucket::int as bucket, sum(b.count)::text as count
        from ${source} as w, unnest(w.latency_hist) with ordinality as b(count, bucket) group by component, b.bucket`.execute(db),
    ]);
    const stats = new Map<string, WindowStats>();
    for (const row of rows) {
      stats.set(row.component, { component: row.component, kind: row.kind, checks: Number(row.checks), up: Number(row.up), requests: Number(row.requests), errors: Number(row.errors), latencyHist: [] });
    }
    for (const { component, bucket, count } of buckets) {
      const hist = stats.get(component)?.latencyHist;
      if (!hist) continue;
      while (hist.length < bucket) hist.push(0);
      hist[bucket - 1] = Number(count);
    }
    return stats;
  }

  /** Recomputes the roll-ups of the current and the previous hour from the checks (idempotent). */
  async rollUp(): Promise<void> {
    await sql`
      with hours as (
        select component, date_trunc('hour', at) as hour, max(kind) as kind, count(*)::int as checks,
          (count(*) filter (where status <> 'DOWN'))::int as up, sum(requests) as requests, sum(errors) as errors
        from health.checks where at >= date_trunc('hour', now()) - interval '1 hour' group by 1, 2
      ), buckets as (
        select component, date_trunc('hour', at) as hour, b.bucket, sum(b.count) as count
        from health.checks, unnest(latency_hist) with ordinality as b(count, bucket)
        where at >= date_trunc('hour', now()) - interval '1 hour' group by 1, 2, 3
      )
      insert into health.rollups (component, hour, kind, checks, up, requests, errors, latency_hist)
      select h.component, h.hour, h.kind, h.checks, h.up, h.requests, h.errors,
        (select array_agg(count::bigint order by bucket) from buckets b where b.component = h.component and b.hour = h.hour)
      from hours h
      on conflict (component, hour) do update set kind = excluded.kind, checks = excluded.checks, up = excluded.up,
        requests = excluded.requests, errors = excluded.errors, latency_hist = excluded.latency_hist`.execute(this.db);
  }

  /** The router's traffic points of the last `minutes`, oldest first. */
  async traffic(minutes: number): Promise<TrafficRow[]> {
    const { rows } = await sql<TrafficRow>`
      select at, seconds, requests, errors, p95_ms, cache_hits, cache_misses from health.traffic
      where at > now() - ${minutes} * interval '1 minute' order by at`.execute(this.db);
    return rows;
  }

  async firingAlerts(trx: Kysely<any>): Promise<AlertRow[]> {
    const { rows } = await sql<AlertRow>`select * from health.alerts where state = 'FIRING' for update`.execute(trx);
    return rows;
  }

  /** Stores a firing alert and its `health.alert_raised` event; nothing when the rule already fires for the component. */
  async raise(trx: Kysely<any>, alert: Pick<AlertRow, 'rule' | 'severity' | 'component' | 'message' | 'value' | 'threshold'>, requestId: string): Promise<AlertRow | undefined> {
    const { rows } = await sql<AlertRow>`
      insert into health.alerts (rule, severity, state, component, message, value, threshold)
      values (${alert.rule}, ${alert.severity}, 'FIRING', ${alert.component}, ${alert.message}, ${alert.value}, ${alert.threshold})
      on conflict (rule, component) where state = 'FIRING' do nothing
      returning *`.execute(trx);
    const raised = rows[0];
    if (raised) await appendEvents(trx, [alertEvent('health.alert_raised', raised, requestId)]);
    return raised;
  }

  /** Resolves a firing alert, with its `health.alert_resolved` event. */
  async resolve(trx: Kysely<any>, id: string, requestId: string): Promise<AlertRow | undefined> {
    const { rows } = await sql<AlertRow>`
      update health.alerts set state = 'RESOLVED', resolved_at = now() where id = ${id} and state = 'FIRING' returning *`.execute(trx);
    const resolved = rows[0];
    if (resolved) await appendEvents(trx, [alertEvent('health.alert_resolved', resolved, requestId)]);
    return resolved;
  }

  /** A page of alerts, newest first (`first + 1` rows: see toConnection). */
  async alertsPage(active: boolean | null, page: PageRequest): Promise<AlertRow[]> {
    const conditions = [sql`true`];
    if (active !== null) conditions.push(sql`state = ${active ? 'FIRING' : 'RESOLVED'}`);
    if (page.after) conditions.push(sql`(created_at, id) < (${page.after.createdAt}, ${page.after.id}::uuid)`);
    const { rows } = await sql<AlertRow>`
      select * from health.alerts where ${sql.join(conditions, sql` and `)} order by created_at desc, id desc limit ${page.first + 1}`.execute(this.db);
    return rows;
  }

  async countAlerts(active: boolean | null): Promise<number> {
    const { rows } = await sql<{ count: string }>`
      select count(*)::text as count from health.alerts ${active === null ? sql`` : sql`where state = ${active ? 'FIRING' : 'RESOLVED'}`}`.execute(this.db);
    return Number(rows[0]!.count);
  }

  async pruneChecks(before: Date): Promise<number> {
    const checks = await sql`delete from health.checks where at < ${before}`.execute(this.db);
    const traffic = await sql`delete from health.traffic where at < ${before}`.execute(this.db);
    return Number(checks.numAffectedRows ?? 0) + Number(traffic.numAffectedRows ?? 0);
  }

  async pruneRollups(before: Date): Promise<number> {
    const result = await sql`delete from health.rollups where hour < ${before}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  async pruneAlerts(before: Date): Promise<number> {
    const result = await sql`delete from health.alerts where state = 'RESOLVED' and resolved_at < ${before}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }
}

function alertEvent(type: string, alert: AlertRow, requestId: string): NewEvent {
  return {
    type,
    source: HEALTH_SOURCE,
    subject: { typename: 'Alert', id: alert.id },
    data: {
      id: alert.id,
      rule: alert.rule,
      severity: alert.severity,
      state: alert.state,
      component: alert.component,
      message: alert.message,
      value: alert.value,
      threshold: alert.threshold,
      raisedAt: alert.createdAt,
      resolvedAt: alert.resolvedAt,
    },
    requestId,
  };
}
