import type { BlockList } from 'node:net';
import type { Server } from 'node:http';
import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import type { InternalTokenSigner } from '../../infra/auth/internal-token.js';
import { GraphQLError, OperationTypeNode, print } from 'graphql';
import { checkOperation, type OperationLimits } from '../limits/operation-limits.js';
import { ErrorCode } from '../../infra/errors.js';
import { serveSubscriptions } from '../../infra/graphql/subscription-server.js';
import type { Logger } from '../../infra/logger.js';
import type { AuditSink } from '../../infra/auth/audit.js';
import { credentialsFromConnection, type Authenticator } from '../auth/authenticator.js';
import { auditOperation, guardOperation, type OperationGuard } from '../auth/security-plugin.js';
import { createSocketContext, type RouterContext } from '../context.js';
import type { SubgraphDataSource } from '../subgraph-data-source.js';
import { FederatedSubscriptions } from './federated-subscriptions.js';
import type { QueryPlanExecutor } from '../execution/query-plan-executor.js';
import { SubscriptionPlanner } from './subscription-planner.js';
import { UpstreamClients } from './upstream-clients.js';

export interface RouterSubscriptionOptions {
  /** Plans each subscription and runs each event's plan, as it does for queries. */
  executor: QueryPlanExecutor;
  subgraphUrls: Record<string, string>;
  /** Serves queries and mutations sent over the socket, the same way as over HTTP. */
  apollo: ApolloServer<RouterContext>;
  forwardHeaders: readonly string[];
  /** Proxies whose X-Forwarded-For tells a subscriber's address. */
  trustedProxies?: BlockList;
  /** Data sources for the entity fetches that complete each event. */
  dataSource: (name: string) => SubgraphDataSource;
  maxBufferedBytes: number;
  limits: OperationLimits;
  logger: Logger;
  /** The signer of a subgraph's internal header for its upstream sockets (as the router's service principal); none is sent without one. */
  internalTokens?: (serviceName: string) => InternalTokenSigner | undefined;
  /**
   * Verifies `connection_init`'s `authorization` or `x-api-key` (or the upgrade request's headers):
   * bad credentials close the socket with 4403 Forbidden; none is an anonymous connection.
   */
  authenticator: Authenticator;
  /** Run for every subscription as for an HTTP operation (queries and mutations go through Apollo Server's plugin). */
  guard: OperationGuard;
  audit: AuditSink;
}

/** graphql-ws on the router's /graphql: federated subscriptions, and queries and mutations. */
export function serveRouterSubscriptions(server: Server, options: RouterSubscriptionOptions) {
  const planner = new SubscriptionPlanner(options.executor);
  const upstream = new UpstreamClients(options.subgraphUrls, options.logger, options.internalTokens);
  const dataSources = Object.fromEntries(Object.keys(options.subgraphUrls).map((name) => [name, options.dataSource(name)]));
  const subscriptions = new FederatedSubscriptions(planner, dataSources, upstream, options.logger, options.maxBufferedBytes);
  const contextDeps = { logger: options.logger, forwardHeaders: options.forwardHeaders, trustedProxies: options.trustedProxies };

  const sockets = serveSubscriptions(server, {
    schema: planner.schema,
    logger: options.logger,
    context: (connection) => createSocketContext(connection, contextDeps),
    authenticate: async ({ connectionParams, headers }) => {
      const authentication = await options.authenticator.authenticate(credentialsFromConnection(connectionParams, headers));
      if (authentication.outcome === 'ok') return authentication.principal;
      options.logger.info({ reason: authentication.outcome === 'refused' ? authentication.reason : 'key store unavailable' }, 'connection_init refused');
      return false;
    },
    subscribe: async (args) => {
      const context = args.contextValue as RouterContext;
      const started = performance.now();
      const refused =
        (await guardOperation(options.guard, context, planner.schema, args.document, args.operationName)) ??
        checkOperation(planner.schema, args.document, args.operationName, args.variableValues ?? {}, options.limits);
      if (refused) {
        auditOperation(options.audit, context, {
          name: args.operationName,
          type: OperationTypeNode.SUBSCRIPTION,
          errorCode: refused.extensions.code,
          durationMs: performance.now() - started,
        });
        // `http` (status, Retry-After) is for HTTP responses; over the socket the code and its fields say it.
        const { http: _http, ...extensions } = refused.extensions;
        return { errors: [new GraphQLError(refused.message, { path: refused.path, extensions })] };
      }
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
