import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { REQUEST_ID_HEADER } from '../http/request-id.js';
import type { Logger } from '../logger.js';

/** The close code that tells graphql-ws clients to reconnect (to another replica). */
export const GOING_AWAY = 1001;

const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * graphql-ws (graphql-transport-ws protocol) on the server's /graphql path, beside HTTP.
 * Each subscribe message gets a context of its own; its request id is the one sent at the
 * WebSocket upgrade, or a new one.
 */
export function serveSubscriptions<TContext>(
  server: Server,
  schema: GraphQLSchema,
  context: (requestId: string) => TContext,
  logger: Logger,
): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const disposable = useServer(
    {
      schema,
      context: (ctx) => {
        const offered = ctx.extra.request.headers[REQUEST_ID_HEADER];
        return context(typeof offered === 'string' && ACCEPTED_REQUEST_ID.test(offered) ? offered : crypto.randomUUID()) as never;
      },
      onError: (_ctx, id, _payload, errors) => {
        logger.debug({ subscriptionId: id, errors: errors.map((error) => error.message) }, 'subscription error');
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
