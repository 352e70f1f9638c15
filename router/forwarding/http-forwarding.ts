import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { INTERNAL_TOKEN_HEADER, type InternalTokenSigner } from '../../infra/auth/internal-token.js';
import type { Principal } from '../../infra/auth/principal.js';
import { ErrorCode, httpErrorBody } from '../../infra/errors.js';
import { discardRest } from '../../infra/http/graphql-handler.js';
import { sendJson, type RouteHandler } from '../../infra/http/http-server.js';
import { REQUEST_ID_HEADER } from '../../infra/http/request-id.js';
import type { Logger } from '../../infra/logger.js';
import { httpRequestRecord, type AuditRecord, type AuditSink } from '../audit/audit.js';

/** A plain HTTP route the router authenticates and forwards to the subgraph that serves it (at the same path). */
interface ForwardedRoute {
  subgraph: string;
  method: 'GET' | 'POST';
  /** The caller needs one of these; the subgraph checks the rest (which kind a job is, whose file). */
  scopes: readonly string[];
  /** What it does, in audit records and messages. */
  action: 'export' | 'import';
}

/**
 * The CSV exports (streamed from the owning subgraph) and imports (uploads streamed to the
 * queues subgraph, which stores them and runs their jobs; a job's report).
 */
export const FORWARDED_ROUTES: Readonly<Record<string, ForwardedRoute>> = Object.freeze({
  '/exports/customers.csv': { subgraph: 'customers', method: 'GET', scopes: ['customers:read'], action: 'export' },
  '/exports/orders.csv': { subgraph: 'orders', method: 'GET', scopes: ['orders:read'], action: 'export' },
  '/imports/customers': { subgraph: 'queues', method: 'POST', scopes: ['customers:write'], action: 'import' },
  '/imports/orders': { subgraph: 'queues', method: 'POST', scopes: ['orders:write'], action: 'import' },
  '/imports/files': { subgraph: 'queues', method: 'POST', scopes: ['customers:write', 'orders:write'], action: 'import' },
  '/imports/report.csv': { subgraph: 'queues', method: 'GET', scopes: ['customers:write', 'orders:write'], action: 'import' },
});

/** The subgraph's answer headers passed on to the client; the rest (length, connection, its request id) are the router's own. */
const PASSED_BACK = ['content-type', 'content-disposition', 'cache-control', 'allow', 'retry-after'];
/** The client's request headers passed on with a body. */
const BODY_HEADERS = ['content-type', 'content-length'];

/** Who is asking: the verified principal (undefined without credentials), or `answered` when credentials were refused (401, 429, 503). */
export type ForwardingCaller = { principal: Principal | undefined } | 'answered';

