import type { RequestContext } from '../../infra/graphql/request-plugin.js';
import type { Logger } from '../../infra/logger.js';
import { createLoaders, type SapLoaders } from './loaders.js';
import type { SapRepository } from './sap-repository.js';
import type { SapService } from './sap-service.js';

export interface SapContext extends RequestContext {
  loaders: SapLoaders;
  repository: SapRepository;
  sap: SapService;
}

export function createContext(requestId: string, deps: { logger: Logger; repository: SapRepository; service: SapService }): SapContext {
  return {
    requestId,
    logger: deps.logger.child({ requestId }),
    loaders: createLoaders(deps.service, deps.repository),
    repository: deps.repository,
    sap: deps.service,
  };
}
