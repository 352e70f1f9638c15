import type { IncomingMessage } from 'node:http';
import { ApolloGateway, type ServiceMap } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import cors from 'cors';
import type { GraphQLFormattedError } from 'graphql';
import { INTERNAL_TOKEN_HEADER, InternalTokenSigner, ROUTER_SERVICE } from '../infra/auth/internal-token.js';
import { ConfigError, type RouterConfig } from '../infra/config.js';
import { createDatabase } from '../infra/db/database.js';
import { ErrorCode } from '../infra/errors.js';
import { maskUnexpectedErrors, requestPlugin } from '../infra/graphql/request-plugin.js';
import { trustedProxyList } from '../infra/http/client-ip.js';
import { graphqlHandler } from '../infra/http/graphql-handler.js';
import { sendJson, startHttpServer } from '../infra/http/http-server.js';
import { REQUEST_ID_HEADER } from '../infra/http/request-id.js';
import type { Logger } from '../infra/logger.js';
import { credentialsFromHeaders } from './auth/authenticator.js';
import { createRouterSecurity } from './auth/router-security.js';
import { guardOperation } from './auth/security-plugin.js';
import { cachePurgeHandler } from './cache/cache-admin.js';
import { purgeOnEvents } from './cache/cache-invalidation.js';
import { CACHE_STATUS_HEADER, createResponseCache, type CacheCounters } from './cache/response-cache.js';
import { createContext, credentialsError, type RouterContext } from './context.js';
import { operationLimitsPlugin } from './limits/operation-limits.js';
import { checkSubgraphs } from './readiness.js';
import { SubgraphPolicy, type CircuitStateName } from './resilience/subgraph-policy.js';
import { SubgraphClient } from './subgraph-client.js';
import { QueryPlanExecutor } from './execution/query-plan-executor.js';
import { SubgraphDataSource } from './subgraph-data-source.js';
import { refuseSubscriptionsOverHttp, serveRouterSubscriptions } from './subscriptions/router-subscriptions.js';
import { readSupergraph, subgraphUrlsFromEnv } from './supergraph.js';

/** graphql-js stops parsing past `maxTokens`; say so with the code and the limit's name. */
function tokenLimitError(formatted: GraphQLFormattedError, maxTokens: number): GraphQLFormattedError {
  if (formatted.extensions?.code !== 'GRAPHQL_PARSE_FAILED' || !/tokens\. Parsing aborted/.test(formatted.message)) return formatted;
  return {
    message: `The operation has more than ${maxTokens} tokens, over the limit`,
    extensions: { ...formatted.extensions, code: ErrorCode.OperationLimitExceeded, limit: 'tokens', max: maxTokens },
  };
}

/**
 * The signer of each subgraph's internal header: with INTERNAL_TOKEN_SECRET, for the subgraphs
 * INTERNAL_TOKEN_SUBGRAPHS names (default: all); none for the others.
 */