export interface HttpForwardingOptions {
  subgraphUrls: Record<string, string>;
  /** The signer of a subgraph's internal header (SubgraphFetching.internalTokens). */
  internalTokens(name: string): InternalTokenSigner | undefined;
  /** The router's authentication, as for /metrics. */
  identify(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<ForwardingCaller>;
  /** How long the subgraph may take to start answering once it has the whole request (SUBGRAPH_TIMEOUT_MS); the body then streams for as long as it takes. */
  timeoutMs: number;
  /** Every request, refused or served, gets an audit record (action `export` or `import`). */
  audit: AuditSink;
  trustedProxies: BlockList | undefined;
  logger: Logger;
}

/**
 * The forwarded routes whose subgraph the supergraph has. The router authenticates the caller
 * (401 UNAUTHENTICATED without credentials, 403 FORBIDDEN without a scope), then forwards the
 * request, its query string and its body with the internal header naming the caller, and pipes
 * the answer back as it comes. Nothing is buffered beyond the sockets' own buffers either way:
 * a slow reader or writer slows the other side down (backpressure), and a client that goes away
 * aborts the upstream request.
 */
export function forwardedRoutes(options: HttpForwardingOptions): Record<string, RouteHandler> {
  return Object.fromEntries(
    Object.entries(FORWARDED_ROUTES)
      .filter(([, route]) => options.subgraphUrls[route.subgraph] !== undefined)
      .map(([path, route]) => [path, forwarding(path, route, options)]),
  );
}

function forwarding(path: string, route: ForwardedRoute, options: HttpForwardingOptions): RouteHandler {
  const origin = new URL(options.subgraphUrls[route.subgraph]!).origin;
  const signer = options.internalTokens(route.subgraph);
  const needed = route.scopes.join(' or ');
  return async (req, res, requestId) => {
    const started = performance.now();
    const { search, searchParams } = new URL(req.url ?? '/', 'http://router');
    let principal: Principal | undefined;
    let code: string | null = null;
    let complete = true;
    let bytes = 0;
    const audit = () => {
      const status = res.statusCode;
      const outcome: AuditRecord['outcome'] = status === 401 || status === 403 ? 'denied' : status === 429 ? 'rate_limited' : status < 300 && complete ? 'ok' : 'error';
      const detail =
        route.action === 'export'
          ? { export: path, status, filters: [...new Set(searchParams.keys())].map((name) => name.slice(0, 64)).slice(0, 20), complete }
          : { path, status, bytes, complete };
      options.audit.record(httpRequestRecord(req, options.trustedProxies, started, { action: route.action, requestId, principal, outcome, code, detail }));
    };
    const refuse = (status: number, message: string, errorCode: ErrorCode) => {
      code = errorCode;
      req.unpipe();
      // The rest of the body is read and dropped, then the socket cut: no keep-alive reuse of it.
      if (!req.complete) res.setHeader('connection', 'close');
      sendJson(res, status, httpErrorBody(message, errorCode, requestId));
      discardRest(req);
      audit();
    };
    if (req.method !== route.method) {
      res.setHeader('allow', route.method);
      return refuse(405, `Use ${route.method} for ${path}`, ErrorCode.BadRequest);
    }
    const caller = await options.identify(req, res, requestId);
    if (caller === 'answered') {
      discardRest(req);
      return audit();
    }
    principal = caller.principal;
    if (!caller.principal) {
      res.setHeader('www-authenticate', 'Bearer realm="interchange"');
      return refuse(401, `${path} needs credentials with the ${needed} scope`, ErrorCode.Unauthenticated);
    }
    if (!route.scopes.some((scope) => caller.principal!.scopes.includes(scope))) return refuse(403, `${path} needs the ${needed} scope`, ErrorCode.Forbidden);

    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId };
    if (signer) headers[INTERNAL_TOKEN_HEADER] = await signer.token(caller.principal);
    const withBody = route.method === 'POST';
    if (withBody) {
      for (const name of BODY_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
    }
    // Counts what it forwards (for the audit record) without taking the body from undici.
    const body = withBody
      ? req.pipe(
          new Transform({
            transform(chunk: Buffer, _encoding, done) {
              bytes += chunk.length;
              done(null, chunk);
            },
          }),
        )
      : undefined;
    const upstream = new AbortController();
    const abort = () => upstream.abort();
    // 'close' also follows a complete answer; aborting a finished request does nothing.
    res.on('close', abort);
    // The subgraph answers an upload once it has stored it: its time starts when the body has arrived.
    let timer: NodeJS.Timeout | undefined;
    const startTimer = () => (timer = setTimeout(abort, options.timeoutMs));
    if (withBody && !req.complete) req.once('end', startTimer);
    else startTimer();
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request(`${origin}${path}${search}`, { method: route.method, headers, body, signal: upstream.signal });
    } catch (error) {
      if (res.destroyed) {
        complete = false;
        return audit();
      }
      options.logger.warn({ err: error, requestId, subgraph: route.subgraph }, `an ${route.action} subgraph did not answer`);
      return refuse(503, `The ${route.subgraph} subgraph did not answer; try again later`, ErrorCode.SubgraphUnavailable);
    } finally {
      clearTimeout(timer);
      req.off('end', startTimer);
    }
    for (const name of PASSED_BACK) {
      const value = answer.headers[name];
      if (value !== undefined) res.setHeader(name, value);
    }
    if (body && !req.complete) res.setHeader('connection', 'close');
    res.writeHead(answer.statusCode);
    try {
      await pipeline(answer.body, res);
    } catch (error) {
      // The client went away (the upstream request is aborted with it) or the subgraph cut its
      // answer short (the client's is cut short too: a truncated file never looks complete).
      options.logger.info({ err: error, requestId, subgraph: route.subgraph }, `an ${route.action} ended early`);
      complete = false;
      res.destroy();
    } finally {
      res.off('close', abort);
    }
    // An upload the subgraph refused before reading all of it (413): the rest is not forwarded.
    if (body && !req.complete) {
      req.unpipe(body);
      discardRest(req);
    }
    audit();
  };
}
