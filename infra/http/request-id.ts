import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id of this HTTP request: the caller's x-request-id when it is a sane token
 * (at most 128 characters of letters, digits and `._:-`), otherwise a new UUID.
 * It is echoed as a response header. WebSocket operations take theirs from the upgrade request.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const requestId = requestIdFrom(req.headers);
  res.setHeader(REQUEST_ID_HEADER, requestId);
  return requestId;
}

/** The request id the headers offer, when it is a sane token, or a new UUID. */
export function requestIdFrom(headers: IncomingHttpHeaders): string {
  const offered = headers[REQUEST_ID_HEADER];
  return typeof offered === 'string' && ACCEPTED_REQUEST_ID.test(offered) ? offered : randomUUID();
}
