import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { REQUEST_ID_HEADER } from '../infra/http/request-id.js';
import type { RouterContext } from './context.js';

type FetcherResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];

interface ErrorBody {
  errors?: { message?: string; extensions?: Record<string, unknown> }[];
}

/**
 * Calls one subgraph over HTTP with Node's fetch (keep-alive by default), passing on the
 * request id and the configured client headers. A subgraph that does not answer within
 * `timeoutMs` fails that fetch; the rest of the plan goes on.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<RouterContext> {
  constructor({ url, timeoutMs }: { url: string; timeoutMs: number }) {
    super({
      url,
      fetcher: ((input: string, init: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as never,
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = request.http?.headers;
    // The context is empty for the gateway's own requests (health checks).
    const { requestId, forwardedHeaders } = context as Partial<RouterContext>;
    if (!headers || !requestId) return;
    headers.set(REQUEST_ID_HEADER, requestId);
    for (const [name, value] of Object.entries(forwardedHeaders ?? {})) headers.set(name, value);
  }

  /**
   * A subgraph answers HTTP 400 with a GraphQL error when a variable fails its custom scalar
   * (a malformed Decimal): the router cannot check scalars it only knows by name. Pass that
   * error on as the subgraph wrote it (BAD_USER_INPUT) instead of a generic "400: Bad Request".
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const error = await super.errorFromResponse(response);
    const body = (error.extensions.response as { body?: ErrorBody } | undefined)?.body;
    const first = typeof body === 'object' ? body?.errors?.[0] : undefined;
    if (response.status !== 400 || !first?.message) return error;
    return new GraphQLError(first.message, { extensions: { ...first.extensions } });
  }
}
