import pg from 'pg';
import type { Logger } from '../logger.js';
import type { WakeSource } from './event-feed.js';
import { EVENTS_CHANNEL } from './event-store.js';

/**
 * Wake-ups from PostgreSQL LISTEN on one dedicated connection per process. Writers need do
 * nothing more: appendEvents sends NOTIFY in their transaction, delivered on commit. A wake-up
 * carries the notification's payload; the one after each (re)connection carries none.
 */
export class PostgresWakeSource implements WakeSource {
  private client: pg.Client | undefined;
  private reconnectDelayMs = 100;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly channel = EVENTS_CHANNEL,
  ) {}

  async start(wake: (payload?: string) => void): Promise<void> {
    await this.connect(wake, true);
  }

  notifyCommitted(): void {}

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => {});
  }

  private async connect(wake: (payload?: string) => void, first: boolean): Promise<void> {
    // A reconnection scheduled before stop() opens nothing after it.
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, application_name: this.channel === EVENTS_CHANNEL ? 'interchange-event-relay' : `interchange-${this.channel}` });
    const reconnect = () => {
      if (this.stopped || this.client !== client) return;
      this.client = undefined;
      const delay = this.reconnectDelayMs;
      this.reconnectDelayMs = Math.min(delay * 2, 5_000);
      this.logger.warn({ delayMs: delay, channel: this.channel }, 'lost the PostgreSQL connection that listens for notifications; reconnecting');
      setTimeout(() => void this.connect(wake, false), delay).unref();
    };
    client.on('notification', (message) => wake(message.payload));
    client.on('error', reconnect);
    client.on('end', reconnect);
    this.client = client;
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
    } catch (error) {
      if (first) throw error;
      reconnect();
      return;
    }
    this.reconnectDelayMs = 100;
    // Whatever was committed while disconnected.
    wake();
  }
}
