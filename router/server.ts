import type { IncomingMessage } from 'node:http';
import { ApolloGateway, type ServiceMap } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import cors from 'cors';
import type { GraphQLFormattedError } from 'graphql';
import { INTERNAL_TOKEN_HEADER, InternalTokenSigner, ROUTER_SERVICE } from '../infra/auth/internal-token.js';
import { ConfigError, type RouterConfig } from '../infra/config.js';
import { HUB_SUBGRAPHS } from '../infra/hub-subgraphs.js';
import { createDatabase } from '../infra/db/database.js';
import { ErrorCode } from '../infra/errors.js';
import { maskUnexpectedErrors, requestPlugin } from '../infra/graphql/request-plugin.js';
import { clientIp, trustedProxyList } from '../infra/http/client-ip.js';
import { graphqlHandler } from '../infra/http/graphql-handler.js';
import { sendJson, startHttpServer } from '../infra/http/http-server.js';
import { REQUEST_ID_HEADER } from '../infra/http/request-id.js';
import type { Logger } from '../infra/logger.js';
import { credentialsFromHeaders } from './auth/authenticator.js';
import { createRouterSecurity } from './auth/router-security.js';
import { guardOperation } from './auth/security-plugin.js';
import { cachePurgeHandler } from './cache/cache-admin.js';
import { CACHE_STATUS_HEADER, createResponseCache, type CacheCounters } from './cache/response-cache.js';
import { createContext, credentialsError, type RouterContext } from './context.js';
import { OperationLimiter } from './limits/operation-limits.js';
import { followEvents } from './event-follower.js';
import { checkSubgraphs } from './readiness.js';
import { SubgraphPolicy, type CircuitStateName } from './resilience/subgraph-policy.js';
import { SubgraphClient } from './subgraph-client.js';
import { QueryPlanExecutor } from './execution/query-plan-executor.js';
import { SubgraphDataSource } from './subgraph-data-source.js';
import { refuseSubscriptionsOverHttp, serveRouterSubscriptions } from './subscriptions/router-subscriptions.js';
import { readSupergraph, subgraphUrlsFromEnv } from './supergraph.js';

/**
 * The limits Apollo Server checks itself, while parsing (graphql-js stops past `maxTokens`) and
 * validating (`maxRecursiveSelections`): said with the same code and fields as the router's own.
 */
function parserLimitError(formatted: GraphQLFormattedError, limits: { maxTokens: number; maxSelections: number }): GraphQLFormattedError {
  if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && /tokens\. Parsing aborted/.test(formatted.message)) {
    return {
      message: `The operation has more than ${limits.maxTokens} tokens, over the limit`,
      extensions: { ...formatted.extensions, code: ErrorCode.OperationLimitExceeded, limit: 'tokens', max: limits.maxTokens },
    };
  }
  if (formatted.extensions?.validationErrorCode === 'MAX_RECURSIVE_SELECTIONS_EXCEEDED') {
    const { validationErrorCode: _code, ...extensions } = formatted.extensions;
    return {
      message: `The operation comes to more than ${limits.maxSelections} selections with its fragments expanded, over the limit`,
      extensions: { ...extensions, code: ErrorCode.OperationLimitExceeded, limit: 'selections', max: limits.maxSelections },
    };
  }
  return formatted;
}

/**
 * The signer of each subgraph's internal header: with INTERNAL_TOKEN_SECRET, for the subgraphs
 * INTERNAL_TOKEN_SUBGRAPHS names (default: the hub's own that the supergraph has); none for the
 * others. Each signs tokens for its subgraph alone (their audience is its name).
 */
