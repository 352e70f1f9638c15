import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../infra/graphql/request-plugin.js';
import type { Logger } from '../infra/logger.js';

export interface RouterContext extends RequestContext {
  /** Client headers to pass on to every subgraph fetch of this request. */
  forwardedHeaders: Record<string, string>;
}

export function createContext(req: IncomingMessage, requestId: string, deps: { logger: Logger; forwardHeaders: readonly string[] }): RouterContext {
  const forwardedHeaders: Record<string, string> = {};
  for (const name of deps.forwardHeaders) {
    const value = req.headers[name];
    if (typeof value === 'string') forwardedHeaders[name] = value;
  }
  return { requestId, logger: deps.logger.child({ requestId }), forwardedHeaders };
}
