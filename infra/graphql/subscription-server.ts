import type { IncomingHttpHeaders, Server } from 'node:http';
import type { ExecutionArgs, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Principal } from '../auth/principal.js';
import { requestIdFrom } from '../http/request-id.js';
import type { Logger } from '../logger.js';

/** The close code that tells graphql-ws clients to reconnect (to another replica). */
export const GOING_AWAY = 1001;

export interface SubscriptionConnection {
  /** The x-request-id sent at the WebSocket upgrade, or a new one for each operation. */
  requestId: string;
  /** Headers of the WebSocket upgrade request. */
  headers: IncomingHttpHeaders;
  /** The payload of graphql-ws `connection_init`. */
  connectionParams: Record<string, unknown>;
  /** Who the connection authenticated as in `connection_init` (see `authenticate`); absent when anonymous. */
  principal?: Principal;
  /** The client's address (the TCP peer of the WebSocket). */
  clientIp: string;
  /** The client's socket, for the subscription this context is for. */
  socket: {
    subscriptionId: string;
    /** Sends a ready graphql-ws message, for servers that serialise an event once for many sockets. */
    send(message: string): void;
    bufferedBytes(): number;
    /** Closes the socket, e.g. with SLOW_CONSUMER_CLOSE for a client that does not keep up. */
    disconnect(code: number, reason: string): void;
  };
}

/** The close code for a subscriber that fell too far behind (its backlog hit the limit). */
export const SLOW_CONSUMER_CLOSE = 4008;

/** graphql-ws closes a connection whose `connection_init` was refused with this code (Forbidden). */
export const FORBIDDEN_CLOSE = 4403;

/** What `connection_init` carries, for `authenticate`. */
export interface ConnectionInit {
  headers: IncomingHttpHeaders;
  connectionParams: Record<string, unknown>;
}

export interface SubscriptionServerOptions<TContext> {
  schema: GraphQLSchema;
  /** Per operation (subscribe message) context. */
  context: (connection: SubscriptionConnection) => TContext;
  /**
   * Runs once per connection, on `connection_init`. Resolves with the connection's principal
   * (undefined: anonymous), or with `false` to refuse it: graphql-ws then closes the socket with
   * 4403 Forbidden. Throwing also closes with 4403, and the error is logged at debug level.
   * Default: every connection is accepted, anonymous.
   */
  authenticate?: (init: ConnectionInit) => Promise<Principal | undefined | false>;
  logger: Logger;
  /** Replaces graphql-js `execute` for queries and mutations sent over the socket. */
  execute?: (args: ExecutionArgs) => unknown;
  /** Replaces graphql-js `subscribe`. */
  subscribe?: (args: ExecutionArgs) => unknown;
}

/**
 * graphql-ws (graphql-transport-ws protocol) on the server's /graphql path, beside HTTP.
 * Operations are validated against `schema` before they execute.
 */
export function serveSubscriptions<TContext>(server: Server, options: SubscriptionServerOptions<TContext>): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  // The principal each accepted connection authenticated as, keyed by its socket.
  const principals = new WeakMap<object, Principal>();
  const authenticate = options.authenticate;
  const disposable = useServer(
    {
      schema: options.schema,
      onConnect: authenticate
        ? async (ctx) => {
            try {
              const principal = await authenticate({ headers: ctx.extra.request.headers, connectionParams: ctx.connectionParams ?? {} });
              if (principal === false) return false;
              if (principal) principals.set(ctx.extra.socket, principal);
              return true;
            } catch (error) {
              options.logger.debug({ err: error }, 'connection_init refused');
              return false;
            }
          }
        : undefined,
      execute: options.execute as never,
      subscribe: options.subscribe as never,
      context: (ctx, subscriptionId) => {
        const headers = ctx.extra.request.headers;
        const requestId = requestIdFrom(headers);
        const socket = ctx.extra.socket;
        return options.context({
          requestId,
          headers,
          connectionParams: ctx.connectionParams ?? {},
          principal: principals.get(socket),
          clientIp: ctx.extra.request.socket.remoteAddress ?? 'unknown',
          socket: {
            subscriptionId,
            send: (message) => socket.send(message),
            bufferedBytes: () => socket.bufferedAmount,
            disconnect: (code, reason) => socket.close(code, reason),
          },
        }) as never;
      },
      onError: (_ctx, id, _payload, errors) => {
        options.logger.debug({ subscriptionId: id, errors: errors.map((error) => error.message) }, 'subscription error');
      },
    },
    wss,
  );
  return {
    async close() {
      for (const client of wss.clients) client.close(GOING_AWAY, 'Server shutting down');
      await disposable.dispose();
    },
  };
}
