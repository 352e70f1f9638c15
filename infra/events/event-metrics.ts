import { sql, type Kysely } from 'kysely';
import { Gauge } from 'prom-client';
import type { Logger } from '../logger.js';
import type { Registry } from '../metrics/metrics-registry.js';
import type { EventStore } from './event-store.js';

/**
 * `interchange_event_lag_events{consumer}`: committed events a consumer has not handled yet, read
 * when /metrics is read (two small statements): `relay` is this process's relay, which hands events
 * to its subscriptions and listeners; the durable consumers this process runs (event routes, broker
 * bridges, webhook deliveries) are named by their cursor. Returns the function that adds a cursor.
 */
export function eventLagMetrics(registry: Registry, deps: { db: Kysely<any>; store: EventStore; relayPosition: () => string; logger: Logger }): (cursor: string) => void {
  const cursors = new Set<string>();
  let warnedAt = 0;
  new Gauge({
    name: 'interchange_event_lag_events',
    help: 'Committed events not yet handled: by this process\'s relay (consumer="relay") and by each durable event consumer it runs (consumer=its cursor)',
    labelNames: ['consumer'] as const,
    registers: [registry],
    async collect() {
      try {
        const latest = Number(await deps.store.latestId());
        this.set({ consumer: 'relay' }, Math.max(0, latest - Number(deps.relayPosition())));
        if (cursors.size === 0) return;
        const { rows } = await sql<{ name: string; position: string }>`select name, position::text as position from events.cursors where name = any(${[...cursors]}::text[])`.execute(deps.db);
        for (const row of rows) this.set({ consumer: row.name }, Math.max(0, latest - Number(row.position)));
      } catch (error) {
        // A scrape while PostgreSQL is away keeps the last values rather than failing.
        if (Date.now() - warnedAt > 60_000) {
          warnedAt = Date.now();
          deps.logger.warn({ err: error }, 'reading the event lag for /metrics failed');
        }
      }
    },
  });
  return (cursor) => void cursors.add(cursor);
}
