import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { context, SpanKind, trace, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import { GraphQLError, Kind } from 'graphql';
import type { SubgraphPolicy } from './subgraph-policy.js';
import type { SubgraphClient, SubgraphRequestInit } from './subgraph-client.js';
import { INTERNAL_TOKEN_HEADER, ROUTER_SERVICE, type InternalTokenSigner } from '../../infra/auth/internal-token.js';
import { REQUEST_ID_HEADER } from '../../infra/http/request-id.js';
import { spanFailed, SpanAttributes, type Tracing } from '../../infra/tracing/tracing.js';
import type { RouterContext } from '../context.js';
import { HttpDataSource, type FetchedResponse, type Fetcher } from './http-data-source.js';
import { restrictBySubgraphAnswer, type RestrictablePolicy } from '../cache/subgraph-cache-hints.js';


interface ErrorBody {
  errors?: { message?: string; extensions?: Record<string, unknown> }[];
}

function isMutation(options: GraphQLDataSourceProcessOptions<RouterContext>): boolean {
  const document = 'document' in options ? options.document : undefined;
  const operation = document?.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operation?.kind === Kind.OPERATION_DEFINITION) return operation.operation === 'mutation';
  return /^\s*mutation\b/.test(options.request.query ?? '');
}

/** `call`, ending `span` when it settles (failed, if it fails). */
function endingSpan<T>(span: Span, call: Promise<T>): Promise<T> {
  return call.then(
    (result) => {
      span.end();
      return result;
    },
    (error: unknown) => {
      spanFailed(span, error);
      span.end();
      throw error;
    },
  );
}

/**
 * Calls one subgraph over HTTP through the router's SubgraphClient (a keep-alive pool), passing on the
 * request id and the configured client headers. A subgraph that does not answer within
 * `timeoutMs` fails that fetch; calls go through the subgraph's bulkhead, circuit breaker and
 * (queries only) retries. A failed fetch leaves the fields it would have
 * filled null, with an error naming the subgraph; the rest of the plan goes on. Reads may share
 * an identical request already in flight. With `tracing`, each attempt within a traced operation
 * is a span (`subgraph.fetch <name>`: the subgraph, the attempt, the HTTP status) whose
 * `traceparent` the request carries, so that the subgraph's spans are its children.
 * Each answer narrows the operation's cache policy by its Cache-Control header
 * (cache/subgraph-cache-hints.ts), as @apollo/gateway would, but an answer without the header is
 * left to the response cache when it takes part in the request.
 */
export class SubgraphDataSource extends HttpDataSource<RouterContext> {
  private readonly policy: SubgraphPolicy;
  private readonly timeoutMs: number;
  private readonly internalTokens: InternalTokenSigner | undefined;
  private readonly client: SubgraphClient;
  private readonly tracing: Tracing | undefined;

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
    tracing,
  }: {
    url: string;
    timeoutMs: number;
    policy: SubgraphPolicy;
    client: SubgraphClient;
    internalTokens?: InternalTokenSigner;
    tracing?: Tracing;
  }) {
    super(url);
    this.policy = policy;
    this.timeoutMs = timeoutMs;
    this.internalTokens = internalTokens;
    this.client = client;
    this.tracing = tracing;
  }

  override process(options: GraphQLDataSourceProcessOptions<RouterContext>) {
    const deadline = (options.context as Partial<RouterContext>).deadline;
    // Each attempt gets the subgraph timeout, cut to what is left of the operation's deadline.
    const deadlinePassed = () => Object.assign(new Error('the operation deadline passed'), { name: 'TimeoutError' });
    const shareable = !isMutation(options);
    let attempts = 0;
    const attempt = () => {
      const left = deadline === undefined ? this.timeoutMs : Math.min(this.timeoutMs, deadline - Date.now());
      if (left <= 0) return Promise.reject(deadlinePassed());
      attempts += 1;
      const span = this.tracing && this.startAttemptSpan(this.tracing, attempts, options.request.operationName);
      const sent = this.send(options, this.fetcherFor(left, shareable, span));
      const call = span ? endingSpan(span, sent) : sent;
      if (left === this.timeoutMs) return call;
      return call.catch((error: unknown) => {
        throw error instanceof Error && error.name === 'TimeoutError' ? deadlinePassed() : error;
      });
    };
    const answered = this.policy.execute(attempt, { retriable: shareable });
    const cachePolicy: RestrictablePolicy | undefined = 'incomingRequestContext' in options ? options.incomingRequestContext.overallCachePolicy : undefined;
    if (!cachePolicy) return answered;
    const hints = (options.context as Partial<RouterContext>).cache?.subgraphHints;
    return answered.then((response) => {
      restrictBySubgraphAnswer(cachePolicy, response.http?.headers.get('cache-control'), hints);
      return response;
    });
  }

  /** The fetcher of one attempt: its timeout, whether it may share a request in flight, and its span, if traced. */
  private fetcherFor(timeoutMs: number, shareable: boolean, span: Span | undefined): Fetcher {
    const send = (input: string, init: SubgraphRequestInit) => (shareable ? this.client.sendShared(input, init, timeoutMs) : this.client.send(input, init, timeoutMs));
    if (!span) return send;
    return async (input, init) => {
      this.tracing!.inject(span, init.headers);
      const response = await send(input, init);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
      if (response.shared) span.setAttribute(SpanAttributes.shared, true);
      return response;
    };
  }

  /**
   * The span of one attempt, a child of the active operation span; none for a fetch outside a
   * traced operation (the operations and subscription events of graphql-ws, the gateway's own checks).
   */
  private startAttemptSpan(tracing: Tracing, attempt: number, operationName: string | undefined): Span | undefined {
    const parent = context.active();
    if (!trace.getSpan(parent)) return undefined;
    return tracing.tracer.startSpan(
      `subgraph.fetch ${this.policy.serviceName}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { [SpanAttributes.subgraph]: this.policy.serviceName, [SpanAttributes.attempt]: attempt, [ATTR_URL_FULL]: this.url, [SpanAttributes.operationName]: operationName },
      },
      parent,
    );
  }

  protected override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): Promise<void> {
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
  protected override async errorFromResponse(response: FetchedResponse): Promise<GraphQLError> {
    const error = await super.errorFromResponse(response);
    const body = (error.extensions.response as { body?: ErrorBody } | undefined)?.body;
    const first = typeof body === 'object' ? body?.errors?.[0] : undefined;
    if (response.status !== 400 || !first?.message) return error;
    return new GraphQLError(first.message, { extensions: { ...first.extensions } });
  }
}
