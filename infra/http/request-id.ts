import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id of this HTTP request, echoed as a response header. A subgraph (`trustClient`)
 * takes the caller's x-request-id when it is a sane token (at most 128 characters of letters,
 * digits and `._:-`): its caller is the router. The router makes its own, always unique, and
 * keeps the client's beside it (offeredRequestId). WebSocket operations take theirs from the
 * upgrade request.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse, trustClient = true): string {
  const requestId = trustClient ? requestIdFrom(req.headers) : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, requestId);
  return requestId;
}

/** The request id the headers offer, when it is a sane token, or a new UUID. */
export function requestIdFrom(headers: IncomingHttpHeaders): string {
  return offeredRequestId(headers) ?? randomUUID();
}

/** The x-request-id the headers offer, when it is a sane token; null otherwise. The client chooses it: it may repeat another request's. */
export function offeredRequestId(headers: IncomingHttpHeaders): string | null {
  const offered = headers[REQUEST_ID_HEADER];
  return typeof offered === 'string' && ACCEPTED_REQUEST_ID.test(offered) ? offered : null;
}
