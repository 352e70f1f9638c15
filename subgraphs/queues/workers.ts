import type { Kysely } from 'kysely';
import type { Events } from '../../infra/events/events.js';
import type { Logger } from '../../infra/logger.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';
import type { QueueMetrics } from './queue-metrics.js';
import type { QueueSignals } from './queue-signals.js';
import type { QueuesRepository, QueuesTables } from './queues-repository.js';
import type { QueuesService } from './queues-service.js';
import type { QueuesConfig } from './subgraph.js';

/**
 * What the queues domain's background workers (event routes, processors, broker bridges) share
 * with its resolvers. A worker registers its stop with `onStop`: it runs when the subgraph stops,
 * after requests have drained, before the pool closes.
 */
export interface QueueWorkerDeps {
  config: QueuesConfig;
  db: Kysely<QueuesTables>;
  events: Events;
  repository: QueuesRepository;
  service: QueuesService;
  signals: QueueSignals;
  logger: Logger;
  /** The service's metrics and its message counters; undefined when metrics are off. */
  metrics?: Registry;
  queueMetrics?: QueueMetrics;
  onStop(stop: () => Promise<void> | void): void;
}

/** A worker's lease (on a polling source, an import job) is no longer this replica's: it ran out and another took over. Stop without writing. */
export class LeaseLost extends Error {
  override name = 'LeaseLost';
}