function internalTokenSigners(config: RouterConfig, subgraphs: string[]): (name: string) => InternalTokenSigner | undefined {
  const secret = config.INTERNAL_TOKEN_SECRET;
  const named = config.INTERNAL_TOKEN_SUBGRAPHS;
  const unknown = named?.filter((name) => !subgraphs.includes(name)) ?? [];
  if (unknown.length > 0) {
    // Subgraph names only: the error never shows a secret.
    throw new ConfigError(`Invalid configuration:\n  INTERNAL_TOKEN_SUBGRAPHS=${JSON.stringify(named!.join(','))}: ${unknown.join(', ')} names no subgraph of this supergraph (it has ${subgraphs.join(', ')})`);
  }
  const signed = named ?? subgraphs.filter((name) => (HUB_SUBGRAPHS as readonly string[]).includes(name));
  const signers = new Map(secret ? signed.map((name) => [name, new InternalTokenSigner(secret, name)]) : []);
  return (name) => signers.get(name);
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

  const limiter = new OperationLimiter({
    maxDepth: config.OPERATION_MAX_DEPTH,
    maxAliases: config.OPERATION_MAX_ALIASES,
    maxRootFields: config.OPERATION_MAX_ROOT_FIELDS,
    maxDirectives: config.OPERATION_MAX_DIRECTIVES,
    maxCost: config.OPERATION_MAX_COST,
    maxSelections: config.OPERATION_MAX_SELECTIONS,
  });
  const parserLimits = { maxTokens: config.OPERATION_MAX_TOKENS, maxSelections: config.OPERATION_MAX_SELECTIONS };
  const cache = config.RESPONSE_CACHE ? await createResponseCache(config, { supergraphSdl: supergraph.sdl, logger: deps.logger }) : undefined;

  const mask = maskUnexpectedErrors(production);
  const formatError = (formatted: GraphQLFormattedError, error: unknown) => mask(parserLimitError(formatted, parserLimits), error);
  const apollo = new ApolloServer<RouterContext>({
    gateway,
    logger: deps.logger,
    introspection: config.INTROSPECTION ?? !production,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: config.OPERATION_MAX_TOKENS },
    // Counted with fragments expanded, during validation: a fragment fan-out stops here, before any walk of ours.
    maxRecursiveSelections: config.OPERATION_MAX_SELECTIONS,
    // No "did you mean" field suggestions for clients in production.
    hideSchemaDetailsFromClientErrors: production,
    persistedQueries: security.persistedQueries,
    formatError,
    plugins: [
      requestPlugin<RouterContext>(),
      security.plugin,
      limiter.plugin<RouterContext>(),
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
    trustClientRequestId: false,
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
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
          const authentication = await security.authenticator.authenticate(credentialsFromHeaders(req.headers), clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies));
          const refused = credentialsError(authentication);
          if (refused) return { error: { message: refused.message, code: refused.extensions.code as ErrorCode, status: authentication.outcome === 'unavailable' ? 503 : authentication.outcome === 'throttled' ? 429 : 401 } };
          return { principal: authentication.outcome === 'ok' ? authentication.principal : undefined };
        }, { audit: security.audit, trustedProxies }),
      }),
      '/': (_req, res) => {
        res.writeHead(302, { location: '/graphql' }).end();
      },
      '/health': (_req, res) => sendJson(res, 200, { status: 'ok', service: 'router' }),
      '/ready': async (req, res) => {
        const checked = await checkSubgraphs(subgraphUrls, Math.min(config.SUBGRAPH_TIMEOUT_MS, 2_000), async (name): Promise<Record<string, string>> => {
          const signer = internalTokens(name);
          return signer ? { [INTERNAL_TOKEN_HEADER]: await signer.token(ROUTER_SERVICE) } : {};
        });
        const subgraphs = checked.map((subgraph) => ({ ...subgraph, circuit: policies[subgraph.name]?.state }));
        const ready = subgraphs.every((subgraph) => subgraph.ready);
        // Which subgraphs are down, and where they live, is for operators: `admin` or `health:read`.
        const authentication = await security.authenticator.authenticate(credentialsFromHeaders(req.headers), clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies));
        const scopes = authentication.outcome === 'ok' ? (authentication.principal?.scopes ?? []) : [];
        const detailed = scopes.includes('admin') || scopes.includes('health:read');
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', ...(detailed && { subgraphs }) });
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
    formatError,
    limiter,
    parserLimits,
    connectionLimits: {
      maxPayloadBytes: config.WS_MAX_PAYLOAD_BYTES,
      connectionInitTimeoutMs: config.WS_CONNECTION_INIT_TIMEOUT_MS,
      perAddress: config.WS_MAX_CONNECTIONS_PER_ADDRESS,
      perPrincipal: config.WS_MAX_CONNECTIONS_PER_PRINCIPAL,
      subscriptionsPerConnection: config.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    },
    logger: deps.logger,
    internalTokens,
    authenticator: security.authenticator,
    guard: security.guard,
    audit: security.audit,
  });
  // Every replica follows every committed event (needs the database the events are in): the
  // response cache purges what it changed, and a revoked or changed API key loses its sockets.
  const events =
    database && config.DATABASE_URL
      ? followEvents({ db: database.db, databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL, logger: deps.logger }, (event) => {
          if (event.subject.typename === 'ApiKey' && (event.type === 'api_key.revoked' || event.type === 'api_key.updated')) sockets.closeForApiKey(event.subject.id);
          cache?.purgeForEvent(event).catch((error: unknown) => deps.logger.warn({ err: error, eventId: event.id }, 'purging the response cache for an event failed'));
        })
      : undefined;
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
      await events?.stop();
      await cache?.close();
      await database?.close();
    },
  };
}
