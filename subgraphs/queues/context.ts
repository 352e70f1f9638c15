import type { RequestContext } from '../../infra/graphql/request-plugin.js';
import type { Logger } from '../../infra/logger.js';
import { createLoaders, type QueueLoaders } from './loaders.js';
import type { QueuesRepository } from './queues-repository.js';
import type { QueuesService } from './queues-service.js';
import type { QueueSignals } from './queue-signals.js';
import type { InboundContext, InboundWebhooks } from './inbound/index.js';
import type { WebhookRequest, Webhooks } from './webhooks/index.js';
import type { Polling } from './polling/index.js';
import type { Imports } from './imports/index.js';

export interface QueuesContext extends RequestContext {
  loaders: QueueLoaders;
  repository: QueuesRepository;
  queues: QueuesService;
  signals: QueueSignals;
  inbound: InboundContext;
  webhooks: WebhookRequest;
  polling: Polling;
  imports: Imports;
}

export function createContext(requestId: string, deps: { logger: Logger; repository: QueuesRepository; service: QueuesService; signals: QueueSignals; inbound: InboundWebhooks; webhooks: Webhooks; polling: Polling; imports: Imports }): QueuesContext {
  return {
    requestId,
    logger: deps.logger.child({ requestId }),
    loaders: createLoaders(deps.repository),
    repository: deps.repository,
    queues: deps.service,
    signals: deps.signals,
    inbound: deps.inbound.context(),
    webhooks: deps.webhooks.forRequest(),
    polling: deps.polling,
    imports: deps.imports,
  };
}
