import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { REQUEST_ID_HEADER } from '../infra/http/request-id.js';
import type { RouterContext } from './context.js';

/** Calls one subgraph over HTTP, passing on the request id and the configured client headers. */
export class SubgraphDataSource extends RemoteGraphQLDataSource<RouterContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = request.http?.headers;
    // The context is empty for the gateway's own requests (health checks).
    const { requestId, forwardedHeaders } = context as Partial<RouterContext>;
    if (!headers || !requestId) return;
    headers.set(REQUEST_ID_HEADER, requestId);
    for (const [name, value] of Object.entries(forwardedHeaders ?? {})) headers.set(name, value);
  }
}
