import type { RequestContext } from '../../infra/graphql/request-plugin.js';
import type { Events } from '../../infra/events/events.js';
import type { Logger } from '../../infra/logger.js';
import type { CustomersRepository } from './customers-repository.js';
import type { CustomersService } from './customers-service.js';
import type { CustomersImport } from './customers-import.js';
import { createLoaders, type CustomerLoaders } from './loaders.js';

export interface CustomersContext extends RequestContext {
  events: Events;
  loaders: CustomerLoaders;
  repository: CustomersRepository;
  customers: CustomersService;
  customersImport: CustomersImport;
}

export function createContext(
  requestId: string,
  deps: { logger: Logger; events: Events; repository: CustomersRepository; service: CustomersService; customersImport: CustomersImport },
): CustomersContext {
  return {
    requestId,
    logger: deps.logger.child({ requestId }),
    events: deps.events,
    loaders: createLoaders(deps.repository),
    repository: deps.repository,
    customers: deps.service,
    customersImport: deps.customersImport,
  };
}
