import { createClient, type Client } from 'graphql-ws';

/** The router's GraphQL endpoint, on the page's own origin (the CSP admits nothing else). */
const GRAPHQL_PATH = '/graphql';

/** graphql-ws close codes the router uses for credentials: refused or expired (4403), missing (4401). */
const CREDENTIALS_CLOSE_CODES = new Set([4401, 4403]);

/**
 * What went wrong, as the page treats it:
 * - `credentials`: the token was refused or lacks `health:read`; the operator signs in again.
 * - `unavailable`: the hub did not answer or cut the socket; the panel says so and tries again.
 * - `failed`: the hub answered with an error (a field it does not serve yet, a bug); the panel shows it.
 */
export type ProblemKind = 'credentials' | 'unavailable' | 'failed';

export class HubProblem extends Error {
  constructor(
    message: string,
    readonly kind: ProblemKind,
  ) {
    super(message);
  }
}

interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: unknown };
}

const REFUSED = 'The hub refused these credentials (unknown, revoked or expired). Sign in again.';
const NO_SCOPE = 'These credentials lack the health:read scope (the readonly and admin roles have it).';

/** The problem in a GraphQL answer's errors; a credentials problem wins over the others. */
function problemOf(errors: readonly GraphQLErrorBody[]): HubProblem {
  const codes = errors.map((error) => error.extensions?.code);
  if (codes.includes('UNAUTHENTICATED')) return new HubProblem(REFUSED, 'credentials');
  if (codes.includes('FORBIDDEN')) return new HubProblem(NO_SCOPE, 'credentials');
  const retryable = codes.some((code) => code === 'RATE_LIMITED' || code === 'SUBGRAPH_UNAVAILABLE' || code === 'TIMEOUT' || code === 'CIRCUIT_OPEN');
  return new HubProblem(errors.map((error) => error.message).join('; ') || 'The hub answered with an error', retryable ? 'unavailable' : 'failed');
}

/** A graphql-ws sink's error: GraphQL errors, a CloseEvent, or an Error of the socket. */
function problemOfSocket(error: unknown): HubProblem {
  if (Array.isArray(error)) return problemOf(error as GraphQLErrorBody[]);
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') {
    const close = error as { code: number; reason?: string };
    if (CREDENTIALS_CLOSE_CODES.has(close.code)) return new HubProblem(close.reason ? `${close.reason}. Sign in again.` : REFUSED, 'credentials');
    return new HubProblem(`The live connection closed (${close.code}${close.reason ? `: ${close.reason}` : ''})`, 'unavailable');
  }
  return new HubProblem('The live connection to the hub failed', 'unavailable');
}

export interface LiveHandlers<Data> {
  next(data: Data): void;
  /** The subscription failed; unless it is a credentials problem it is started again, after 1 s, 2 s, ... up to 30 s. */
  problem(problem: HubProblem): void;
}

/**
 * The hub's GraphQL API with the operator's credentials: queries as POSTs to /graphql, and
 * subscriptions over one graphql-ws socket (credentials in `connection_init`). The socket is
 * opened with the first subscription and never retried by graphql-ws itself: each subscription
 * starts again on its own, with fresh variables, so the event tail resumes `after` the last
 * event it showed.
 */
export class HubClient {
  private readonly socket: Client;

  /**
   * @param credentials the headers that carry the token: `authorization` or `x-api-key`.
   * @param onConnection told when the socket opens (true) and closes (false).
   */
  constructor(
    private readonly credentials: Readonly<Record<string, string>>,
    onConnection: (open: boolean) => void,
  ) {
    const url = new URL(GRAPHQL_PATH, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.socket = createClient({
      url: url.href,
      connectionParams: () => ({ ...credentials }),
      lazy: true,
      retryAttempts: 0,
      on: { connected: () => onConnection(true), closed: () => onConnection(false) },
    });
  }

  /** Runs a query; throws a HubProblem when the answer has no data. */
  async query<Data>(document: string, variables?: Record<string, unknown>): Promise<Data> {
    let response: Response;
    try {
      response = await fetch(GRAPHQL_PATH, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...this.credentials },
        body: JSON.stringify({ query: document, variables }),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new HubProblem('The hub does not answer', 'unavailable');
    }
    if (response.status === 401) throw new HubProblem(REFUSED, 'credentials');
    if (response.status === 403) throw new HubProblem(NO_SCOPE, 'credentials');
    let body: { data?: Data | null; errors?: GraphQLErrorBody[] };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new HubProblem(`The hub answered ${response.status} without GraphQL`, 'unavailable');
    }
    if (body.errors?.length && !body.data) throw problemOf(body.errors);
    if (!body.data) throw new HubProblem(`The hub answered ${response.status} without data`, 'unavailable');
    return body.data;
  }

  /** Subscribes until the returned function is called; `variables` is read again at every (re)start. */
  live<Data>(document: string, variables: () => Record<string, unknown>, handlers: LiveHandlers<Data>): () => void {
    let stopped = false;
    let failures = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe = () => {};
    const fail = (problem: HubProblem) => {
      unsubscribe();
      if (stopped) return;
      handlers.problem(problem);
      if (problem.kind === 'credentials') return;
      retry = setTimeout(start, Math.min(30_000, 1_000 * 2 ** failures++));
    };
    const start = () => {
      const startedAt = Date.now();
      // Set once this attempt is over: graphql-ws also completes the sink when it is released.
      let ended = false;
      const end = (problem: HubProblem) => {
        if (ended) return;
        ended = true;
        // A subscription that ran a while was a success, even one that delivered nothing.
        if (Date.now() - startedAt > 30_000) failures = 0;
        fail(problem);
      };
      const release = this.socket.subscribe<Data>(
        { query: document, variables: variables() },
        {
          next: (result) => {
            if (ended) return;
            if (!result.data) return end(problemOf(result.errors ?? []));
            failures = 0;
            handlers.next(result.data);
          },
          error: (error) => end(problemOfSocket(error)),
          complete: () => end(new HubProblem('The hub ended the subscription', 'unavailable')),
        },
      );
      unsubscribe = () => {
        ended = true;
        release();
      };
    };
    start();
    return () => {
      stopped = true;
      clearTimeout(retry);
      unsubscribe();
    };
  }

  /** Closes the socket and every subscription on it. */
  async close(): Promise<void> {
    await this.socket.dispose();
  }
}
