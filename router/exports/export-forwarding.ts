import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { INTERNAL_TOKEN_HEADER, type InternalTokenSigner } from '../../infra/auth/internal-token.js';
import type { Principal } from '../../infra/auth/principal.js';
import { ErrorCode, httpErrorBody } from '../../infra/errors.js';
import { sendJson, type RouteHandler } from '../../infra/http/http-server.js';
import { REQUEST_ID_HEADER } from '../../infra/http/request-id.js';
import type { Logger } from '../../infra/logger.js';
import { httpRequestRecord, type AuditRecord, type AuditSink } from '../audit/audit.js';

/** The CSV exports: each path, the subgraph that serves it (at the same path) and the scope that reads it. */
export const EXPORTS: Readonly<Record<string, { subgraph: string; scope: string }>> = Object.freeze({
  '/exports/customers.csv': { subgraph: 'customers', scope: 'customers:read' },
  '/exports/orders.csv': { subgraph: 'orders', scope: 'orders:read' },
});

/** The subgraph's answer headers passed on to the client; the rest (length, connection, its request id) are the router's own. */
const PASSED_BACK = ['content-type', 'content-disposition', 'cache-control', 'allow'];

/** Who is asking: the verified principal (undefined without credentials), or `answered` when credentials were refused (401, 429, 503). */
export type ExportCaller = { principal: Principal | undefined } | 'answered';

export interface ExportForwardingOptions {
  subgraphUrls: Record<string, string>;
  /** The signer of a subgraph's internal header (SubgraphFetching.internalTokens). */
  internalTokens(name: string): InternalTokenSigner | undefined;
  /** The router's authentication, as for /metrics. */
  identify(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<ExportCaller>;
  /** How long the subgraph may take to start answering (SUBGRAPH_TIMEOUT_MS); the rows then stream for as long as they take. */
  timeoutMs: number;
  /** Every export, refused or served, gets an audit record (action `export`). */
  audit: AuditSink;
  trustedProxies: BlockList | undefined;
  logger: Logger;
}

/**
 * `GET /exports/customers.csv` and `GET /exports/orders.csv`, for the subgraphs the supergraph
 * has: the router authenticates the caller (401 UNAUTHENTICATED without credentials, 403 FORBIDDEN
 * without the scope), then forwards the request and its query string (the filters, validated by
 * the subgraph: 400 BAD_USER_INPUT) with the internal header naming the caller, and pipes the
 * answer back as it comes: nothing is buffered beyond the sockets' own buffers, a slow client
 * slows the subgraph down (backpressure), and a client that goes away aborts the upstream request.
 */
export function exportRoutes(options: ExportForwardingOptions): Record<string, RouteHandler> {
  return Object.fromEntries(
    Object.entries(EXPORTS)
      .filter(([, { subgraph }]) => options.subgraphUrls[subgraph] !== undefined)
      .map(([path, { subgraph, scope }]) => [path, exportForwarding(path, subgraph, scope, options)]),
  );
}

function exportForwarding(path: string, subgraph: string, scope: string, options: ExportForwardingOptions): RouteHandler {
  const origin = new URL(options.subgraphUrls[subgraph]!).origin;
  const signer = options.internalTokens(subgraph);
  return async (req, res, requestId) => {
    const started = performance.now();
    const { search, searchParams } = new URL(req.url ?? '/', 'http://router');
    let principal: Principal | undefined;
    let code: string | null = null;
    let complete = true;
    const audit = () => {
      const status = res.statusCode;
      const outcome: AuditRecord['outcome'] = status === 401 || status === 403 ? 'denied' : status === 429 ? 'rate_limited' : status < 300 && complete ? 'ok' : 'error';
      const filters = [...new Set(searchParams.keys())].map((name) => name.slice(0, 64)).slice(0, 20);
      options.audit.record(httpRequestRecord(req, options.trustedProxies, started, { action: 'export', requestId, principal, outcome, code, detail: { export: path, status, filters, complete } }));
    };
    const refuse = (status: number, message: string, errorCode: ErrorCode) => {
      code = errorCode;
      sendJson(res, status, httpErrorBody(message, errorCode, requestId));
      audit();
    };
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      return refuse(405, 'Exports are read with GET', ErrorCode.BadRequest);
    }
    const caller = await options.identify(req, res, requestId);
    if (caller === 'answered') return audit();
    principal = caller.principal;
    if (!caller.principal) {
      res.setHeader('www-authenticate', 'Bearer realm="interchange"');
      return refuse(401, `Reading ${path} needs credentials with the ${scope} scope`, ErrorCode.Unauthenticated);
    }
    if (!caller.principal.scopes.includes(scope)) return refuse(403, `Reading ${path} needs the ${scope} scope`, ErrorCode.Forbidden);

    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId };
    if (signer) headers[INTERNAL_TOKEN_HEADER] = await signer.token(caller.principal);
    const upstream = new AbortController();
    const abort = () => upstream.abort();
    // 'close' also follows a complete answer; aborting a finished request does nothing.
    res.on('close', abort);
    const timer = setTimeout(abort, options.timeoutMs);
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request(`${origin}${path}${search}`, { method: 'GET', headers, signal: upstream.signal });
    } catch (error) {
      if (res.destroyed) {
        complete = false;
        return audit();
      }
      options.logger.warn({ err: error, requestId, subgraph }, 'an export subgraph did not answer');
      return refuse(503, `The ${subgraph} subgraph did not answer; try again later`, ErrorCode.SubgraphUnavailable);
    } finally {
      clearTimeout(timer);
    }
    for (const name of PASSED_BACK) {
      const value = answer.headers[name];
      if (value !== undefined) res.setHeader(name, value);
    }
    res.writeHead(answer.statusCode);
    try {
      await pipeline(answer.body, res);
    } catch (error) {
      // The client went away (the upstream request is aborted with it) or the subgraph cut its
      // answer short (the client's is cut short too: a truncated file never looks complete).
      options.logger.info({ err: error, requestId, subgraph }, 'an export ended early');
      complete = false;
      res.destroy();
    } finally {
      res.off('close', abort);
    }
    audit();
  };
}
