import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import cors from 'cors';
import { INTERNAL_TOKEN_HEADER, ROUTER_SERVICE } from '../infra/auth/internal-token.js';
import type { Principal } from '../infra/auth/principal.js';
import type { RouterConfig } from './config.js';
import { httpErrorBody, type ErrorCode } from '../infra/errors.js';
import { clientIp } from '../infra/http/client-ip.js';
import { sendJson, type RouteHandler } from '../infra/http/http-server.js';
import { REQUEST_ID_HEADER } from '../infra/http/request-id.js';
import { METRICS_PATH, metricsHandler } from '../infra/metrics/metrics-endpoint.js';
import type { Registry } from '../infra/metrics/metrics-registry.js';
import type { Logger } from '../infra/logger.js';
import { credentialsFromHeaders, type Authentication } from './auth/authenticator.js';
import type { RouterSecurity } from './auth/router-security.js';
import { cachePurgeHandler } from './cache/cache-admin.js';
import { CACHE_STATUS_HEADER, type ResponseCache } from './cache/response-cache.js';
import { credentialsError } from './context.js';
import type { SubgraphFetching } from './fetch/subgraph-fetching.js';
import { checkSubgraphs } from './readiness.js';
import { forwardedRoutes } from './forwarding/http-forwarding.js';
import { dashboardRoutes } from './dashboard-route.js';

/** Origins of Apollo Sandbox (standalone and embedded), admitted by CORS in every environment. */
export const SANDBOX_ORIGINS = ['https://studio.apollographql.com', 'https://sandbox.embed.apollographql.com'];

/**
 * CORS for Apollo Sandbox and CORS_ORIGINS, as startHttpServer's `intercept`: true when it
 * answered (a pre-flight). cors decides synchronously: it either calls next or answers.
 */
export function corsIntercept(config: RouterConfig): (req: IncomingMessage, res: ServerResponse) => boolean {
  const corsMiddleware = cors({
    origin: [...SANDBOX_ORIGINS, ...config.CORS_ORIGINS],
    methods: ['GET', 'POST', 'OPTIONS'],
    exposedHeaders: [REQUEST_ID_HEADER, CACHE_STATUS_HEADER, 'age', 'retry-after'],
    maxAge: 600,
  });
  return (req, res) => {
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
  };
}

export interface RouterRoutesDeps {
  config: RouterConfig;
  /** The GraphQL endpoint (request-pipeline.ts). */
  graphql: RouteHandler;
  security: RouterSecurity;
  cache: ResponseCache | undefined;
  fetching: SubgraphFetching;
  subgraphUrls: Record<string, string>;
  trustedProxies: BlockList | undefined;
  /** The router's metrics, at GET /metrics for callers with `metrics:read`; no route without them. */
  metrics: Registry | undefined;
  logger: Logger;
}

/**
 * The router's HTTP routes: `/graphql`, the operators' `/admin/cache/purge` and `/dashboard`,
 * `/health`, `/ready`, `/metrics`, the CSV exports (`/exports/customers.csv`,
 * `/exports/orders.csv`), and `/` redirecting to `/graphql`.
 */
export function routerRoutes(deps: RouterRoutesDeps): Record<string, RouteHandler> {
  const { config, security, cache, fetching, subgraphUrls, trustedProxies } = deps;
  const authenticate = (req: IncomingMessage): Promise<Authentication> =>
    security.authenticator.authenticate(credentialsFromHeaders(req.headers), clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies));
  /** The verified principal (undefined without credentials), or 'answered' after refusing the credentials with 401, 429 or 503. */
  const identify = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<{ principal: Principal | undefined } | 'answered'> => {
    const authentication = await authenticate(req);
    if (authentication.outcome === 'ok') return { principal: authentication.principal };
    const refused = credentialsError(authentication)!;
    const status = authentication.outcome === 'unavailable' ? 503 : authentication.outcome === 'throttled' ? 429 : 401;
    sendJson(res, status, httpErrorBody(refused.message, refused.extensions.code as ErrorCode, requestId));
    return 'answered';
  };

  return {
    '/graphql': deps.graphql,
    ...(cache && {
      '/admin/cache/purge': cachePurgeHandler(
        cache,
        async (req) => {
          const authentication = await authenticate(req);
          const refused = credentialsError(authentication);
          if (!refused) return { principal: authentication.outcome === 'ok' ? authentication.principal : undefined };
          const status = authentication.outcome === 'unavailable' ? 503 : authentication.outcome === 'throttled' ? 429 : 401;
          return { error: { message: refused.message, code: refused.extensions.code as ErrorCode, status } };
        },
        { audit: security.audit, trustedProxies },
      ),
    }),
    '/': (_req, res) => {
      res.writeHead(302, { location: '/graphql' }).end();
    },
    '/health': (_req, res) => sendJson(res, 200, { status: 'ok', service: 'router' }),
    // The operators' page (no credentials; its data comes from /graphql with theirs) and its built assets.
    ...dashboardRoutes(),
    // A bearer token or API key with `metrics:read` (401 without credentials, 403 without the scope).
    ...(deps.metrics && {
      [METRICS_PATH]: metricsHandler([deps.metrics], identify),
    }),
    // Exports and imports: a bearer token or API key with the route's scope (401 without credentials, 403 without the scope).
    ...forwardedRoutes({ subgraphUrls, internalTokens: fetching.internalTokens, identify, timeoutMs: config.SUBGRAPH_TIMEOUT_MS, audit: security.audit, trustedProxies, logger: deps.logger }),
    '/ready': async (req, res) => {
      const checked = await checkSubgraphs(subgraphUrls, Math.min(config.SUBGRAPH_TIMEOUT_MS, 2_000), async (name): Promise<Record<string, string>> => {
        const signer = fetching.internalTokens(name);
        return signer ? { [INTERNAL_TOKEN_HEADER]: await signer.token(ROUTER_SERVICE) } : {};
      });
      const ready = checked.every((subgraph) => subgraph.ready);
      // Which subgraphs are down, and where they live, is for operators: `admin` or `health:read`.
      const authentication = await authenticate(req);
      const scopes = authentication.outcome === 'ok' ? (authentication.principal?.scopes ?? []) : [];
      const detailed = scopes.includes('admin') || scopes.includes('health:read');
      const subgraphs = detailed
        ? checked.map((subgraph) => {
            const circuit = fetching.circuitDetail(subgraph.name);
            return { ...subgraph, circuit: circuit?.state, circuitFailures: circuit?.failures, circuitOpenedAt: circuit?.openedAt?.toISOString() };
          })
        : undefined;
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', ...(subgraphs && { subgraphs }) });
    },
  };
}
