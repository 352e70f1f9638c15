import type { IncomingHttpHeaders, Server } from 'node:http';
import type { ExecutionArgs, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
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

export interface SubscriptionServerOptions<TContext> {
  schema: GraphQLSchema;
  /** Per operation (subscribe message) context. */
  context: (connection: SubscriptionConnection) => TContext;
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
  const disposable = useServer(
    {
      schema: options.schema,
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
