import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { WakeSource } from './event-feed.js';

export const REDIS_EVENTS_CHANNEL = 'interchange:events';

/**
 * Wake-ups through Redis pub/sub, for many replicas: no PostgreSQL connection is held open
 * per process for LISTEN. Writers publish after commit; a publish lost in a crash between
 * commit and publish is covered by the relay's periodic read.
 */
export class RedisWakeSource implements WakeSource {
  private readonly subscriber: Redis;
  private readonly publisher: Redis;
  private lastWarnedAt = 0;

  constructor(
    url: string,
    private readonly logger: Logger,
  ) {
    const options = { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 };
    this.subscriber = new Redis(url, options);
    this.publisher = new Redis(url, { ...options, enableOfflineQueue: false });
    for (const connection of [this.subscriber, this.publisher]) {
      connection.on('error', (error: Error) => this.logger.debug({ err: error }, 'redis connection error'));
    }
  }

  async start(wake: () => void): Promise<void> {
    this.subscriber.on('message', wake);
    // After a reconnection ioredis resubscribes by itself; read what was missed meanwhile.
    this.subscriber.on('ready', wake);
    // Redis being down does not stop the service: ioredis keeps reconnecting, the subscription
    // waits in its offline queue, and meanwhile the relay's periodic read delivers events.
    const connected = await Promise.all([this.subscriber.connect(), this.publisher.connect()]).then(
      () => true,
      (error: unknown) => {
        this.logger.warn({ err: error }, 'Redis does not answer; events are delivered by polling until it does');
        return false;
      },
    );
    const subscribed = this.subscriber.subscribe(REDIS_EVENTS_CHANNEL);
    if (connected) await subscribed;
    else subscribed.catch(() => {});
    wake();
  }

  notifyCommitted(): void {
    this.publisher.publish(REDIS_EVENTS_CHANNEL, '1').catch((error: unknown) => {
      // At most one line every 30 s while Redis is away.
      if (Date.now() - this.lastWarnedAt < 30_000) return;
      this.lastWarnedAt = Date.now();
      this.logger.warn({ err: error }, 'publishing an event wake-up to Redis failed; relays will read on their next poll');
    });
  }

  async stop(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
