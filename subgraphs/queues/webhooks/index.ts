import { startRetention } from '../../../infra/db/retention.js';
import { createDatabase } from '../../../infra/db/database.js';
import { poolMetrics } from '../../../infra/db/pool-metrics.js';
import { createOutboundHttp } from '../../../infra/http/outbound-http.js';
import { QueuesRepository, type QueuesTables } from '../queues-repository.js';
import type { QueueWorkerDeps } from '../workers.js';
import { startDeliveryConsumer } from './delivery-consumer.js';
import { DeliveryUpdates } from './delivery-updates.js';
import { createWebhookLoaders, type WebhookLoaders } from './webhook-loaders.js';
import { WebhookSender } from './webhook-sender.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { WebhooksRepository } from './webhooks-repository.js';
import { WebhooksService } from './webhooks-service.js';

export { webhooksEnv } from './webhook-config.js';
export { webhookResolvers } from './webhook-resolvers.js';

/** What a request's resolvers use (QueuesContext.webhooks). */
export interface WebhookRequest {
  service: WebhooksService;
  loaders: WebhookLoaders;
}

export interface Webhooks {
  /** The per-request part of the context: the service and fresh loaders. */
  forRequest(): WebhookRequest;
}

/**
 * Outbound webhooks: the delivery consumer (hub events to deliveries, exactly once, cursor
 * `webhooks.deliveries`) and this process's sender (one loop per enabled endpoint). Both stop with
 * the subgraph; the sender settles its requests in flight first.
 *
 * The two work on a pool of their own (WEBHOOK_DB_POOL_MAX connections, same database and schema),
 * so that deliveries never take the connections requests need, and requests never hold deliveries
 * up; the resolvers use the subgraph's pool.
 */
export async function startWebhooks(deps: QueueWorkerDeps): Promise<Webhooks> {
  const { config } = deps;
  const committed = () => deps.events.committed();
  const workerDatabase = createDatabase<QueuesTables>({
    url: config.DATABASE_URL,
    poolMax: config.WEBHOOK_DB_POOL_MAX,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    schema: 'queues',
    logger: deps.logger,
  });
  // Registered first, so it runs last: after the consumer and the sender have stopped.
  deps.onStop(() => workerDatabase.close());
  if (deps.metrics) poolMetrics(deps.metrics).watch('webhooks', () => workerDatabase.poolStats());
  const workerQueues = new QueuesRepository(workerDatabase.db, committed, deps.queueMetrics);
  const background = new WebhooksRepository(workerDatabase.db, workerQueues, committed);
  const repository = new WebhooksRepository(deps.db, deps.repository, committed);
  const http = createOutboundHttp({ allowedHosts: config.WEBHOOK_ALLOWED_HOSTS, timeoutMs: config.WEBHOOK_TIMEOUT_MS });
  const sender = new WebhookSender({
    repository: background,
    queues: workerQueues,
    signals: deps.signals,
    http,
    logger: deps.logger.child({ worker: 'webhooks' }),
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    disableAfterSeconds: config.WEBHOOK_DISABLE_AFTER_SECONDS,
    metrics: deps.metrics && new WebhookMetrics(deps.metrics),
  });
  const deliveryUpdates = new DeliveryUpdates(config.DATABASE_URL, deps.logger);
  await deliveryUpdates.start();
  deps.onStop(() => deliveryUpdates.stop());
  const service = new WebhooksService(repository, deliveryUpdates, (endpointId) => void sender.refresh(endpointId));
  await startDeliveryConsumer({ ...deps, db: workerDatabase.db }, background);
  sender.start();
  deps.onStop(() => sender.stop());
  deps.onStop(startRetention('webhook deliveries', config.WEBHOOK_RETENTION_DAYS, (before) => background.pruneDeliveries(before), deps.logger));
  return { forRequest: () => ({ service, loaders: createWebhookLoaders(repository) }) };
}
