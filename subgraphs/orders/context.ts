import type { RequestContext } from '../../infra/graphql/request-plugin.js';
import type { Events } from '../../infra/events/events.js';
import type { Logger } from '../../infra/logger.js';
import { createLoaders, type OrderLoaders } from './loaders.js';
import type { OrdersImport } from './orders-import.js';
import type { OrdersRepository } from './orders-repository.js';
import type { OrdersService } from './orders-service.js';

export interface OrdersContext extends RequestContext {
  events: Events;
  loaders: OrderLoaders;
  repository: OrdersRepository;
  orders: OrdersService;
  ordersImport: OrdersImport;
}

export function createContext(
  requestId: string,
  deps: { logger: Logger; events: Events; repository: OrdersRepository; service: OrdersService; ordersImport: OrdersImport },
): OrdersContext {
  return {
    requestId,
    logger: deps.logger.child({ requestId }),
    events: deps.events,
    loaders: createLoaders(deps.repository),
    repository: deps.repository,
    orders: deps.service,
    ordersImport: deps.ordersImport,
  };
}
