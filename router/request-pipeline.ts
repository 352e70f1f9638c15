import type { IncomingMessage } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import { graphqlHandler } from '../infra/http/graphql-handler.js';
import type { RouteHandler } from '../infra/http/http-server.js';
import { describeOperation, tracedRoute } from '../infra/tracing/server-spans.js';
import { SpanAttributes, type Tracing } from '../infra/tracing/tracing.js';
import type { RouterSecurity } from './auth/router-security.js';
import { guardOperation } from './auth/security-plugin.js';
import { CACHE_STATUS_HEADER, type ResponseCache } from './cache/response-cache.js';
import { createContext, type ContextDeps, type RouterContext } from './context.js';
import type { RequestMetrics } from './metrics/request-metrics.js';

export interface RequestPipelineDeps {
  apollo: ApolloServer<RouterContext>;
  security: RouterSecurity;
  /** Undefined when RESPONSE_CACHE=false. */
  cache: ResponseCache | undefined;
  context: ContextDeps;
  /** Counts the answers the cache gives before Apollo Server (its plugin counts the rest); none without metrics. */
  metrics?: RequestMetrics;
  /** With it, each request is an operation span (infra/tracing/server-spans.ts); none without. */
  tracing?: Tracing;
}

/**
 * A GraphQL request over HTTP, in the order it is handled:
 *
 * 1. **Context.** The caller's credentials are verified once (`createContext`), whoever answers.
 * 2. **Cache.** A repeated query whose fresh answer the response cache holds for this caller is
 *    answered from it, but only once:
 * 3. **Guard** (`guardOperation`: safelist, rate limits, credentials, access rules) admits it.
 *    Its verdict is kept in the context, so a request the cache cannot answer is not guarded twice.
 * 4. **Execute.** Everything else goes to Apollo Server: parsing and validation with their limits,
 *    then its plugins in order (the guard, with the kept verdict; the operation limits; the cache,
 *    which stores the answer or purges after a mutation; the request metrics), then the query plan.
 *
 * Either way the answer is counted once (router/metrics/request-metrics.ts), and with tracing on
 * it is one operation span, continuing the client's `traceparent` if it sent one.
 *
 * Subscriptions over graphql-ws take the same guard and limits in router-subscriptions.ts.
 */
export function graphqlPipeline(deps: RequestPipelineDeps): RouteHandler {
  const { apollo, security, cache } = deps;
  const contexts = new WeakMap<IncomingMessage, Promise<RouterContext>>();
  const contextOf = (req: IncomingMessage, requestId: string) => {
    let context = contexts.get(req);
    if (!context) contexts.set(req, (context = createContext(req, requestId, deps.context)));
    return context;
  };

  const handler = graphqlHandler(apollo, {
    respond:
      cache &&
      (async (request, req, res, requestId) => {
        const context = await contextOf(req, requestId);
        let operationName: string | null = null;
        const served = await cache.serve(request, req, res, context.principal, async (operation) => {
          operationName = operation.operationName;
          const refused = await guardOperation(security.guard, context, operation.schema, operation.document, operation.operationName, operation.queryHash);
          context.guarded = { refused };
          return refused === undefined;
        });
        if (served) {
          deps.metrics?.served(operationName, context.startedAt);
          const span = deps.tracing && trace.getActiveSpan();
          if (span) describeOperation(span, { name: operationName, type: 'query', principal: context.principal });
        }
        return served;
      }),
    context: async (req, requestId) => {
      const context = await contextOf(req, requestId);
      context.cache = cache?.stateFor(req);
      return context;
    },
  });
  if (!deps.tracing) return handler;
  return tracedRoute(deps.tracing, handler, {}, (span, res) => {
    const cacheStatus = res.getHeader(CACHE_STATUS_HEADER);
    if (typeof cacheStatus === 'string') span.setAttribute(SpanAttributes.cacheStatus, cacheStatus);
  });
}
