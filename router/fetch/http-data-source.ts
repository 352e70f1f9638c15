import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';

/** What a data source reads of a subgraph's HTTP answer (SubgraphClient's answers have it). */
export interface FetchedResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null } & Iterable<[string, string]>;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body: string;
}

export type Fetcher = (url: string, init: FetchInit) => Promise<FetchedResponse>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A GraphQL subgraph over HTTP, as @apollo/gateway's data sources are called (by its health
 * checks and by our executor): the request's headers, `willSendRequest` to add the router's, one
 * POST of `{ query, operationName, variables, extensions }`, and the answer's JSON body with its
 * HTTP response. A non-2xx answer is a GraphQLError `<status>: <status text>` with
 * `extensions.response` (url, status, statusText, body) and UNAUTHENTICATED or FORBIDDEN for a
 * 401 or 403. This is what RemoteGraphQLDataSource does for the router (without its automatic
 * persisted queries and Cache-Control handling, which the router does not use), in our own code:
 * that class is Elastic-2.0 and would run on every subgraph fetch.
 */
export abstract class HttpDataSource<TContext extends Record<string, any>> implements GraphQLDataSource<TContext> {
  constructor(readonly url: string) {}

  abstract process(options: GraphQLDataSourceProcessOptions<TContext>): Promise<GatewayGraphQLResponse>;

  /** One request for `options`, sent with `fetcher` (a subclass's `process` picks one per call: its timeout, its span). */
  protected async send(options: GraphQLDataSourceProcessOptions<TContext>, fetcher: Fetcher): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const headers = new Headers();
    for (const [name, value] of request.http?.headers ?? []) headers.append(name, value);
    headers.set('content-type', 'application/json');
    request.http = { method: 'POST', url: this.url, headers };
    await this.willSendRequest(options);
    if (!request.query) throw new Error('Missing query');
    const { http: _http, ...body } = request;
    const response = await fetcher(this.url, { method: 'POST', headers: Object.fromEntries(headers), body: JSON.stringify(body) });
    if (!response.ok) throw await this.errorFromResponse(response);
    const parsed = await parseBody(response);
    if (!isObject(parsed)) throw new Error(`Expected JSON response body, but received: ${String(parsed)}`);
    return { ...parsed, http: response as unknown as GatewayGraphQLResponse['http'] };
  }

  /** Adds the data source's own headers to `options.request.http.headers`. */
  protected willSendRequest(_options: GraphQLDataSourceProcessOptions<TContext>): Promise<void> | void {}

  protected async errorFromResponse(response: FetchedResponse): Promise<GraphQLError> {
    const extensions: Record<string, unknown> = {
      response: { url: response.url, status: response.status, statusText: response.statusText, body: await parseBody(response) },
    };
    if (response.status === 401) extensions.code = 'UNAUTHENTICATED';
    else if (response.status === 403) extensions.code = 'FORBIDDEN';
    return new GraphQLError(`${response.status}: ${response.statusText}`, { extensions });
  }
}

/** JSON for a JSON (or graphql-response+json) answer, else its text. */
function parseBody(response: FetchedResponse): Promise<unknown> {
  const type = response.headers.get('content-type');
  return type && (type.startsWith('application/json') || type.startsWith('application/graphql-response+json')) ? response.json() : response.text();
}
