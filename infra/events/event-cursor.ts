import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from '../logger.js';
import { retryDelay } from '../pause.js';
import type { DomainEvent } from './event.js';
import { EventStore } from './event-store.js';
import type { Events } from './events.js';

export interface DurableEventConsumerOptions<DB> {
  /** The cursor's name in events.cursors: one per consumer, shared by its replicas. */
  name: string;
  /** The domain's database; the handler's transaction is on it. */
  db: Kysely<DB>;
  events: Events;
  logger: Logger;
  /** Which events the handler sees; the cursor moves past the others too. Default: all. */
  accepts?: (event: DomainEvent) => boolean;
  /**
   * Does the consumer's work for a batch in `trx`, in which the cursor then moves past it: work
   * written to the database commits exactly once with the cursor; work sent elsewhere (a broker)
   * must be confirmed before the handler returns, and is sent again if the commit fails.
   */
  handle(events: DomainEvent[], trx: Transaction<DB>): Promise<void>;
  /**
   * True when no stored event can be for the consumer now (webhooks: no enabled endpoint): the
   * cursor then moves to the newest event without reading any, in the transaction that asked.
   */
  idle?(trx: Transaction<DB>): Promise<boolean>;
  batchSize?: number;
  /** A look at the store even without an event relayed, in case one was missed. Default 1000 ms. */
  pollIntervalMs?: number;
}

/**
 * A consumer of the event store that survives restarts: its position is a row of events.cursors,
 * created at the newest event when it first starts (it sees what is committed from then on) and
 * moved in the same transaction as its work. Replicas share the cursor: the one holding its row
 * lock works, the others skip the round. A failed batch is rolled back and tried again with
 * backoff; nothing is skipped.
 */
export class DurableEventConsumer<DB> {
  private readonly store: EventStore;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten = () => {};
  private failures = 0;
  private retryAt = 0;

  constructor(private readonly options: DurableEventConsumerOptions<DB>) {
    this.store = new EventStore(options.db);
  }

  async start(): Promise<void> {
    await sql`insert into events.cursors (name, position) values (${this.options.name}, (select coalesce(max(id), 0) from events.events))
      on conflict (name) do nothing`.execute(this.options.db);
    this.options.events.watchCursor(this.options.name);
    this.unlisten = this.options.events.onWake(() => void this.wake());
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 1_000);
    this.timer.unref();
    this.wake();
  }

  /** Runs a round now (or right after the current one); resolves when the store has nothing more for it. */
  wake(): Promise<void> {
    if (this.stopped || Date.now() < this.retryAt) return this.running ?? Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.unlisten();
    await this.running;
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.round())) {}
        this.failures = 0;
        this.retryAt = 0;
      } catch (error) {
        this.failures += 1;
        const delay = retryDelay(this.failures);
        this.retryAt = Date.now() + delay;
        this.options.logger.warn({ err: error, consumer: this.options.name, retryInMs: delay }, 'event consumer failed; retrying the batch');
        return;
      }
    } while (this.again && !this.stopped);
  }

  /** One batch in one transaction; true when there may be more. */
  private round(): Promise<boolean> {
    const { db, name, accepts, handle } = this.options;
    const batchSize = this.options.batchSize ?? 200;
    return db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ position: string }>`select position::text as position from events.cursors where name = ${name} for update skip locked`.execute(trx);
      const position = rows[0]?.position;
      if (position === undefined) return false; // another replica holds it
      if (this.options.idle && (await this.options.idle(trx))) {
        await sql`update events.cursors set position = greatest(position, (select coalesce(max(id), 0) from events.events)), updated_at = now() where name = ${name}`.execute(trx);
        return false;
      }
      let from = position;
      const pruned = await this.store.prunedThrough();
      if (BigInt(from) < BigInt(pruned)) {
        this.options.logger.error({ consumer: name, position: from, prunedThrough: pruned }, 'events after the cursor were removed by retention before this consumer read them');
        from = pruned;
      }
      const events = await new EventStore(trx).readAfter(from, batchSize);
      const last = events.at(-1)?.id ?? from;
      if (last === position) return false;
      const wanted = accepts ? events.filter(accepts) : events;
      if (wanted.length > 0) await handle(wanted, trx);
      await sql`update events.cursors set position = ${last}::bigint, updated_at = now() where name = ${name}`.execute(trx);
      return events.length === batchSize;
    });
  }
}

/** Event types as configured: `order.*` matches every type starting `order.`, `*` every type. */
export function eventTypeMatcher(patterns: readonly string[]): (type: string) => boolean {
  const exact = new Set(patterns.filter((pattern) => !pattern.endsWith('*')));
  const prefixes = patterns.filter((pattern) => pattern.endsWith('*')).map((pattern) => pattern.slice(0, -1));
  return (type) => exact.has(type) || prefixes.some((prefix) => type.startsWith(prefix));
}
