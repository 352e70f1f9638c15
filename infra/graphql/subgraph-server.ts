import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import type { Principal } from '../auth/principal.js';
import { staticCacheControlPlugin } from './cache-control.js';
import { jitExecutor } from './jit-executor.js';
import { holdOneByteNames } from './one-byte-names.js';
import { serveSubscriptions } from './subscription-server.js';
import { INTERNAL_TOKEN_HEADER, InvalidInternalToken, type InternalTokenVerifier } from '../auth/internal-token.js';
import { ErrorCode, httpErrorBody } from '../errors.js';
import type { Logger } from '../logger.js';
import { graphqlHandler } from '../http/graphql-handler.js';
import { sendJson, startHttpServer, type RouteHandler } from '../http/http-server.js';
import { REQUEST_ID_HEADER } from '../http/request-id.js';
import { METRICS_PATH, metricsHandler } from '../metrics/metrics-endpoint.js';
import type { Registry } from '../metrics/metrics-registry.js';
import { operationSpanPlugin, tracedRoute } from '../tracing/server-spans.js';
import { SpanAttributes, type Tracing } from '../tracing/tracing.js';
import { maskUnexpectedErrors, requestPlugin, type RequestContext } from './request-plugin.js';

export interface SubgraphServerOptions<TContext extends RequestContext> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: object;
  port: number;
  host: string;
  production: boolean;
  /** Run operations with graphql-jit (see jit-executor.ts) rather than graphql-js; default true. */
  jit?: boolean;
  logger: Logger;
  /** Apollo Server plugins of this subgraph's own, run after the shared ones (they see `principal` in the context). */
  plugins?: ApolloServerPlugin<TContext>[];
  /**
   * Checks the router's signed internal header (x-interchange-identity) on every GraphQL request
   * over HTTP and on every graphql-ws `connection_init`; the principal it names goes into the
   * context. A request without a valid one gets 401 UNAUTHENTICATED, a socket is closed with 4403.
   * /health and /ready stay open. `null` only for test fixtures that stand in for foreign subgraphs.
   */
  internalTokens: InternalTokenVerifier | null;
  /** Per-request context; runs once per HTTP request. `principal` is added to it from the internal header. */
  context: (requestId: string, req: IncomingMessage) => TContext | Promise<TContext>;
  /** Resolves while the subgraph can serve (its database answers); GET /ready reports it. */
  ready: () => Promise<void>;
  /**
   * Context for subscriptions over graphql-ws on /graphql, created once per subscribe message.
   * Without it the subgraph serves no subscriptions.
   */
  subscriptionContext?: (requestId: string) => TContext;
  /**
   * HTTP routes of the subgraph's own beside /graphql, by path prefix (`/webhooks/` takes
   * `/webhooks/stripe`), tried before the shared routes. They answer only the router, as /graphql
   * does: a request without a valid internal header gets 401 before its route runs, and the route
   * gets the principal the header names. A route that throws answers 500.
   */
  routes?: Record<string, SubgraphRoute>;
  /**
   * Routes that outside systems call directly (SAP's IDoc port), not through the router: no
   * internal header is asked for, and the route authenticates the caller itself (its principal is
   * undefined). Tried before `routes`.
   */
  publicRoutes?: Record<string, SubgraphRoute>;
  /**
   * The subgraph's metrics, served at GET /metrics to the router's internal header naming a
   * principal with `metrics:read` (401 without a valid header or principal, 403 without the scope).
   * Without it there is no /metrics route.
   */
  metrics?: Registry;
  /**
   * With it, every request to /graphql gets a server span continuing the router's `traceparent`
   * (infra/tracing/server-spans.ts). Without it nothing is traced.
   */
  tracing?: Tracing;
}

/** A subgraph's own HTTP route (see SubgraphServerOptions.routes). */
export type SubgraphRoute = (req: IncomingMessage, res: ServerResponse, requestId: string, principal: Principal | undefined) => Promise<void> | void;

export interface RunningSubgraph {
  /** The GraphQL endpoint, e.g. http://localhost:4001/graphql. */
  url: string;
  /** The METRICS_PORT listener's `/metrics` URL, when there is one. */
  metricsUrl?: string;
  /** Stops accepting, drains in-flight requests for up to `timeoutMs`, stops Apollo Server. */
  stop(timeoutMs?: number): Promise<void>;
}

