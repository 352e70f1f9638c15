import type { BlockList } from 'node:net';
import type { Server } from 'node:http';
import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import type { InternalTokenSigner } from '../../infra/auth/internal-token.js';
import { getOperationAST, GraphQLError, OperationTypeNode, parse, print } from 'graphql';
import { isTokenLimitError, type OperationLimiter } from '../limits/operation-limits.js';
import { ErrorCode } from '../../infra/errors.js';
import { FORBIDDEN_CLOSE, serveSubscriptions, type ConnectionLimits } from '../../infra/graphql/subscription-server.js';
import { clientIp } from '../../infra/http/client-ip.js';
import { randomUUID } from 'node:crypto';
import { offeredRequestId } from '../../infra/http/request-id.js';
import type { Logger } from '../../infra/logger.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';
import type { RequestMetrics } from '../metrics/request-metrics.js';
import { subscriptionMetrics } from '../metrics/router-metrics.js';
import type { AuditSink } from '../audit/audit.js';
import { credentialsFromConnection, type Authenticator } from '../auth/authenticator.js';
import { auditOperation, guardOperation, type OperationGuard } from '../auth/security-plugin.js';
import { createSocketContext, credentialsError, type RouterContext } from '../context.js';
import type { SubgraphDataSource } from '../fetch/subgraph-data-source.js';
import { FederatedSubscriptions, type ErrorFormatter } from './federated-subscriptions.js';
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
  /** What clients see of an error, as over HTTP (masking in production). */
  formatError: ErrorFormatter;
  limiter: OperationLimiter;
  /** The limits Apollo Server checks over HTTP while parsing, checked here for operations over the socket. */
  parserLimits: { maxTokens: number };
  /** Caps per socket, client address and principal. */
  connectionLimits: ConnectionLimits;
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
  /** The router's metrics: connections, subscriptions, deliveries, resumes, slow clients; none without it. */
  metrics?: Registry;
  /** Counts the operations refused on the socket, as over HTTP. */
  requestMetrics?: RequestMetrics;
}

/** graphql-ws on the router's /graphql: federated subscriptions, and queries and mutations. */
export function serveRouterSubscriptions(server: Server, options: RouterSubscriptionOptions) {
  const planner = new SubscriptionPlanner(options.executor);
  const upstream = new UpstreamClients(options.subgraphUrls, options.logger, options.internalTokens);
  const dataSources = Object.fromEntries(Object.keys(options.subgraphUrls).map((name) => [name, options.dataSource(name)]));
  const counters = options.metrics && subscriptionMetrics(options.metrics, (): number => subscriptions.activeStreams);
  const subscriptions: FederatedSubscriptions = new FederatedSubscriptions(planner, dataSources, upstream, options.logger, options.maxBufferedBytes, options.formatError, counters);
  const contextDeps = { logger: options.logger, forwardHeaders: options.forwardHeaders, trustedProxies: options.trustedProxies };

  const sockets = serveSubscriptions(server, {
    schema: planner.schema,
    logger: options.logger,
    formatError: options.formatError,
    limits: options.connectionLimits,
    metrics: options.metrics,
    clientAddress: (request) => clientIp(request.socket.remoteAddress, request.headers['x-forwarded-for'], options.trustedProxies),
    parse: (source) => {
      try {
        return parse(source, { maxTokens: options.parserLimits.maxTokens });
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        const { maxTokens } = options.parserLimits;
        throw isTokenLimitError(error.message)
          ? new GraphQLError(`The operation has more than ${maxTokens} tokens, over the limit`, { extensions: { code: ErrorCode.OperationLimitExceeded, limit: 'tokens', max: maxTokens } })
          : new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
      }
    },
    context: (connection) => createSocketContext(connection, contextDeps),
    authenticate: async ({ connectionParams, headers, clientAddress }) => {
      const started = performance.now();
      const authentication = await options.authenticator.authenticate(credentialsFromConnection(connectionParams, headers), clientAddress);
      if (authentication.outcome === 'ok') return authentication.principal;
      options.logger.info({ reason: authentication.outcome === 'refused' ? authentication.reason : authentication.outcome }, 'connection_init refused');
      const code = credentialsError(authentication)?.extensions.code;
      options.audit.record({
        at: new Date(),
        action: 'connection',
        requestId: randomUUID(),
        clientRequestId: offeredRequestId(headers),
        principal: null,
        clientIp: clientAddress,
        operationName: null,
        operationType: null,
        rootFields: [],
        outcome: code === ErrorCode.RateLimited ? 'rate_limited' : 'denied',
        code: typeof code === 'string' ? code : null,
        durationMs: Math.round(performance.now() - started),
      });
      return false;
    },
    // Before any operation on the socket runs: the limits (as over HTTP), and for a subscription the
    // guard; queries and mutations are guarded (and audited) by Apollo Server's plugins, as over HTTP.
    admit: async (args) => {
      const context = args.contextValue as RouterContext;
      const type = getOperationAST(args.document, args.operationName)?.operation;
      const started = performance.now();
      const refused =
        options.limiter.check(planner.schema, args.document, args.operationName, args.variableValues ?? {}) ??
        (type === OperationTypeNode.SUBSCRIPTION ? await guardOperation(options.guard, context, planner.schema, args.document, args.operationName) : undefined);
      if (!refused) return undefined;
      options.requestMetrics?.refused(refused.extensions);
      auditOperation(options.audit, context, {
        name: args.operationName,
        type,
        errorCode: refused.extensions.code,
        durationMs: performance.now() - started,
        schema: planner.schema,
        document: args.document,
      });
      // `http` (status, Retry-After) is for HTTP responses; over the socket the code and its fields say it.
      const { http: _http, ...extensions } = refused.extensions;
      return new GraphQLError(refused.message, { path: refused.path, extensions });
    },
    subscribe: (args) =>
      subscriptions.subscribe({
        document: args.document,
        operationName: args.operationName,
        variables: args.variableValues ?? {},
        context: args.contextValue as RouterContext,
      }),
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
    /** Closes the sockets of an API key that was revoked or changed (4403: reconnect with valid credentials). */
    closeForApiKey: (id: string) => sockets.closeConnections((principal) => principal.kind === 'api_key' && principal.id === id, FORBIDDEN_CLOSE, 'API key revoked or changed'),
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
