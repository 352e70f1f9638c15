import type { ServerResponse } from 'node:http';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import type { GraphQLFormattedError } from 'graphql';
import type { Principal } from '../auth/principal.js';
import type { RequestContext } from '../graphql/request-plugin.js';
import type { RouteHandler } from '../http/http-server.js';
import { spanFailed, SpanAttributes, type Tracing } from './tracing.js';

/** A GraphQL request's server span is called this until its operation is known, then `graphql.operation <name or type>`. */
export const OPERATION_SPAN = 'graphql.operation';

/** Error codes an operation span lists at most. */
const MAX_ERROR_CODES = 10;

/**
 * The server span of every request `handler` answers: a child of the `traceparent` the request
 * carries (a client's at the router, the router's subgraph fetch at a subgraph), with the request
 * id, and active while the handler runs, so that what the request causes (subgraph fetches, cache
 * calls, SQL statements) nests under it. operationSpanPlugin names it after the operation;
 * `finish` adds what only the answer tells. A 5xx answer or a handler that throws marks it failed.
 */
export function tracedRoute(tracing: Tracing, handler: RouteHandler, attributes: Attributes, finish?: (span: Span, res: ServerResponse) => void): RouteHandler {
  return (req, res, requestId) => {
    const parent = tracing.extract(req.headers);
    const span = tracing.tracer.startSpan(
      OPERATION_SPAN,
      { kind: SpanKind.SERVER, attributes: { ...attributes, [SpanAttributes.requestId]: requestId, [ATTR_HTTP_REQUEST_METHOD]: req.method } },
      parent,
    );
    return context.with(trace.setSpan(parent, span), async () => {
      try {
        await handler(req, res, requestId);
      } catch (error) {
        spanFailed(span, error);
        throw error;
      } finally {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        finish?.(span, res);
        span.end();
      }
    });
  };
}

/** Names an operation span after its operation and says who asked. */
export function describeOperation(span: Span, operation: { name: string | null | undefined; type: string | undefined; principal: Principal | undefined }): void {
  const { name, type, principal } = operation;
  if (name || type) span.updateName(`${OPERATION_SPAN} ${name || type}`);
  if (name) span.setAttribute(SpanAttributes.operationName, name);
  if (type) span.setAttribute(SpanAttributes.operationType, type);
  if (principal) {
    span.setAttribute(SpanAttributes.principalId, principal.id);
    span.setAttribute(SpanAttributes.principalKind, principal.kind);
  }
}

/** Lists the answer's error codes on its operation span and marks the span failed. */
export function recordErrors(span: Span, errors: readonly GraphQLFormattedError[]): void {
  const codes = [...new Set(errors.map((error) => String(error.extensions?.code ?? 'error')))].slice(0, MAX_ERROR_CODES);
  span.setAttribute(SpanAttributes.errorCodes, codes);
  span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(', ') });
}

/**
 * An Apollo Server plugin that describes the active server span (tracedRoute's) by the operation
 * Apollo Server resolved, and lists the answer's error codes on it. Installed only where tracing is on.
 */
export function operationSpanPlugin<TContext extends RequestContext>(): ApolloServerPlugin<TContext> {
  // One listener for every request: the span is the request's active one.
  const listener: GraphQLRequestListener<TContext> = {
    async willSendResponse({ operationName, operation, contextValue, response }) {
      const span = trace.getActiveSpan();
      if (!span) return;
      describeOperation(span, { name: operationName, type: operation?.operation, principal: contextValue.principal });
      const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
      if (errors?.length) recordErrors(span, errors);
    },
  };
  return { requestDidStart: async () => listener };
}
