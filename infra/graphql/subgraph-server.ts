import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import { serveSubscriptions } from './subscription-server.js';
import type { Logger } from '../logger.js';
import { graphqlHandler } from '../http/graphql-handler.js';
import { sendJson, startHttpServer } from '../http/http-server.js';
import { maskUnexpectedErrors, requestPlugin, type RequestContext } from './request-plugin.js';

export interface SubgraphServerOptions<TContext extends RequestContext> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: object;
  port: number;
  host: string;
  production: boolean;
  logger: Logger;
  /** Per-request context; runs once per HTTP request. */
  context: (requestId: string, req: IncomingMessage) => TContext | Promise<TContext>;
  /** Resolves while the subgraph can serve (its database answers); GET /ready reports it. */
  ready: () => Promise<void>;
  /**
   * Context for subscriptions over graphql-ws on /graphql, created once per subscribe message.
   * Without it the subgraph serves no subscriptions.
   */
  subscriptionContext?: (requestId: string) => TContext;
}

export interface RunningSubgraph {
  /** The GraphQL endpoint, e.g. http://localhost:4001/graphql. */
  url: string;
  /** Stops accepting, drains in-flight requests for up to `timeoutMs`, stops Apollo Server. */
  stop(timeoutMs?: number): Promise<void>;
}

/** The HTTP shell every subgraph shares: /graphql, /health and /ready on one port. */
export async function startSubgraphServer<TContext extends RequestContext>(
  options: SubgraphServerOptions<TContext>,
): Promise<RunningSubgraph> {
  const schema = buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> });
  const apollo = new ApolloServer<TContext>({
    schema,
    logger: options.logger,
    includeStacktraceInErrorResponses: false,
    formatError: maskUnexpectedErrors(options.production),
    // Subgraphs are reached through the router; Sandbox lives there.
    plugins: [requestPlugin<TContext>(), ApolloServerPluginLandingPageDisabled()],
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const http = await startHttpServer({
    port: options.port,
    host: options.host,
    logger: options.logger,
    routes: {
      '/graphql': graphqlHandler(apollo, { context: (req, requestId) => options.context(requestId, req) }),
      '/health': (_req, res) => sendJson(res, 200, { status: 'ok', service: options.name }),
      '/ready': async (_req, res) => {
        try {
          await options.ready();
          sendJson(res, 200, { status: 'ready', service: options.name });
        } catch (error) {
          options.logger.warn({ err: error }, 'not ready');
          sendJson(res, 503, { status: 'unavailable', service: options.name });
        }
      },
    },
  });
  const subscriptions = options.subscriptionContext
    ? serveSubscriptions(http.server, { schema, context: ({ requestId }) => options.subscriptionContext!(requestId), logger: options.logger })
    : undefined;
  options.logger.info({ url: `${http.origin}/graphql` }, 'subgraph listening');

  return {
    url: `${http.origin}/graphql`,
    async stop(timeoutMs = 10_000) {
      await subscriptions?.close();
      await http.close(timeoutMs);
      await apollo.stop();
    },
  };
}
