import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Principal } from '../../infra/auth/principal.js';
import { ErrorCode, httpErrorBody } from '../../infra/errors.js';
import { readBody } from '../../infra/http/graphql-handler.js';
import { sendJson, type RouteHandler } from '../../infra/http/http-server.js';
import { entityTag, listTag } from './cache-store.js';
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

/**
 * `POST /admin/cache/purge` with `{"all": true}`, `{"type": "Order"}` (every entity of the type and
 * every list of it) or `{"type": "Order", "id": "42"}`. Needs the `admin` scope; answers
 * `{"purged": n}`, the number of entries removed.
 */
export function cachePurgeHandler(
  cache: ResponseCache,
  authenticate: (req: IncomingMessage) => Promise<{ principal?: Principal; error?: { message: string; code: ErrorCode; status: number } }>,
): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendJson(res, 405, httpErrorBody('Use POST', ErrorCode.BadRequest, requestId));
      return;
    }
    const { principal, error } = await authenticate(req);
    if (error) return sendJson(res, error.status, httpErrorBody(error.message, error.code, requestId));
    if (!principal) return sendJson(res, 401, httpErrorBody('Credentials are required to purge the cache', ErrorCode.Unauthenticated, requestId));
    if (!principal.scopes.includes('admin')) return sendJson(res, 403, httpErrorBody('Missing scope admin to purge the cache', ErrorCode.Forbidden, requestId));

    const parsed = purgeRequest.safeParse(await readJson(req));
    if (!parsed.success) {
      return sendJson(res, 400, {
        errors: [
          {
            message: 'The body must be {"all": true}, {"type": "<Type>"} or {"type": "<Type>", "id": "<key>"}',
            extensions: { code: ErrorCode.BadUserInput, requestId, fields: parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || 'body', message: issue.message })) },
          },
        ],
      });
    }
    const target = parsed.data;
    try {
      let purged: number;
      if ('all' in target) purged = await cache.purge('all');
      else if (target.id !== undefined) purged = await cache.purge([entityTag(target.type, target.id)]);
      else purged = await cache.purgeType(target.type);
      sendJson(res, 200, { purged });
    } catch {
      sendJson(res, 503, httpErrorBody('The cache storage did not answer; try again', ErrorCode.DependencyUnavailable, requestId));
    }
  };
}
