/**
 * The hub's own services calling the router's GraphQL API as any other caller does (the queues'
 * processors; later SAP, inbound webhooks, bulk import), so that authentication, access rules,
 * rate limits, audit records, events and cache purges apply to them as to everyone.
 */

/** Where the router is and the credentials to call it with; the hub fills it for a subgraph it runs (see SubgraphDescriptor). */
export interface RouterAccess {
  /** The router's GraphQL URL; undefined while it is not up (the hub starts it after the subgraphs) or stopping. */
  url(): string | undefined;
  /** The credentials: `authorization: Bearer …` or `x-api-key: …`. May renew a token; rejects when none can be had. */
  headers(): Promise<Record<string, string>>;
}

/**
 * The router and credentials a hub service calls it with: the hub's (`given`, bearer tokens it
 * signs) when a hub runs the service, else ROUTER_URL with ROUTER_API_KEY (an API key with
 * `scopes`); a string says why there are none.
 */
export function routerAccessOf(given: RouterAccess | undefined, config: { ROUTER_URL?: string | undefined; ROUTER_API_KEY?: string | undefined }, scopes: readonly string[]): RouterAccess | string {
  if (given) return given;
  const { ROUTER_URL: url, ROUTER_API_KEY: key } = config;
  if (url && key) return { url: () => url, headers: async () => ({ 'x-api-key': key }) };
  return `set ROUTER_URL and ROUTER_API_KEY (an API key with the scopes ${scopes.join(', ')})`;
}

/** A GraphQL error as the router answered it. */
export interface RouterError {
  message: string;
  /** `extensions.code`; INTERNAL_SERVER_ERROR when the error has none. */
  code: string;
  extensions: Record<string, unknown>;
}

export type RouterResult<Data> = { data: Data; errors?: undefined } | { data?: Data | null; errors: RouterError[] };

/** The router could not be asked or gave no GraphQL answer (refused, timed out, not JSON): worth retrying. */
export class RouterUnreachable extends Error {
  override name = 'RouterUnreachable';
}

export interface RouterClientOptions {
  access: RouterAccess;
  /** A call that takes longer is given up (RouterUnreachable). Default 15,000 ms, the router's own OPERATION_TIMEOUT_MS default. */
  timeoutMs?: number;
}

/** An operation's request body, as RouterClient.send takes it. */
export function operationBody(query: string, variables: Record<string, unknown>): Uint8Array {
  return Buffer.from(JSON.stringify({ query, variables }));
}

export class RouterClient {
  private readonly timeoutMs: number;

  constructor(private readonly options: RouterClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /**
   * Runs one operation. Answers its data, or its GraphQL errors with their codes (a 401, 403 or
   * 429 carries them too); throws RouterUnreachable when there is no GraphQL answer.
   * `clientRequestId` goes as `x-request-id`, which the router keeps beside its own in the audit record.
   */
  async execute<Data>(query: string, variables: Record<string, unknown>, clientRequestId?: string): Promise<RouterResult<Data>> {
    return this.send<Data>(operationBody(query, variables), clientRequestId);
  }

  /** Runs an operation serialized by operationBody: a caller that may send it again keeps the bytes, not the variables. */
  async send<Data>(request: Uint8Array, clientRequestId?: string): Promise<RouterResult<Data>> {
    const url = this.options.access.url();
    if (!url) throw new RouterUnreachable('the router is not up');
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(clientRequestId ? { 'x-request-id': clientRequestId } : {}),
          ...(await this.options.access.headers()),
        },
        body: request,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new RouterUnreachable(timedOut ? `the router did not answer within ${this.timeoutMs} ms` : `the router could not be reached: ${(error as Error).message}`, { cause: error });
    }
    let body: { data?: Data | null; errors?: { message?: unknown; extensions?: Record<string, unknown> }[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new RouterUnreachable(`the router answered HTTP ${response.status} without a GraphQL body`);
    }
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      return {
        data: body.data,
        errors: body.errors.map((error) => ({
          message: String(error.message ?? 'unknown error'),
          code: typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR',
          extensions: error.extensions ?? {},
        })),
      };
    }
    if (body.data == null) throw new RouterUnreachable(`the router answered HTTP ${response.status} without data or errors`);
    return { data: body.data };
  }
}
