import type { RequestContext } from '../../infra/graphql/request-plugin.js';
import type { Logger } from '../../infra/logger.js';
import type { AccessRepository } from './access-repository.js';
import type { AccessService } from './access-service.js';

export interface AccessContext extends RequestContext {
  repository: AccessRepository;
  access: AccessService;
}

export function createContext(requestId: string, deps: { logger: Logger; repository: AccessRepository; service: AccessService }): AccessContext {
  return {
    requestId,
    logger: deps.logger.child({ requestId }),
    repository: deps.repository,
    access: deps.service,
  };
}
