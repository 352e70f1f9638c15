import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import { z } from 'zod';
import { httpRequestRecord, type AuditRecord, type AuditSink, type CachePurgeDetail } from '../audit/audit.js';
import type { Principal } from '../../infra/auth/principal.js';
import { ErrorCode, httpErrorBody } from '../../infra/errors.js';
import { readBody } from '../../infra/http/graphql-handler.js';
import { sendJson, type RouteHandler } from '../../infra/http/http-server.js';
import { entityTag } from './cache-store.js';
import type { ResponseCache } from './response-cache.js';

const MAX_BODY_BYTES = 4_096;

const purgeRequest = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ type: z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/, 'must be a type name'), id: z.string().min(1).optional() }).strict(),
]);

/** The JSON body, or undefined when it is too large or not JSON. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse(await readBody(req, MAX_BODY_BYTES));
  } catch {
    return undefined;
  }
}

export interface CachePurgeAudit {
  audit: AuditSink;
  /** Proxies whose X-Forwarded-For tells the caller's address (TRUSTED_PROXIES). */
  trustedProxies?: BlockList;
}

/**
 * `POST /admin/cache/purge` with `{"all": true}`, `{"type": "Order"}` (every entity of the type and
 * every list of it) or `{"type": "Order", "id": "42"}`. Needs the `admin` scope; answers
 * `{"purged": n}`, the number of entries removed. Every POST writes an audit record (action
 * `cache_purge`), refused ones too: who, what it asked to purge and how many entries went.
 */
export function cachePurgeHandler(
  cache: ResponseCache,
  authenticate: (req: IncomingMessage) => Promise<{ principal?: Principal; error?: { message: string; code: ErrorCode; status: number } }>,
  { audit, trustedProxies }: CachePurgeAudit,
): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const started = performance.now();
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendJson(res, 405, httpErrorBody('Use POST', ErrorCode.BadRequest, requestId));
      return;
    }
    let principal: Principal | undefined;
    let detail: CachePurgeDetail | undefined;
    const answer = (status: number, body: unknown, outcome: AuditRecord['outcome'], code: ErrorCode | null) => {
      sendJson(res, status, body);
      audit.record(httpRequestRecord(req, trustedProxies, started, { action: 'cache_purge', requestId, principal, outcome, code, detail }));
    };
    const refuse = (status: number, message: string, code: ErrorCode) =>
      answer(status, httpErrorBody(message, code, requestId), code === ErrorCode.RateLimited ? 'rate_limited' : 'denied', code);

    const authentication = await authenticate(req);
    if (authentication.error) return refuse(authentication.error.status, authentication.error.message, authentication.error.code);
    principal = authentication.principal;
    if (!principal) return refuse(401, 'Credentials are required to purge the cache', ErrorCode.Unauthenticated);
    if (!principal.scopes.includes('admin')) return refuse(403, 'Missing scope admin to purge the cache', ErrorCode.Forbidden);

    const parsed = purgeRequest.safeParse(await readJson(req));
    if (!parsed.success) {
      const body = {
        errors: [
          {
            message: 'The body must be {"all": true}, {"type": "<Type>"} or {"type": "<Type>", "id": "<key>"}',
            extensions: { code: ErrorCode.BadUserInput, requestId, fields: parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || 'body', message: issue.message })) },
          },
        ],
      };
      return answer(400, body, 'error', ErrorCode.BadUserInput);
    }
    const target = parsed.data;
    detail = { ...target };
    try {
      let purged: number;
      if ('all' in target) purged = await cache.purge('all');
      else if (target.id !== undefined) purged = await cache.purge([entityTag(target.type, target.id)]);
      else purged = await cache.purgeType(target.type);
      detail.purged = purged;
      answer(200, { purged }, 'ok', null);
    } catch {
      answer(503, httpErrorBody('The cache storage did not answer; try again', ErrorCode.DependencyUnavailable, requestId), 'error', ErrorCode.DependencyUnavailable);
    }
  };
}
