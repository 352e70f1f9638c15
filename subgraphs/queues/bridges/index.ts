import { ConfigError } from '../../../infra/config.js';
import type { QueueWorkerDeps } from '../workers.js';
import type { Broker } from './broker.js';
import { startEventMirror } from './event-mirror.js';
import { exportQueue } from './queue-export.js';

/** The settings of a bridge that mean nothing without its URL: set without it, they are a configuration error rather than silently ignored. */
const AMQP_ONLY = ['AMQP_EVENT_TYPES', 'AMQP_EXPORT_QUEUES', 'AMQP_IMPORT'] as const;
const NATS_ONLY = ['NATS_EVENT_TYPES', 'NATS_EXPORT_QUEUES', 'NATS_IMPORT'] as const;

/**
 * Starts the broker bridges that are configured (AMQP_URL: RabbitMQ, NATS_URL: NATS JetStream),
 * each connecting in the background, and registers their stop with `deps.onStop`: the export
 * loops and event mirrors stop first, then the connections close.
 */
export async function startBridges(deps: QueueWorkerDeps): Promise<void> {
  const { config } = deps;
  const unused = [...(config.AMQP_URL ? [] : AMQP_ONLY), ...(config.NATS_URL ? [] : NATS_ONLY)].filter((name) => config[name].length > 0);
  if (unused.length > 0) throw new ConfigError(`Invalid configuration:\n${unused.map((name) => `  ${name}: is set, but ${name.split('_')[0]}_URL is not`).join('\n')}`);

  // Each broker's client library is loaded only when its bridge is configured.
  if (config.AMQP_URL) {
    const { AmqpBridge } = await import('./amqp-bridge.js');
    const broker = new AmqpBridge({ url: config.AMQP_URL, exchange: config.AMQP_EXCHANGE, imports: config.AMQP_IMPORT, repository: deps.repository, logger: deps.logger });
    await startMirrorAndExports(deps, broker, config.AMQP_EVENT_TYPES, config.AMQP_EXPORT_QUEUES);
  }
  if (config.NATS_URL) {
    const { NatsBridge } = await import('./nats-bridge.js');
    const broker = new NatsBridge({
      url: config.NATS_URL,
      stream: config.NATS_STREAM,
      subjectPrefix: config.NATS_SUBJECT_PREFIX,
      imports: config.NATS_IMPORT,
      repository: deps.repository,
      logger: deps.logger,
    });
    await startMirrorAndExports(deps, broker, config.NATS_EVENT_TYPES, config.NATS_EXPORT_QUEUES);
  }
}

async function startMirrorAndExports(
  deps: QueueWorkerDeps,
  broker: Broker,
  eventTypes: readonly string[],
  exportQueues: readonly string[],
): Promise<void> {
  const stopping = new AbortController();
  let stopMirror = async () => {};
  const exports: Promise<void>[] = [];
  // Registered first, so that the broker closes also when the subgraph fails to start after this.
  deps.onStop(async () => {
    stopping.abort();
    await Promise.allSettled([...exports, stopMirror()]);
    await broker.stop();
  });
  await broker.start();
  if (eventTypes.length > 0) stopMirror = await startEventMirror(deps, broker, eventTypes);
  for (const queue of exportQueues) exports.push(exportQueue(deps, broker, queue, stopping.signal));
}