function internalTokenSigners(config: RouterConfig, subgraphs: string[]): (name: string) => InternalTokenSigner | undefined {
  const signer = config.INTERNAL_TOKEN_SECRET ? new InternalTokenSigner(config.INTERNAL_TOKEN_SECRET) : undefined;
  const named = config.INTERNAL_TOKEN_SUBGRAPHS;
  const unknown = named?.filter((name) => !subgraphs.includes(name)) ?? [];
  if (unknown.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  INTERNAL_TOKEN_SUBGRAPHS=${JSON.stringify(named!.join(','))}: ${unknown.join(', ')} names no subgraph of this supergraph (it has ${subgraphs.join(', ')})`);
  }
  const signed = new Set(named ?? subgraphs);
  return (name) => (signed.has(name) ? signer : undefined);
}

/** Origins of Apollo Sandbox (standalone and embedded), admitted by CORS in every environment. */
export const SANDBOX_ORIGINS = ['https://studio.apollographql.com', 'https://sandbox.embed.apollographql.com'];

export interface RouterDeps {
  logger: Logger;
  /** Subgraph URLs by name; defaults to the supergraph's, each overridable by SUBGRAPH_<NAME>_URL. */
  subgraphUrls?: Record<string, string>;
}

export interface RunningRouter {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** Subscriptions the router has opened on subgraphs since it started. */
  upstreamSubscriptionsOpened(): number;
  /** Subgraph reads sent, and reads answered by an identical request already in flight. */
  subgraphRequests(): { sent: number; shared: number };
  /** Each subgraph's circuit breaker: its state and its state changes since start. */
  circuits(): Record<string, { state: CircuitStateName; transitions: Record<CircuitStateName, number> }>;
  /** The response cache's counters; undefined when RESPONSE_CACHE=false. */
  cacheCounters(): CacheCounters | undefined;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * The router: Apollo Server 5 and @apollo/gateway on a static supergraph file
 * (no polling, no introspection of subgraphs at start).
 */
export async function start(config: RouterConfig, deps: RouterDeps): Promise<RunningRouter> {
  const supergraph = readSupergraph(config.SUPERGRAPH_PATH);
  // One small pool (ROUTER_DB_POOL_MAX), when the router has a database: API keys and audit records (the access
  // subgraph's tables) and the event store the response cache follows.
  const database = config.DATABASE_URL
    ? createDatabase({ url: config.DATABASE_URL, poolMax: config.ROUTER_DB_POOL_MAX, connectTimeoutMs: 5_000, schema: 'access', logger: deps.logger })
    : undefined;
  // Identity, access rules, rate limits, safelist and audit; the gateway gets the supergraph from it.
  const security = createRouterSecurity(config, supergraph.sdl, deps.logger, database?.db);
  const subgraphUrls = deps.subgraphUrls ?? subgraphUrlsFromEnv(supergraph.subgraphs);
  const production = config.NODE_ENV === 'production';

  // One policy per subgraph, shared by queries, mutations and subscription entity fetches.
  const policies = Object.fromEntries(
    Object.keys(subgraphUrls).map((name) => [
      name,
      new SubgraphPolicy(
        name,
        {
          breakerFailures: config.SUBGRAPH_BREAKER_FAILURES,
          breakerResetMs: config.SUBGRAPH_BREAKER_RESET_MS,
          maxAttempts: config.SUBGRAPH_MAX_ATTEMPTS,
          retryBudgetRatio: config.SUBGRAPH_RETRY_BUDGET,
          maxConcurrency: config.SUBGRAPH_MAX_CONCURRENCY,
        },
        deps.logger,
      ),
    ]),
  );
  const client = new SubgraphClient(config.SUBGRAPH_CONNECTIONS);
  // The signed internal header goes to subgraphs only when the router shares their secret.
  const internalTokens = internalTokenSigners(config, Object.keys(subgraphUrls));
  const dataSource = (name: string) =>
    new SubgraphDataSource({ url: subgraphUrls[name]!, timeoutMs: config.SUBGRAPH_TIMEOUT_MS, policy: policies[name]!, client, internalTokens: internalTokens(name) });

  // The gateway loads the supergraph and makes the data sources; our executor runs the operations.
  // Subscriptions run their plans with the same executor.
  const executor = new QueryPlanExecutor(security.gatewaySdl, { exposeQueryPlan: !production });
  const services: ServiceMap = {};
  const gateway = executor.asGateway(
    new ApolloGateway({
      supergraphSdl: security.gatewaySdl,
      buildService: ({ name }) => (services[name] = dataSource(name)),
      logger: deps.logger,
    }),
    () => services,
  );

  const limits = {
    maxDepth: config.OPERATION_MAX_DEPTH,
    maxAliases: config.OPERATION_MAX_ALIASES,
    maxRootFields: config.OPERATION_MAX_ROOT_FIELDS,
    maxDirectives: config.OPERATION_MAX_DIRECTIVES,
    maxCost: config.OPERATION_MAX_COST,
  };
  const cache = config.RESPONSE_CACHE ? await createResponseCache(config, { supergraphSdl: supergraph.sdl, logger: deps.logger }) : undefined;
  // Every replica purges for every committed event (needs the database the events are in).
  const invalidation =
    cache && database && config.DATABASE_URL
      ? purgeOnEvents(cache, { db: database.db, databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL, logger: deps.logger })
      : undefined;

  const mask = maskUnexpectedErrors(production);
  const apollo = new ApolloServer<RouterContext>({
    gateway,
    logger: deps.logger,
    introspection: config.INTROSPECTION ?? !production,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: config.OPERATION_MAX_TOKENS },
    persistedQueries: security.persistedQueries,
    formatError: (formatted, error) => mask(tokenLimitError(formatted, config.OPERATION_MAX_TOKENS), error),
    plugins: [
      requestPlugin<RouterContext>(),
      security.plugin,
      operationLimitsPlugin<RouterContext>(limits),
      refuseSubscriptionsOverHttp(),
      // After the limits, so that they count the client's operation and not what the cache adds to it.
      ...(cache ? [cache.plugin<RouterContext>()] : []),
      (config.SANDBOX ?? !production)
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
    ],
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const corsMiddleware = cors({
    origin: [...SANDBOX_ORIGINS, ...config.CORS_ORIGINS],
    methods: ['GET', 'POST', 'OPTIONS'],
    exposedHeaders: [REQUEST_ID_HEADER, CACHE_STATUS_HEADER, 'age', 'retry-after'],
    maxAge: 600,
  });

  const trustedProxies = config.TRUSTED_PROXIES.length > 0 ? trustedProxyList(config.TRUSTED_PROXIES) : undefined;
  // One context per HTTP request, credentials verified once, whether the cache or Apollo Server answers.
  const contexts = new WeakMap<IncomingMessage, Promise<RouterContext>>();
  const contextOf = (req: IncomingMessage, requestId: string) => {
    let context = contexts.get(req);
    if (!context) {
      context = createContext(req, requestId, {
        logger: deps.logger,
        authenticator: security.authenticator,
        forwardHeaders: config.FORWARD_HEADERS,
        operationTimeoutMs: config.OPERATION_TIMEOUT_MS,
        trustedProxies,
      });
      contexts.set(req, context);
    }
    return context;
  };

  const http = await startHttpServer({
    port: config.PORT,
    host: config.HOST,
    logger: deps.logger,
    // cors decides synchronously: it either calls next (carry on) or answers a pre-flight.
    intercept: (req, res) => {
      // Without an Origin header there is no CORS to decide; caches still learn that the answer varies by it.
      if (req.headers.origin === undefined && req.method !== 'OPTIONS') {
        res.setHeader('vary', 'Origin');
        return false;
      }
      let answered = true;
      corsMiddleware(req, res, () => {
        answered = false;
      });
      return answered;
    },
    routes: {
      '/graphql': graphqlHandler(apollo, {
        context: async (req, requestId) => {
          const context = await contextOf(req, requestId);
          context.cache = cache?.stateFor(req);
          return context;
        },
        // A repeated query with a fresh cached answer is served here, before Apollo Server, once
        // the request passes the same guard as any other; the guard's verdict is kept for Apollo Server.
        respond:
          cache &&
          (async (request, req, res, requestId) => {
            const context = await contextOf(req, requestId);
            return cache.serve(request, req, res, context.principal, async (operation) => {
              const refused = await guardOperation(security.guard, context, operation.schema, operation.document, operation.operationName, operation.queryHash);
              context.guarded = { refused };
              return refused === undefined;
            });
          }),
      }),
      ...(cache && {
        '/admin/cache/purge': cachePurgeHandler(cache, async (req) => {
          const authentication = await security.authenticator.authenticate(credentialsFromHeaders(req.headers));
          const refused = credentialsError(authentication);
          if (refused) return { error: { message: refused.message, code: refused.extensions.code as ErrorCode, status: authentication.outcome === 'unavailable' ? 503 : 401 } };
          return { principal: authentication.outcome === 'ok' ? authentication.principal : undefined };
        }),
      }),
      '/': (_req, res) => {
        res.writeHead(302, { location: '/graphql' }).end();
      },
      '/health': (_req, res) => sendJson(res, 200, { status: 'ok', service: 'router' }),
      '/ready': async (_req, res) => {
        const checked = await checkSubgraphs(subgraphUrls, Math.min(config.SUBGRAPH_TIMEOUT_MS, 2_000), async (name): Promise<Record<string, string>> => {
          const signer = internalTokens(name);
          return signer ? { [INTERNAL_TOKEN_HEADER]: await signer.token(ROUTER_SERVICE) } : {};
        });
        const subgraphs = checked.map((subgraph) => ({ ...subgraph, circuit: policies[subgraph.name]?.state }));
        const ready = subgraphs.every((subgraph) => subgraph.ready);
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', subgraphs });
      },
    },
  });
  const sockets = serveRouterSubscriptions(http.server, {
    executor,
    subgraphUrls,
    apollo,
    forwardHeaders: config.FORWARD_HEADERS,
    trustedProxies,
    dataSource,
    maxBufferedBytes: config.SUBSCRIPTION_MAX_BUFFERED_BYTES,
    limits,
    logger: deps.logger,
    internalTokens,
    authenticator: security.authenticator,
    guard: security.guard,
    audit: security.audit,
  });
  const url = `${http.origin}/graphql`;
  deps.logger.info({ url, subgraphs: subgraphUrls }, 'router listening');

  return {
    url,
    upstreamSubscriptionsOpened: sockets.upstreamOpened,
    subgraphRequests: () => ({ ...client.counts }),
    cacheCounters: () => (cache ? { ...cache.counters } : undefined),
    circuits: () => Object.fromEntries(Object.entries(policies).map(([name, policy]) => [name, { state: policy.state, transitions: { ...policy.transitions } }])),
    async stop(timeoutMs = config.SHUTDOWN_TIMEOUT_MS) {
      await sockets.close();
      await http.close(timeoutMs);
      await apollo.stop();
      await security.close();
      await client.close();
      await invalidation?.stop();
      await cache?.close();
      await database?.close();
    },
  };
}
