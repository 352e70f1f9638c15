import { domainSubgraphEnv, loadConfig, type ConfigOf } from '../../infra/config.js';
import type { SubgraphDescriptor } from '../../infra/graphql/subgraph-descriptor.js';
import { eventRoutesEnv } from './event-routes.js';
import { bridgeEnv } from './bridges/bridge-config.js';
import { processorsEnv, PROCESSORS_CALLER } from './processors/processor-config.js';
import { webhooksEnv } from './webhooks/webhook-config.js';
import { pollingEnv, pollSourcesOf } from './polling/polling-config.js';
import { importsEnv } from './imports/import-config.js';

export const queuesEnv = { ...domainSubgraphEnv(4004), ...eventRoutesEnv, ...bridgeEnv, ...processorsEnv, ...webhooksEnv, ...pollingEnv, ...importsEnv };

export type QueuesConfig = ConfigOf<typeof queuesEnv>;

/** Durable message queues in the hub's PostgreSQL: publish, receive, ack, nack, dead letters. */
export const queues: SubgraphDescriptor<typeof queuesEnv, 'queues'> = {
  name: 'queues',
  defaultPort: 4004,
  // A small young generation: an import's rows die in it, and the process stays under 250 MB
  // through a million-row file (the image's --max-semi-space-size=64 is for the GraphQL servers).
  nodeArgs: ['--max-semi-space-size=8'],
  env: queuesEnv,
  callsRouter: PROCESSORS_CALLER,
  codegen: {
    context: 'QueuesContext',
    mappers: {
      Queue: '../queues-repository.js#QueueRow',
      QueueMessage: '../queues-repository.js#MessageRow',
      QueueMessageConnection: '../../../infra/db/pagination.js#Connection<MessageRow>',
      Topic: '../queues-repository.js#TopicRow',
      ConsumerGroup: '../queues-repository.js#TopicGroupRow',
      ReceivedMessage: '../queues-service.js#Received',
      WebhookEndpoint: '../webhooks/webhooks-repository.js#EndpointRow',
      WebhookDelivery: '../webhooks/webhooks-repository.js#DeliveryRow',
      WebhookAttempt: '../webhooks/webhooks-repository.js#AttemptRow',
      WebhookDeliveryConnection: '../../../infra/db/pagination.js#Connection<DeliveryRow>',
      WebhookEndpointSecret: '../webhooks/webhooks-service.js#EndpointWithSecret',
      InboundWebhookSource: '../inbound/inbound-repository.js#SourceRow',
      CreatedInboundWebhookSource: '../inbound/inbound-service.js#CreatedSource',
      InboundWebhook: '../inbound/inbound-repository.js#InboundWebhookRow',
      InboundWebhookConnection: '../../../infra/db/pagination.js#Connection<InboundWebhookRow>',
      InboundWebhookEvent: '../../../infra/events/event.js#DomainEvent',
      PollSource: '../polling/index.js#PollSourceView',
      ImportJob: '../imports/index.js#ImportJobRow',
      ImportFile: '../imports/index.js#ImportFileRow',
      ImportError: '../imports/index.js#ReportedRow',
      ImportErrorConnection: '../../../infra/db/pagination.js#Connection<ReportedRow>',
    },
  },
  start: async (env, deps) => {
    const config = loadConfig(queuesEnv, env);
    // POLL_SOURCES' headers name the variables holding their values: read from the same environment, at start-up.
    return (await import('./server.js')).start(config, { ...deps, pollSources: pollSourcesOf(config, env) });
  },
};