/** The HTTP shell every subgraph shares: /graphql, /health and /ready on one port. */
export async function startSubgraphServer<TContext extends RequestContext>(
  options: SubgraphServerOptions<TContext>,
): Promise<RunningSubgraph> {
  holdOneByteNames(options.typeDefs);
  const schema = buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> });
  const apollo = new ApolloServer<TContext>({
    ...(options.jit !== false ? { gateway: jitExecutor(schema) } : { schema }),
    logger: options.logger,
    includeStacktraceInErrorResponses: false,
    formatError: maskUnexpectedErrors(options.production),
    // The router refuses fragment fan-outs before it plans; this stops one sent straight to a
    // subgraph (with a captured internal header) during validation, well above what plans need.
    maxRecursiveSelections: 100_000,
    // Subgraphs are reached through the router; Sandbox lives there.
    // Cache-Control from the SDL's @cacheControl hints, computed per operation rather than per resolved field.
    plugins: [requestPlugin<TContext>(), ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), staticCacheControlPlugin<TContext>(), ...(options.plugins ?? [])],
    stopOnTerminationSignals: false,
  });
  // Names the request's server span after its operation (tracedRoute below made it).
  if (options.tracing) apollo.addPlugin(operationSpanPlugin<TContext>());
  await apollo.start();

  // The principal each HTTP request's internal header named, for its context.
  const identities = new WeakMap<IncomingMessage, Principal>();
  const graphql = graphqlHandler(apollo, {
    context: async (req, requestId) => ({ ...(await options.context(requestId, req)), principal: identities.get(req) }),
    // Resolvers run while Apollo Server executes: graphql-jit waits for every one of them.
    releaseContext: true,
  });
  const verifier = options.internalTokens;
  /** The caller the internal header names; false when it is refused (answered with 401). */
  const identify = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<{ principal: Principal | undefined } | false> => {
    if (!verifier) return { principal: undefined };
    const header = req.headers[INTERNAL_TOKEN_HEADER];
    try {
      return await verifier.verify(typeof header === 'string' ? header : undefined);
    } catch (error) {
      if (!(error instanceof InvalidInternalToken)) throw error;
      options.logger.warn({ requestId, reason: error.message }, 'request without a valid internal header refused');
      res.setHeader('www-authenticate', 'Bearer realm="interchange-subgraph"');
      sendJson(res, 401, httpErrorBody('Subgraphs answer only the router: a valid internal header is required', ErrorCode.Unauthenticated, requestId));
      return false;
    }
  };
  const guardedGraphql: RouteHandler = verifier
    ? async (req, res, requestId) => {
        const identity = await identify(req, res, requestId);
        if (!identity) return;
        if (identity.principal) identities.set(req, identity.principal);
        await graphql(req, res, requestId);
      }
    : graphql;
  const ownRoutes = Object.entries(options.routes ?? {});
  const publicRoutes = Object.entries(options.publicRoutes ?? {});
  /** startHttpServer routes exact paths: the subgraph's own routes, by prefix, run from its intercept. */
  const routeByPrefix = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const publicRoute = publicRoutes.find(([prefix]) => path.startsWith(prefix))?.[1];
    const route = publicRoute ?? ownRoutes.find(([prefix]) => path.startsWith(prefix))?.[1];
    if (!route) return false;
    const requestId = String(res.getHeader(REQUEST_ID_HEADER));
    const identified = publicRoute ? Promise.resolve({ principal: undefined }) : identify(req, res, requestId);
    identified
      .then((identity) => identity && route(req, res, requestId, identity.principal))
      .catch((error: unknown) => {
        options.logger.error({ err: error, requestId, path }, 'request handler failed');
        if (!res.headersSent) sendJson(res, 500, httpErrorBody('Unexpected error', ErrorCode.InternalServerError, requestId));
        else res.destroy();
      });
    return true;
  };

  const http = await startHttpServer({
    port: options.port,
    host: options.host,
    logger: options.logger,
    ...(ownRoutes.length + publicRoutes.length > 0 && { intercept: routeByPrefix }),
    routes: {
      '/graphql': options.tracing ? tracedRoute(options.tracing, guardedGraphql, { [SpanAttributes.subgraph]: options.name }) : guardedGraphql,
      '/health': (_req, res) => sendJson(res, 200, { status: 'ok', service: options.name }),
      ...(options.metrics && {
        [METRICS_PATH]: metricsHandler([options.metrics], async (req, res, requestId) => (await identify(req, res, requestId)) || 'answered'),
      }),
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
    ? serveSubscriptions(http.server, {
        schema,
        context: ({ requestId, principal }) => ({ ...options.subscriptionContext!(requestId), principal }),
        authenticate: verifier
          ? async ({ connectionParams }) => {
              const token = connectionParams[INTERNAL_TOKEN_HEADER];
              try {
                return (await verifier.verify(typeof token === 'string' ? token : undefined)).principal;
              } catch (error) {
                if (!(error instanceof InvalidInternalToken)) throw error;
                options.logger.warn({ reason: error.message }, 'subscription connection without a valid internal header refused');
                return false;
              }
            }
          : undefined,
        logger: options.logger,
        metrics: options.metrics,
      })
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
