import type { Delivery } from './receipts.js';
import type { QueueRow, QueuesRepository } from './queues-repository.js';
import type { QueueSignals } from './queue-signals.js';
import type { QueuesService, Received } from './queues-service.js';

/** How long an idle subscriber waits before it looks again without a wake-up (delays and retries coming due, timeouts). */
const IDLE_LOOK_MS = 1_000;

/**
 * One push subscriber of a queue (queueMessages): a competing consumer that claims at most
 * `prefetch` messages at a time, each for `visibilitySeconds`, and claims more as its
 * deliveries are acked, nacked or time out. Woken by QueueSignals when the queue may have
 * something; otherwise it looks every second.
 *
 * When the client goes, what it was sent and has not acked becomes available again at once (a
 * failed attempt, as a nack), and what was claimed but not yet sent goes back uncounted. It is
 * an iterator of its own rather than a generator so that ending it does not wait for a claim.
 */
export class QueueSubscription implements AsyncIterableIterator<Received> {
  /** Sent and not yet known to be acked, by message id. */
  private readonly unacked = new Map<string, Delivery>();
  /** Claimed, not yet sent. */
  private readonly pending: Received[] = [];
  private readonly stopping = new AbortController();
  private claiming: Promise<void> | undefined;
  private ended = false;

  constructor(
    private readonly deps: { service: QueuesService; repository: QueuesRepository; signals: QueueSignals },
    private readonly queue: QueueRow,
    private readonly visibilitySeconds: number,
    private readonly prefetch: number,
    private readonly requestId: string | null,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Received>> {
    while (!this.ended) {
      const received = this.pending.shift();
      if (received) {
        this.unacked.set(received.message.id, received.delivery);
        return { value: received, done: false };
      }
      const seen = this.deps.signals.count(this.queue.id);
      this.claiming = this.claim();
      await this.claiming;
      this.claiming = undefined;
      if (this.pending.length === 0 && !this.ended) await this.deps.signals.wait(this.queue.id, IDLE_LOOK_MS, this.stopping.signal, seen);
    }
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<Received>> {
    if (!this.ended) {
      this.ended = true;
      this.stopping.abort();
      await this.claiming?.catch(() => {});
      const unsent = this.pending.splice(0).map((received) => received.delivery);
      await this.deps.repository.release([...this.unacked.values()], unsent, 'subscriber gone before acking', this.requestId);
      this.unacked.clear();
    }
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<Received>> {
    await this.return();
    throw error;
  }

  /** Forgets deliveries that are done with, then claims as many as the prefetch has room for. */
  private async claim(): Promise<void> {
    if (this.unacked.size > 0) {
      const held = await this.deps.repository.stillInFlight([...this.unacked.values()]);
      for (const id of this.unacked.keys()) if (!held.has(id)) this.unacked.delete(id);
    }
    const room = this.prefetch - this.unacked.size;
    if (room <= 0 || this.ended) return;
    this.pending.push(...(await this.deps.service.claim(this.queue, room, this.visibilitySeconds, this.requestId)));
  }
}
