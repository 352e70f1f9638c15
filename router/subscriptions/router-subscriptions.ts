import type { Server } from 'node:http';
import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, print } from 'graphql';
import { checkOperation, type OperationLimits } from '../limits/operation-limits.js';
import { ErrorCode } from '../../infra/errors.js';
import { serveSubscriptions } from '../../infra/graphql/subscription-server.js';
import type { Logger } from '../../infra/logger.js';
import { createSocketContext, type RouterContext } from '../context.js';
import type { SubgraphDataSource } from '../subgraph-data-source.js';
import { FederatedSubscriptions } from './federated-subscriptions.js';
import { SubscriptionPlanner } from './subscription-planner.js';
import { UpstreamClients } from './upstream-clients.js';

export interface RouterSubscriptionOptions {
  supergraphSdl: string;
  subgraphUrls: Record<string, string>;
  /** Serves queries and mutations sent over the socket, the same way as over HTTP. */
  apollo: ApolloServer<RouterContext>;
  forwardHeaders: readonly string[];
  /** Data sources for the entity fetches that complete each event. */
  dataSource: (name: string) => SubgraphDataSource;
  maxBufferedBytes: number;
  limits: OperationLimits;
  logger: Logger;
}

/** graphql-ws on the router's /graphql: federated subscriptions, and queries and mutations. */
export function serveRouterSubscriptions(server: Server, options: RouterSubscriptionOptions) {
  const planner = new SubscriptionPlanner(options.supergraphSdl);
  const upstream = new UpstreamClients(options.subgraphUrls, options.logger);
  const dataSources = Object.fromEntries(Object.keys(options.subgraphUrls).map((name) => [name, options.dataSource(name)]));
  const subscriptions = new FederatedSubscriptions(planner, dataSources, upstream, options.logger, options.maxBufferedBytes);
  const contextDeps = { logger: options.logger, forwardHeaders: options.forwardHeaders };

  const sockets = serveSubscriptions(server, {
    schema: planner.schema,
    logger: options.logger,
    context: (connection) => createSocketContext(connection, contextDeps),
    subscribe: (args) => {
      const overLimit = checkOperation(planner.schema, args.document, args.operationName, args.variableValues ?? {}, options.limits);
      if (overLimit) return { errors: [overLimit] };
      return subscriptions.subscribe({
        document: args.document,
        operationName: args.operationName,
        variables: args.variableValues ?? {},
        context: args.contextValue as RouterContext,
      });
    },
    execute: async (args) => {
      const response = await options.apollo.executeOperation(
        { query: print(args.document), variables: args.variableValues ?? undefined, operationName: args.operationName ?? undefined },
        { contextValue: args.contextValue as RouterContext },
      );
      if (response.body.kind !== 'single') return { errors: [new GraphQLError('Incremental delivery is not available over WebSocket')] };
      const { data, errors } = response.body.singleResult;
      return { data, ...(errors ? { errors: errors.map((error) => new GraphQLError(error.message, { path: error.path, extensions: error.extensions })) } : {}) };
    },
  });

  return {
    /** Subscriptions opened on subgraphs since start (tests count them). */
    upstreamOpened: () => upstream.opened,
    /** Subscribers get 1001 (going away) and reconnect elsewhere; upstream streams close. */
    async close() {
      await sockets.close();
      await upstream.close();
    },
  };
}

/** Subscriptions need a socket: over HTTP they get a clear 400 instead of the gateway's 500. */
export function refuseSubscriptionsOverHttp(): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError('Subscriptions are served over WebSocket (graphql-ws, graphql-transport-ws protocol) on this same URL', {
            extensions: { code: ErrorCode.BadRequest, http: { status: 400 } },
          });
        },
      };
    },
  };
}
