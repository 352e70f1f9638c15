import type { Kysely } from 'kysely';
import { EventFeed } from '../infra/events/event-feed.js';
import { EventStore } from '../infra/events/event-store.js';
import { PostgresWakeSource } from '../infra/events/postgres-wake-source.js';
import { RedisWakeSource } from '../infra/events/redis-wake-source.js';
import type { Logger } from '../infra/logger.js';
import type { DomainEvent } from '../infra/events/event.js';

const RETRY_START_MS = 2_000;

/**
 * Follows the hub's event store from the router: each committed event is handed to `onEvent`
 * (the response cache purges what it changed; API key changes close that key's sockets). Woken
 * like every relay: by PostgreSQL NOTIFY, or by Redis pub/sub when the hub runs on Redis. The
 * router only reads the events; when their table does not exist yet (no subgraph has started),
 * it tries again every 2 s. `onEvent` must not throw.
 */
export function followEvents(
  options: { db: Kysely<any>; databaseUrl: string; redisUrl?: string; logger: Logger },
  onEvent: (event: DomainEvent) => void,
): { stop(): Promise<void> } {
  const { logger } = options;
  const wakeSource = options.redisUrl ? new RedisWakeSource(options.redisUrl, logger) : new PostgresWakeSource(options.databaseUrl, logger);
  // Purges and socket closes need an event's type and subject only: its data is not read.
  const feed = new EventFeed({ store: new EventStore(options.db.withoutPlugins()), wakeSource, logger, withoutData: true });
  feed.listen(onEvent);

  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const begin = () => {
    feed.start().then(
      () => logger.debug('the router follows the event store'),
      (error: unknown) => {
        if (stopped) return;
        logger.warn({ err: error }, 'cannot read the event store yet; cached responses expire by age and API key changes reach open sockets when it answers');
        retry = setTimeout(begin, RETRY_START_MS);
      },
    );
  };
  begin();

  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await feed.stop();
    },
  };
}
