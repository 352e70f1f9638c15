import type { Kysely } from 'kysely';
import { migrateToLatest } from '../db/migrate.js';
import type { Logger } from '../logger.js';
import type { DomainEvent, EventFilter } from './event.js';
import { EventStore } from './event-store.js';
import { eventStream } from './event-stream.js';
import { eventsMigrations } from './migrations/index.js';
import { EventFeed } from './event-feed.js';
import { PostgresWakeSource } from './postgres-wake-source.js';
import { RedisWakeSource } from './redis-wake-source.js';
import { eventLagMetrics } from './event-metrics.js';
import type { Registry } from '../metrics/metrics-registry.js';
import { startRetention } from '../db/retention.js';

export const EVENTS_SCHEMA = 'events';

export interface Events {
  store: EventStore;
  /** Stored events after `after` (when given), then live ones; see eventStream. */
  stream(filter: EventFilter, after?: string | null): AsyncGenerator<DomainEvent>;
  /** Writers call it after a transaction that appended events has committed. */
  committed(): void;
  /** Calls `listener` for every event this process's relay delivers, in commit order; returns the function that stops it. */
  listen(listener: (event: DomainEvent) => void): () => void;
  /** Calls `doorbell` whenever events may have been committed, without reading them (for consumers that read the store themselves); returns the function that stops it. */
  onWake(doorbell: () => void): () => void;
  /** Reports the lag of the durable consumer with this cursor in the service's metrics (a no-op without metrics). */
  watchCursor(name: string): void;
  stop(): Promise<void>;
}

/**
 * The event store and this process's relay: migrates the events schema, starts delivering
 * committed events (woken by Redis when `redisUrl` is given, by PostgreSQL NOTIFY otherwise),
 * and prunes events older than the retention once an hour.
 */
export async function startEvents(options: {
  url: string;
  redisUrl?: string;
  db: Kysely<any>;
  logger: Logger;
  retentionDays: number;
  /** The service's metrics: the relay's lag and its durable consumers' (event-metrics.ts). */
  metrics?: Registry;
}): Promise<Events> {
  // Without the service's own schema plugin, so that the migration table lands in `events`.
  const db = options.db.withoutPlugins();
  await migrateToLatest(db, EVENTS_SCHEMA, eventsMigrations, options.logger);
  const store = new EventStore(db);
  const wakeSource = options.redisUrl ? new RedisWakeSource(options.redisUrl, options.logger) : new PostgresWakeSource(options.url, options.logger);
  const feed = new EventFeed({ store, wakeSource, logger: options.logger });
  await feed.start();
  const watchCursor = options.metrics
    ? eventLagMetrics(options.metrics, { db, store, relayPosition: () => feed.position(), logger: options.logger })
    : () => {};

  const stopRetention = startRetention('events', options.retentionDays, (before) => store.prune(before), options.logger);

  return {
    store,
    stream: (filter, after) => eventStream(feed, store, filter, after),
    committed: () => wakeSource.notifyCommitted(),
    listen: (listener) => feed.listen(listener),
    onWake: (doorbell) => feed.onWake(doorbell),
    watchCursor,
    async stop() {
      stopRetention();
      await feed.stop();
    },
  };
}
