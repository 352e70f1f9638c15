import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError, Kind } from 'graphql';
import type { SubgraphPolicy } from './subgraph-policy.js';
import type { SubgraphClient, SubgraphRequestInit } from './subgraph-client.js';
import { INTERNAL_TOKEN_HEADER, ROUTER_SERVICE, type InternalTokenSigner } from '../../infra/auth/internal-token.js';
import { REQUEST_ID_HEADER } from '../../infra/http/request-id.js';
import type { RouterContext } from '../context.js';

type FetcherResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];

interface ErrorBody {
  errors?: { message?: string; extensions?: Record<string, unknown> }[];
}

function isMutation(options: GraphQLDataSourceProcessOptions<RouterContext>): boolean {
  const document = 'document' in options ? options.document : undefined;
  const operation = document?.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operation?.kind === Kind.OPERATION_DEFINITION) return operation.operation === 'mutation';
  return /^\s*mutation\b/.test(options.request.query ?? '');
}

/**
 * Calls one subgraph over HTTP through the router's SubgraphClient (a keep-alive pool), passing on the
 * request id and the configured client headers. A subgraph that does not answer within
 * `timeoutMs` fails that fetch; calls go through the subgraph's bulkhead, circuit breaker and
 * (queries only) retries. A failed fetch leaves the fields it would have
 * filled null, with an error naming the subgraph; the rest of the plan goes on. Reads may share
 * an identical request already in flight.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<RouterContext> {
  private readonly policy: SubgraphPolicy;
  private readonly timeoutMs: number;
  private readonly internalTokens: InternalTokenSigner | undefined;
  private readonly client: SubgraphClient;

  /**
   * `internalTokens`: when given, every request carries the caller (`context.principal`, or an
   * anonymous identity) in the signed x-interchange-identity header; the gateway's own requests
   * go as the router's service principal. Without it no identity header is sent.
   */
  constructor({
    url,
    timeoutMs,
    policy,
    client,
    internalTokens,
  }: {
    url: string;
    timeoutMs: number;
    policy: SubgraphPolicy;
    client: SubgraphClient;
    internalTokens?: InternalTokenSigner;
  }) {
    super({ url, fetcher: ((input: string, init: SubgraphRequestInit) => client.send(input, init, timeoutMs)) as never });
    this.policy = policy;
    this.timeoutMs = timeoutMs;
    this.internalTokens = internalTokens;
    this.client = client;
  }

  override process(options: GraphQLDataSourceProcessOptions<RouterContext>) {
    const deadline = (options.context as Partial<RouterContext>).deadline;
    // Each attempt gets the subgraph timeout, cut to what is left of the operation's deadline.
    const deadlinePassed = () => Object.assign(new Error('the operation deadline passed'), { name: 'TimeoutError' });
    const shareable = !isMutation(options);
    const attempt = () => {
      const left = deadline === undefined ? this.timeoutMs : Math.min(this.timeoutMs, deadline - Date.now());
      if (left <= 0) return Promise.reject(deadlinePassed());
      const call = super.process.call(this.forCall(left, shareable), options);
      if (left === this.timeoutMs) return call;
      return call.catch((error: unknown) => {
        throw error instanceof Error && error.name === 'TimeoutError' ? deadlinePassed() : error;
      });
    };
    return this.policy.execute(attempt, { retriable: shareable });
  }

  /**
   * This data source as one call sees it: a view whose own `fetcher` knows the call's timeout and
   * whether it may share a request in flight. RemoteGraphQLDataSource.process reaches the fetcher
   * only through `this`, and the gateway passes nothing else to it.
   */
  private forCall(timeoutMs: number, shareable: boolean): this {
    const view = Object.create(this) as this;
    view.fetcher = ((input: string, init: SubgraphRequestInit) =>
      shareable ? this.client.sendShared(input, init, timeoutMs) : this.client.send(input, init, timeoutMs)) as never;
    return view;
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): Promise<void> {
    const headers = request.http?.headers;
    if (!headers) return;
    // The context is empty for the gateway's own requests (health checks).
    const { requestId, forwardedHeaders, principal } = context as Partial<RouterContext>;
    if (requestId) {
      headers.set(REQUEST_ID_HEADER, requestId);
      for (const [name, value] of Object.entries(forwardedHeaders ?? {})) headers.set(name, value);
    }
    // Set last, so that no forwarded client header can stand in for it.
    if (this.internalTokens) headers.set(INTERNAL_TOKEN_HEADER, await this.internalTokens.token(requestId ? principal : ROUTER_SERVICE));
    else headers.delete(INTERNAL_TOKEN_HEADER);
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
