import type { Events } from '../../infra/events/events.js';
import type { RequestContext } from '../../infra/graphql/request-plugin.js';
import type { Logger } from '../../infra/logger.js';
import type { HealthMonitor } from './health-monitor.js';
import type { HealthRepository } from './health-repository.js';
import type { SlaTargets } from './health-rules.js';

export interface HealthContext extends RequestContext {
  events: Events;
  repository: HealthRepository;
  monitor: HealthMonitor;
  slaTargets: SlaTargets | undefined;
}

export function createContext(requestId: string, deps: Omit<HealthContext, 'requestId' | 'logger'> & { logger: Logger }): HealthContext {
  return { ...deps, requestId, logger: deps.logger.child({ requestId }) };
}
