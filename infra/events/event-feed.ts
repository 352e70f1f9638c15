import type { Logger } from '../logger.js';
import type { DomainEvent } from './event.js';
import type { EventStore } from './event-store.js';

/**
 * What tells a relay that events were committed: PostgreSQL LISTEN/NOTIFY, or Redis pub/sub
 * when REDIS_URL is set. A wake-up carries no event: the relay reads the store.
 */
export interface WakeSource {
  /** Calls `wake` on every notification, and once after each (re)connection. */
  start(wake: () => void): Promise<void>;
  /** Called by a writer after its transaction committed events. */
  notifyCommitted(): void;
  stop(): Promise<void>;
}

export interface EventFeedOptions {
  store: EventStore;
  wakeSource: WakeSource;
  logger: Logger;
  /** A read of the store even without a notification, in case one was missed. Default 1000 ms. */
  pollIntervalMs?: number;
  batchSize?: number;
  /** Listeners get events without their data (an empty object): for the router, which purges by subject. */
  withoutData?: boolean;
}

/**
 * The relay of one process: delivers every committed event, once and in commit order, to the
 * process's listeners. The store is the source of truth and the wake source only a doorbell,
 * so events committed while the relay was disconnected are delivered when it reconnects.
 */
export class EventFeed {
  private readonly listeners = new Set<(event: DomainEvent) => void>();
  private readonly doorbells = new Set<() => void>();
  private lastDelivered = '0';
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private wokenWhilePumping = false;
  private stopped = false;

  constructor(private readonly options: EventFeedOptions) {}

  /** Starts at the newest stored event: listeners get what is committed from now on. */
  async start(): Promise<void> {
    this.lastDelivered = await this.options.store.latestId();
    await this.options.wakeSource.start(() => this.wake());
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

  /**
   * Called on every notification that events were committed (and on each poll), before the
   * relay reads them: for a consumer that reads the store itself (DurableEventConsumer), so
   * the relay need not read events only to tell it. Returns the function that stops it.
   */
  onWake(doorbell: () => void): () => void {
    this.doorbells.add(doorbell);
    return () => this.doorbells.delete(doorbell);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.pumping;
    await this.options.wakeSource.stop();
    this.listeners.clear();
    this.doorbells.clear();
  }

  private wake(): void {
    if (this.stopped) return;
    for (const doorbell of this.doorbells) doorbell();
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
          // Nobody listens (no subscription in this process): nothing to read, only where the
          // store has got to. A listener that arrives meanwhile makes it read as usual; one that
          // arrives later starts from the store itself (eventStream), never from this position.
          if (this.listeners.size === 0) {
            const latest = await this.options.store.latestId();
            if (this.listeners.size === 0) {
              this.lastDelivered = latest;
              break;
            }
          }
          const events = await this.options.store.readAfter(this.lastDelivered, batchSize, undefined, !this.options.withoutData);
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
}
