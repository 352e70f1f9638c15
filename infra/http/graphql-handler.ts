import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { ErrorCode, httpErrorBody } from '../errors.js';
import { attachReleaseHandle, release, type ReleaseHandle } from '../graphql/request-release.js';
import { sendJson, type RouteHandler } from './http-server.js';

export interface GraphQLHandlerOptions<TContext extends BaseContext> {
  /** Builds the per-request context; runs once per HTTP request, after the body is read. */
  context: (req: IncomingMessage, requestId: string) => Promise<TContext> | TContext;
  /** Requests with a larger body get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Runs once the request is read, before Apollo Server; returning true means it has answered
   * (the router's response cache does). Throwing from it fails the request with a 500.
   */
  respond?: (request: { method: string; body: unknown }, req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<boolean>;
  /**
   * Once the response is written, also empty Apollo Server's copy of the context (see
   * request-release.ts); the result is always dropped. For servers whose operations leave no
   * work running after their response: every resolver awaited, no retry that reads the context later.
   */
  releaseContext?: boolean;
}

class BodyTooLarge extends Error {}

/** Deeper JSON is refused before parsing: no GraphQL request needs it, and parsing it costs time and memory for nothing. */
const MAX_JSON_NESTING = 100;

/**
 * True when `json` opens more than `max` arrays or objects inside each other (outside strings);
 * one pass, no parsing. A string is skipped to its closing quote (one not escaped by an odd
 * number of backslashes) by indexOf, so a body of long strings (an import batch) is mostly not
 * looked at character by character.
 */
function nestedDeeperThan(json: string, max: number): boolean {
  let depth = 0;
  for (let index = 0; index < json.length; index++) {
    const char = json.charCodeAt(index);
    if (char === 0x22) {
      for (;;) {
        index = json.indexOf('"', index + 1);
        if (index === -1) return false;
        let backslashes = 0;
        while (json.charCodeAt(index - 1 - backslashes) === 0x5c) backslashes++;
        if (backslashes % 2 === 0) break;
      }
    } else if (char === 0x5b || char === 0x7b) {
      if (++depth > max) return true;
    } else if (char === 0x5d || char === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}

/** How long the rest of a refused body is read and dropped before its connection is cut. */
const DISCARD_GRACE_MS = 2_000;

/**
 * Reads and drops what is left of a request that was answered without it (413), so that a client
 * still sending gets to read the answer rather than a reset connection; a client that is still
 * sending after DISCARD_GRACE_MS (a 2 GB upload) has its connection cut.
 */
export function discardRest(req: IncomingMessage): void {
  if (req.complete) return;
  req.resume();
  const timer = setTimeout(() => req.socket?.destroy(), DISCARD_GRACE_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
}

/** The request body as text; rejects with BodyTooLarge past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The codes of GraphQL request errors, met before anything executes: the document does not parse
 * or does not validate (the router's operation limits, its token limit included, are validation
 * rules of its own, which the spec allows), names no operation to run, or its variables do not coerce.
 */
const REQUEST_ERROR_CODES: ReadonlySet<unknown> = new Set<string>([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ErrorCode.OperationLimitExceeded,
]);

/**
 * Apollo Server's status, as the GraphQL-over-HTTP spec asks: a response that carries only request
 * errors gets 200 when it is `application/json` (a client cannot trust the body of a 4xx, which any
 * proxy may have written) and keeps 400 as `application/graphql-response+json`. A request with no
 * Accept header keeps 400 too: since 2025 the spec treats it as accepting the latter, and the router,
 * which calls its subgraphs without one, reads their 400 for a variable that fails a custom scalar.
 * Every other status (401, 403, 405, 413, 429, and the 400 of a malformed request or of CSRF
 * prevention) stays as it is.
 */
function statusFor(response: HTTPGraphQLResponse, accept: string | undefined): number {
  const status = response.status ?? 200;
  if (status !== 400 || !accept?.trim() || response.body.kind !== 'complete') return status;
  if (!response.headers.get('content-type')?.startsWith('application/json')) return status;
  let body: unknown;
  try {
    body = JSON.parse(response.body.string);
  } catch {
    return status;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body) || 'data' in body) return status;
  const { errors } = body as { errors?: unknown };
  if (!Array.isArray(errors) || errors.length === 0) return status;
  const requestErrorsOnly = errors.every((error: { extensions?: { code?: unknown } } | null) => REQUEST_ERROR_CODES.has(error?.extensions?.code));
  return requestErrorsOnly ? 200 : status;
}

/**
 * Plugs Apollo Server into a plain node:http server: the body is read and parsed here,
 * everything GraphQL (CSRF prevention, GET, batching, landing page) stays in Apollo Server, but
 * for the status of a request error (statusFor).
 */
export function graphqlHandler<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: GraphQLHandlerOptions<TContext>,
): RouteHandler {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  return async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    let body: unknown;
    if (req.method === 'POST') {
      let raw: string;
      try {
        raw = await readBody(req, maxBodyBytes);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        sendJson(res, 413, httpErrorBody(`Request body larger than ${maxBodyBytes} bytes`, ErrorCode.BadRequest, requestId));
        discardRest(req);
        return;
      }
      const isJson = (req.headers['content-type'] ?? '').toLowerCase().includes('json');
      if (isJson && raw.length > 0) {
        if (nestedDeeperThan(raw, MAX_JSON_NESTING)) {
          sendJson(res, 400, httpErrorBody(`The request body nests arrays or objects more than ${MAX_JSON_NESTING} deep`, ErrorCode.BadRequest, requestId));
          return;
        }
        try {
          body = JSON.parse(raw);
        } catch {
          sendJson(res, 400, httpErrorBody('The request body is not valid JSON', ErrorCode.BadRequest, requestId));
          return;
        }
      } else {
        body = raw;
      }
    }

    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const method = req.method?.toUpperCase() ?? 'GET';
    const search = queryStart >= 0 ? url.slice(queryStart) : '';
    if (options.respond && (await options.respond({ method, body }, req, res, requestId))) return;
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let handle: ReleaseHandle | undefined;
    try {
      const response = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search, body },
        context: async () => {
          const context = await options.context(req, requestId);
          handle = attachReleaseHandle(context);
          return context;
        },
      });

      for (const [name, value] of response.headers) res.setHeader(name, value);
      res.statusCode = statusFor(response, req.headers.accept);
      if (response.body.kind === 'complete') {
        // As bytes, encoded once: given the string, Node scans it for its Content-Length and then
        // encodes it again while writing (two passes over a federated answer of 100 KB).
        res.end(Buffer.from(response.body.string));
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } finally {
      if (handle) release(handle, { context: options.releaseContext === true });
    }
  };
}
