import { Counter, Gauge } from 'prom-client';
import type { Logger } from '../../infra/logger.js';
import { BoundedLabel, type Registry } from '../../infra/metrics/metrics-registry.js';
import type { QueuesRepository } from './queues-repository.js';

/** What /metrics shows of one `queue` label. */
interface QueueGauges {
  size: number;
  lag: number;
  deadLetters: number;
}

/** Distinct queue names that get a series of their own; the rest are `other`. */
const MAX_QUEUE_LABELS = 500;

/** Every webhook endpoint has a queue named `webhook.<endpoint id>`: one label for them all, no ids. */
const WEBHOOK_QUEUE = /^webhook\./;

/**
 * The message broker's counters, named as the seed names them:
 * `message_broker_messages_produced_total{queue}` and `message_broker_messages_consumed_total{queue}`
 * (a message is consumed when it is acked, or received from an AT_MOST_ONCE queue). They are
 * counted when the statement that records them runs, inside its transaction: a transaction that
 * then rolls back (rare: a failed event-route batch) has counted anyway.
 */
export class QueueMetrics {
  private readonly labels = new BoundedLabel(MAX_QUEUE_LABELS);
  private readonly produced: Counter<'queue'>;
  private readonly consumed: Counter<'queue'>;

  constructor(private readonly registry: Registry) {
    this.produced = new Counter({ name: 'message_broker_messages_produced_total', help: 'Messages published to a queue', labelNames: ['queue'] as const, registers: [registry] });
    this.consumed = new Counter({
      name: 'message_broker_messages_consumed_total',
      help: 'Messages consumed from a queue (acked, or received from an AT_MOST_ONCE queue)',
      labelNames: ['queue'] as const,
      registers: [registry],
    });
  }

  /** The `queue` label of a queue: its name (bounded), `webhooks` for the webhook endpoints' queues. */
  queueLabel(name: string): string {
    return WEBHOOK_QUEUE.test(name) ? 'webhooks' : this.labels.of(name);
  }

  count(queue: string, counter: 'published' | 'processed', amount: number): void {
    (counter === 'published' ? this.produced : this.consumed).inc({ queue: this.queueLabel(queue) }, amount);
  }

  /**
   * `message_broker_queue_size{queue}` (messages available now), `message_broker_consumer_lag{queue}`
   * (seconds the oldest waiting or in-flight message has waited) and `message_broker_dead_letters{queue}`
   * (dead letters kept, waiting for a replay or their retention), read from the queues' statistics
   * when /metrics is read: one statement over every queue. Webhook endpoints' queues are summed
   * (size, dead letters) and the largest taken (lag).
   */
  watchQueues(repository: QueuesRepository, logger: Logger): void {
    const registry = this.registry;
    let read: Promise<Map<string, QueueGauges>> | undefined;
    let warnedAt = 0;
    // The two gauges share one read per scrape: prom-client starts every collect before awaiting any.
    const current = () =>
      (read ??= (async () => {
        const queues = await repository.list();
        const stats = await repository.statsOf(queues.map((queue) => queue.id));
        const byLabel = new Map<string, QueueGauges>();
        for (const queue of queues) {
          const stat = stats.get(queue.id);
          if (!stat) continue;
          const label = this.queueLabel(queue.name);
          const entry = byLabel.get(label) ?? { size: 0, lag: 0, deadLetters: 0 };
          entry.size += stat.depth;
          entry.lag = Math.max(entry.lag, stat.oldestAgeSeconds);
          entry.deadLetters += stat.deadLetters;
          byLabel.set(label, entry);
        }
        return byLabel;
      })().finally(() => (read = undefined)));
    const collectInto = (gauge: Gauge<'queue'>, pick: (entry: QueueGauges) => number) =>
      current().then(
        (byLabel) => {
          gauge.reset();
          for (const [queue, entry] of byLabel) gauge.set({ queue }, pick(entry));
        },
        (error: unknown) => {
          if (Date.now() - warnedAt < 60_000) return;
          warnedAt = Date.now();
          logger.warn({ err: error }, 'reading queue statistics for /metrics failed');
        },
      );
    new Gauge({
      name: 'message_broker_queue_size',
      help: 'Messages available for consumers in a queue now (not delayed, in flight, done or dead)',
      labelNames: ['queue'] as const,
      registers: [registry],
      collect() {
        return collectInto(this, (entry) => entry.size);
      },
    });
    new Gauge({
      name: 'message_broker_consumer_lag',
      help: 'Seconds the oldest message of a queue not yet consumed (available, delayed or in flight) has waited',
      labelNames: ['queue'] as const,
      registers: [registry],
      collect() {
        return collectInto(this, (entry) => entry.lag);
      },
    });
    new Gauge({
      name: 'message_broker_dead_letters',
      help: 'Dead letters kept in a queue (failed past their attempts or expired), waiting for a replay or their retention',
      labelNames: ['queue'] as const,
      registers: [registry],
      collect() {
        return collectInto(this, (entry) => entry.deadLetters);
      },
    });
  }
}
