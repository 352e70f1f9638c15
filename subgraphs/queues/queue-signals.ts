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
  private readonly source: PostgresWakeSource;

  constructor(url: string, logger: Logger) {
    this.source = new PostgresWakeSource(url, logger, QUEUES_CHANNEL);
  }

  start(): Promise<void> {
    // Without a payload (after a reconnection) every waiter looks.
    return this.source.start((queueId) => (queueId ? this.wake(queueId) : this.wakeAll()));
  }

  /** Resolves when `queueId` is announced, after `timeoutMs`, or when `signal` aborts, whichever is first. */
  wait(queueId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
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
    for (const done of [...(this.waiters.get(queueId) ?? [])]) done();
  }

  async stop(): Promise<void> {
    this.wakeAll();
    await this.source.stop();
  }

  private wakeAll(): void {
    for (const queueId of [...this.waiters.keys()]) this.wake(queueId);
  }
}
