import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Principal } from '../auth/principal.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { recordForRelease } from './request-release.js';

/** What every request context in this codebase carries. */
export interface RequestContext extends BaseContext {
  requestId: string;
  logger: Logger;
  /**
   * The verified caller: at the router, from its credentials; at a subgraph, from the router's
   * signed internal header. Absent for a caller without credentials.
   */
  principal?: Principal;
}

/**
 * Puts the request id into every error's `extensions`, logs unexpected errors with it, and
 * writes one log line per operation, so that a client's report can be matched to the log.
 * Records each operation for graphqlHandler to release after the response (request-release.ts).
 */
export function requestPlugin<TContext extends RequestContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart(requestContext) {
      recordForRelease(requestContext);
      const started = performance.now();
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const original = unwrapResolverError(error);
            const code = error.extensions?.code;
            if (code === undefined || code === ErrorCode.InternalServerError) {
              contextValue.logger.error({ err: original, operationName, path: error.path }, 'unexpected error');
            }
          }
        },
        async willSendResponse({ response, contextValue, operationName, operation }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          contextValue.logger.info(
            { operationName, operationType: operation?.operation, durationMs: Math.round(performance.now() - started), errors: errors?.length ?? 0 },
            'operation',
          );
          if (errors) {
            response.body.singleResult.errors = errors.map((error) => ({
              ...error,
              extensions: { ...error.extensions, requestId: contextValue.requestId },
            }));
          }
        },
      };
    },
  };
}

/**
 * Apollo Server's `formatError`: unexpected errors (no code of ours) are masked in production,
 * so no SQL text, stack or host name reaches a client. They were logged by requestPlugin. So are
 * subgraphs' HTTP errors (a 401 from a subgraph that refused the router, say): SUBGRAPH_UNAVAILABLE.
 */
export function maskUnexpectedErrors(production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (isDatabaseUnavailable(unwrapResolverError(error))) {
      return {
        message: 'The database is unavailable; try again shortly',
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.DependencyUnavailable, service: 'postgres', retriable: true },
      };
    }
    // An HTTP error from a subgraph carries its URL, status and body in `extensions.response`.
    if (production && formatted.extensions?.response !== undefined) {
      const serviceName = typeof formatted.extensions.serviceName === 'string' ? formatted.extensions.serviceName : undefined;
      return {
        message: serviceName ? `The ${serviceName} subgraph is unavailable` : 'A subgraph is unavailable',
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.SubgraphUnavailable, ...(serviceName && { serviceName }) },
      };
    }
    const code = formatted.extensions?.code;
    if (!production || (code !== undefined && code !== ErrorCode.InternalServerError)) return formatted;
    return { message: 'Unexpected error', locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.InternalServerError } };
  };
}

/** PostgreSQL cannot be reached or dropped the connection: worth retrying, not a bug. */
function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03'].includes(code) || code.startsWith('08'))) return true;
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(message);
}
