import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { BlockList } from 'node:net';
import { GraphQLError } from 'graphql';
import type { Principal } from '../infra/auth/principal.js';
import type { CacheRequestState } from './cache/response-cache.js';
import { dependencyUnavailable, ErrorCode } from '../infra/errors.js';
import { rateLimitedError } from './limits/rate-limits.js';
import type { RequestContext } from '../infra/graphql/request-plugin.js';
import { clientIp } from '../infra/http/client-ip.js';
import { offeredRequestId } from '../infra/http/request-id.js';
import type { Logger } from '../infra/logger.js';
import { credentialsFromHeaders, type Authentication, type Authenticator } from './auth/authenticator.js';

export interface RouterContext extends RequestContext {
  /**
   * The x-request-id the client sent, or null. `requestId` is always the router's own: in the
   * response header, on log lines, in errors, sent to subgraphs; the client's is kept beside it
   * on log lines and in audit records.
   */
  clientRequestId?: string | null;
  /** The verified caller; absent for a request without credentials (or with credentials that were refused). */
  principal?: Principal;
  /** What the response cache found for this request before Apollo Server ran. */
  cache?: CacheRequestState;
  /** The guard's verdict when it already ran for this request (the response cache checks before serving). */
  guarded?: { refused: GraphQLError | undefined };
  /**
   * Set when the request's credentials were refused (UNAUTHENTICATED, with the reason) or could
   * not be checked (DEPENDENCY_UNAVAILABLE); the router's guard answers every operation with it.
   */
  credentialsError?: GraphQLError;
  /** The caller's address (the TCP peer): the rate-limit key of a caller without credentials. */
  clientIp: string;
  /** Client headers to pass on to every subgraph fetch of this request. */
  forwardedHeaders: Record<string, string>;
  /** When the whole operation must be done (epoch ms); subgraph calls after it fail with TIMEOUT. */
  deadline?: number;
  /** When the router began with the request (`performance.now()`), for api_gateway_request_duration_seconds. */
  startedAt?: number;
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

export interface ContextDeps {
  logger: Logger;
  /** Verifies the request's bearer token or API key. */
  authenticator: Authenticator;
  forwardHeaders: readonly string[];
  /** The overall deadline of an HTTP operation, from its start. */
  operationTimeoutMs?: number;
  /** Proxies whose X-Forwarded-For tells the caller's address (TRUSTED_PROXIES). */
  trustedProxies?: BlockList;
}

function pick(deps: Pick<ContextDeps, 'forwardHeaders'>, lookup: (name: string) => unknown): RouterContext['forwardedHeaders'] {
  const forwarded: Record<string, string> = {};
  for (const name of deps.forwardHeaders) {
    const value = lookup(name);
    if (typeof value === 'string') forwarded[name] = value;
  }
  return forwarded;
}

/** The error an operation gets for credentials that did not verify; it never repeats them. */
export function credentialsError(authentication: Authentication): GraphQLError | undefined {
  if (authentication.outcome === 'ok') return undefined;
  if (authentication.outcome === 'unavailable') return dependencyUnavailable('access');
  if (authentication.outcome === 'throttled') return rateLimitedError({ limit: 'authentication', retryAfterSeconds: authentication.retryAfterSeconds });
  return new GraphQLError(`Invalid credentials: ${authentication.reason}`, {
    extensions: { code: ErrorCode.Unauthenticated, reason: authentication.reason, http: { status: 401 } },
  });
}

/**
 * The context of an HTTP request. Its logger is made on first use (an answer from the response
 * cache logs nothing), by a getter on the prototype: a getter in an object literal would cost an
 * old-generation accessor pair per request, and keep the request alive from old space until a
 * full collection. Apollo Server's copy of a context keeps the prototype.
 */
class HttpRequestContext implements RouterContext {
  private requestLogger?: Logger;
  principal?: Principal;
  credentialsError?: GraphQLError;
  cache?: CacheRequestState;
  guarded?: { refused: GraphQLError | undefined };
  deadline?: number;
  startedAt?: number;

  constructor(
    readonly requestId: string,
    readonly clientRequestId: string | null,
    private readonly rootLogger: Logger,
    readonly clientIp: string,
    readonly forwardedHeaders: Record<string, string>,
  ) {}

  get logger(): Logger {
    return (this.requestLogger ??= this.rootLogger.child({ requestId: this.requestId, clientRequestId: this.clientRequestId ?? undefined }));
  }
}

/** Context for an HTTP request: its credentials are verified here, once, before the operation is parsed. */
export async function createContext(req: IncomingMessage, requestId: string, deps: ContextDeps): Promise<RouterContext> {
  const startedAt = performance.now();
  const address = clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], deps.trustedProxies);
  const authentication = await deps.authenticator.authenticate(credentialsFromHeaders(req.headers), address);
  const context = new HttpRequestContext(requestId, offeredRequestId(req.headers), deps.logger, address, pick(deps, (name) => req.headers[name]));
  if (authentication.outcome === 'ok') context.principal = authentication.principal;
  context.credentialsError = credentialsError(authentication);
  if (deps.operationTimeoutMs !== undefined) context.deadline = Date.now() + deps.operationTimeoutMs;
  context.startedAt = startedAt;
  return context;
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
    /** Authenticated once per connection, in `connection_init`; a connection with bad credentials was closed (4403). */
    principal?: Principal;
    clientIp?: string;
    socket: SubscriberSocket;
  },
  deps: Omit<ContextDeps, 'authenticator'>,
): RouterContext {
  const params = Object.fromEntries(Object.entries(connection.connectionParams).map(([key, value]) => [key.toLowerCase(), value]));
  const requestId = randomUUID();
  const clientRequestId = offeredRequestId(connection.headers);
  return {
    requestId,
    clientRequestId,
    logger: deps.logger.child({ requestId, clientRequestId: clientRequestId ?? undefined }),
    principal: connection.principal,
    clientIp: clientIp(connection.clientIp, connection.headers['x-forwarded-for'], deps.trustedProxies),
    forwardedHeaders: pick(deps, (name) => params[name] ?? connection.headers[name]),
    socket: connection.socket,
    startedAt: performance.now(),
  };
}
