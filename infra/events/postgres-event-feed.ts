import pg from 'pg';
import type { Logger } from '../logger.js';
import type { DomainEvent } from './event.js';
import { EVENTS_CHANNEL, type EventStore } from './event-store.js';

export interface EventFeedOptions {
  url: string;
  store: EventStore;
  logger: Logger;
  /** A read of the store even without a notification, in case one was missed. Default 1000 ms. */
  pollIntervalMs?: number;
  batchSize?: number;
}

/**
 * The relay of one process: delivers every committed event, once and in commit order, to the
 * process's listeners. The store is the source of truth; PostgreSQL LISTEN/NOTIFY only wakes
 * the relay, so events committed while it was disconnected are delivered when it reconnects.
 */
export class PostgresEventFeed {
  private readonly listeners = new Set<(event: DomainEvent) => void>();
  private lastDelivered = '0';
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = 100;
  private pumping: Promise<void> | undefined;
  private wokenWhilePumping = false;
  private stopped = false;

  constructor(private readonly options: EventFeedOptions) {}

  /** Starts at the newest stored event: listeners get what is committed from now on. */
  async start(): Promise<void> {
    this.lastDelivered = await this.options.store.latestId();
    await this.connect();
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 1_000);
    this.timer.unref();
  }

  /** The id of the last event handed to listeners. */
  position(): string {
    return this.lastDelivered;
  }

  /** Called synchronously for every event, in order; returns the function that stops it. */
  listen(listener: (event: DomainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.pumping;
    await this.client?.end().catch(() => {});
    this.listeners.clear();
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.wokenWhilePumping = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  private async pump(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    try {
      do {
        this.wokenWhilePumping = false;
        for (;;) {
          const events = await this.options.store.readAfter(this.lastDelivered, batchSize);
          for (const event of events) {
            this.lastDelivered = event.id;
            for (const listener of this.listeners) {
              try {
                listener(event);
              } catch (error) {
                this.options.logger.error({ err: error, eventId: event.id }, 'event listener failed');
              }
            }
          }
          if (events.length < batchSize || this.stopped) break;
        }
      } while (this.wokenWhilePumping && !this.stopped);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'reading the event store failed; retrying on the next wake-up');
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, application_name: 'interchange-event-feed' });
    const reconnect = () => {
      if (this.stopped || this.client !== client) return;
      this.client = undefined;
      const delay = this.reconnectDelayMs;
      this.reconnectDelayMs = Math.min(delay * 2, 5_000);
      this.options.logger.warn({ delayMs: delay }, 'event feed lost its PostgreSQL connection; reconnecting');
      setTimeout(() => void this.connect().catch(reconnect), delay).unref();
    };
    client.on('notification', () => this.wake());
    client.on('error', reconnect);
    client.on('end', reconnect);
    this.client = client;
    try {
      await client.connect();
      await client.query(`listen ${EVENTS_CHANNEL}`);
    } catch (error) {
      if (this.lastDelivered === '0' && !this.timer) throw error;
      reconnect();
      return;
    }
    this.reconnectDelayMs = 100;
    // Whatever was committed while disconnected.
    this.wake();
  }
}
