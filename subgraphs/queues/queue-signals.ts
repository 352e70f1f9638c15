import { PostgresWakeSource } from '../../infra/events/postgres-wake-source.js';
import type { Logger } from '../../infra/logger.js';

/** The channel on which a queue's id is announced when a message may have become deliverable on it. */
export const QUEUES_CHANNEL = 'interchange_queues';

/**
 * Tells this process's consumers (subscriptions, processors, bridges) that a queue may have
 * something for them: the repository sends NOTIFY with the queue's id in the transaction that
 * publishes, nacks, acks or replays, and every replica LISTENs on one connection. A wake-up is a
 * hint: waiters also give up after their timeout and look anyway (for delays and retries coming due).
 */
export class QueueSignals {
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Wake-ups seen per queue, so that one arriving while a consumer was busy is not missed (see wait's `seen`). */
  private readonly counts = new Map<string, number>();
  private readonly source: PostgresWakeSource;

  constructor(url: string, logger: Logger) {
    this.source = new PostgresWakeSource(url, logger, QUEUES_CHANNEL);
  }

  start(): Promise<void> {
    // Without a payload (after a reconnection) every waiter looks.
    return this.source.start((queueId) => (queueId ? this.wake(queueId) : this.wakeAll()));
  }

  /** How many times `queueId` was announced so far: read it before looking at the queue, pass it to wait() after. */
  count(queueId: string): number {
    return this.counts.get(queueId) ?? 0;
  }

  /**
   * Resolves when `queueId` is announced, after `timeoutMs`, or when `signal` aborts, whichever is
   * first; at once when it was announced since `seen` (its count() before the caller last looked).
   */
  wait(queueId: string, timeoutMs: number, signal?: AbortSignal, seen?: number): Promise<void> {
    if (signal?.aborted || (seen !== undefined && this.count(queueId) > seen)) return Promise.resolve();
    return new Promise((resolve) => {
      let waiters = this.waiters.get(queueId);
      if (!waiters) this.waiters.set(queueId, (waiters = new Set()));
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(queueId) === waiters) this.waiters.delete(queueId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      waiters.add(done);
    });
  }

  /** Wakes this process's waiters on `queueId` (what a NOTIFY does for every replica). */
  wake(queueId: string): void {
    if (this.counts.size > 100_000) this.counts.clear();
    this.counts.set(queueId, this.count(queueId) + 1);
    for (const done of [...(this.waiters.get(queueId) ?? [])]) done();
  }

  async stop(): Promise<void> {
    this.wakeAll();
    await this.source.stop();
  }

  private wakeAll(): void {
    for (const queueId of new Set([...this.waiters.keys(), ...this.counts.keys()])) this.wake(queueId);
  }
}
