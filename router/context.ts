import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Principal } from '../infra/auth/principal.js';
import type { RequestContext } from '../infra/graphql/request-plugin.js';
import type { Logger } from '../infra/logger.js';

export interface RouterContext extends RequestContext {
  /** The verified caller; absent for a request without credentials. */
  principal?: Principal;
  /** Client headers to pass on to every subgraph fetch of this request. */
  forwardedHeaders: Record<string, string>;
  /** When the whole operation must be done (epoch ms); subgraph calls after it fail with TIMEOUT. */
  deadline?: number;
  /** For a subscription over graphql-ws: its socket, to send pre-serialised events to. */
  socket?: SubscriberSocket;
}

export interface SubscriberSocket {
  /** The graphql-ws id of this subscription on its socket. */
  subscriptionId: string;
  send(message: string): void;
  /** Bytes queued on the socket, not yet handed to the kernel. */
  bufferedBytes(): number;
  disconnect(code: number, reason: string): void;
}

interface ContextDeps {
  logger: Logger;
  forwardHeaders: readonly string[];
  /** The overall deadline of an HTTP operation, from its start. */
  operationTimeoutMs?: number;
}

function pick(deps: ContextDeps, lookup: (name: string) => unknown): RouterContext['forwardedHeaders'] {
  const forwarded: Record<string, string> = {};
  for (const name of deps.forwardHeaders) {
    const value = lookup(name);
    if (typeof value === 'string') forwarded[name] = value;
  }
  return forwarded;
}

export function createContext(req: IncomingMessage, requestId: string, deps: ContextDeps): RouterContext {
  return {
    requestId,
    logger: deps.logger.child({ requestId }),
    forwardedHeaders: pick(deps, (name) => req.headers[name]),
    deadline: deps.operationTimeoutMs === undefined ? undefined : Date.now() + deps.operationTimeoutMs,
  };
}

/**
 * Context for an operation over graphql-ws. Browsers cannot set headers on a WebSocket, so a
 * forwarded header may also come in `connection_init`'s payload (any letter case).
 */
export function createSocketContext(
  connection: {
    requestId: string;
    headers: IncomingHttpHeaders;
    connectionParams: Record<string, unknown>;
    socket: SubscriberSocket;
  },
  deps: ContextDeps,
): RouterContext {
  const params = Object.fromEntries(Object.entries(connection.connectionParams).map(([key, value]) => [key.toLowerCase(), value]));
  return {
    requestId: connection.requestId,
    logger: deps.logger.child({ requestId: connection.requestId }),
    forwardedHeaders: pick(deps, (name) => params[name] ?? connection.headers[name]),
    socket: connection.socket,
  };
}
