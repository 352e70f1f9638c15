import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import { INTERNAL_TOKEN_HEADER, ROUTER_SERVICE, type InternalTokenSigner } from '../../infra/auth/internal-token.js';
import { ErrorCode } from '../../infra/errors.js';
import { discardRest } from '../../infra/http/graphql-handler.js';
import { sendJson } from '../../infra/http/http-server.js';
import { REQUEST_ID_HEADER } from '../../infra/http/request-id.js';
import type { Logger } from '../../infra/logger.js';
import { httpRequestRecord, type AuditRecord, type AuditSink, type WebhookDetail } from '../audit/audit.js';

/** POST /webhooks/<source>, here and on the queues subgraph. */
export const WEBHOOKS_PREFIX = '/webhooks/';

/** Largest body forwarded; a larger one is 413 PAYLOAD_TOO_LARGE. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

/**
 * Tells the queues subgraph that the router refused the request for its size (the body is not
 * forwarded), so that it counts the refusal for the source. The subgraph trusts it only with the
 * router's internal header. Same name in subgraphs/queues/inbound/inbound-route.ts.
 */
const BODY_TOO_LARGE_HEADER = 'x-interchange-body-too-large';

/**
 * Not passed on: hop-by-hop and length headers, the router's credentials (webhooks authenticate
 * by signature, and a sender's bearer token is nobody else's business), and the hub's own headers,
 * which the router sets itself.
 */
const NOT_FORWARDED = new Set([
  'host',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'expect',
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  REQUEST_ID_HEADER,
  INTERNAL_TOKEN_HEADER,
  BODY_TOO_LARGE_HEADER,
]);

export interface WebhookForwardingOptions {
  /** The queues subgraph's GraphQL URL: the webhooks route is on the same origin. */
  queuesUrl: string;
  /** Signs the internal header for the queues subgraph (as the service `router`). */
  signer: InternalTokenSigner | undefined;
  audit: AuditSink;
  /** Proxies whose X-Forwarded-For tells the sender's address (TRUSTED_PROXIES). */
  trustedProxies?: BlockList;
  /** How long the queues subgraph may take to answer (SUBGRAPH_TIMEOUT_MS). */
  timeoutMs: number;
  logger: Logger;
}

/** The body, or undefined past `limit` bytes (a declared Content-Length past it is not read at all). */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolveBody(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Whether `text` is what the queues subgraph's webhook route answers: `{ id }` or `{ error: { code } }`. */
function isRouteAnswer(text: string): boolean {
  try {
    const body = JSON.parse(text) as { id?: unknown; error?: { code?: unknown } } | null;
    return typeof body?.id === 'string' || typeof body?.error?.code === 'string';
  } catch {
    return false;
  }
}

/**
 * `POST /webhooks/<source>`: inbound webhooks, forwarded as they came (the raw body, up to 1 MiB,
 * and the sender's headers) to the queues subgraph, which verifies, stores and answers; its answer
 * goes back as it is. Webhooks authenticate by their signature, not with the router's
 * credentials: no token or API key is asked for or forwarded. Every request writes an audit record
 * (action `webhook`): accepted or refused, with the code and the source. A body over 1 MiB is
 * answered 413 without reading further, and the subgraph is told (without the body) so that it
 * counts the refusal. The queues subgraph not answering is 503 SUBGRAPH_UNAVAILABLE: senders retry.
 *
 * startHttpServer routes exact paths, so this runs as (part of) its `intercept`: true when it
 * took the request.
 */
export function webhookForwarding(options: WebhookForwardingOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const origin = new URL(options.queuesUrl).origin;
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (!path.startsWith(WEBHOOKS_PREFIX)) return false;
    const requestId = String(res.getHeader(REQUEST_ID_HEADER));
    forward(req, res, path.slice(WEBHOOKS_PREFIX.length), requestId).catch((error: unknown) => {
      options.logger.error({ err: error, requestId, path }, 'forwarding a webhook failed');
      if (!res.headersSent) sendJson(res, 500, { error: { code: ErrorCode.InternalServerError, message: 'Unexpected error', requestId } });
      else res.destroy();
    });
    return true;
  };

  async function forward(req: IncomingMessage, res: ServerResponse, source: string, requestId: string): Promise<void> {
    const started = performance.now();
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      sendJson(res, status, body);
      let parsed: { id?: unknown; duplicate?: unknown; error?: { code?: unknown } } = {};
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        // Not JSON: audited without a code.
      }
      const code = typeof parsed.error?.code === 'string' ? parsed.error.code : null;
      const detail: WebhookDetail = { source: source.slice(0, 100), status };
      if (typeof parsed.id === 'string') detail.id = parsed.id;
      if (typeof parsed.duplicate === 'boolean') detail.duplicate = parsed.duplicate;
      const outcome: AuditRecord['outcome'] = status < 300 ? 'ok' : [401, 403, 404, 413].includes(status) ? 'denied' : 'error';
      options.audit.record(httpRequestRecord(req, options.trustedProxies, started, { action: 'webhook', requestId, principal: undefined, outcome, code, detail }));
    };
    const refuse = (status: number, code: ErrorCode, message: string, headers?: Record<string, string>) =>
      answer(status, JSON.stringify({ error: { code, message, requestId } }), headers);

    if (req.method !== 'POST') {
      req.resume();
      return refuse(405, ErrorCode.BadRequest, 'Use POST', { allow: 'POST' });
    }
    const body = await readLimited(req, MAX_WEBHOOK_BYTES);
    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId };
    if (options.signer) headers[INTERNAL_TOKEN_HEADER] = await options.signer.token(ROUTER_SERVICE);
    if (body) {
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !NOT_FORWARDED.has(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
    } else {
      headers[BODY_TOO_LARGE_HEADER] = '1';
    }
    const tooLarge = () => refuse(413, ErrorCode.PayloadTooLarge, `The body is larger than ${MAX_WEBHOOK_BYTES} bytes`);
    let response: Response;
    try {
      response = await fetch(`${origin}${WEBHOOKS_PREFIX}${source}`, { method: 'POST', headers, body: body ?? '', signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      options.logger.warn({ err: error, requestId, source }, 'the queues subgraph did not take a webhook');
      if (!body) {
        tooLarge();
        return discardRest(req);
      }
      return refuse(503, ErrorCode.SubgraphUnavailable, 'The hub could not store the webhook now; send it again later', { 'retry-after': '30' });
    }
    const text = await response.text();
    const retryAfter = response.headers.get('retry-after');
    // The route answers { id, duplicate } or { error: { code } }; anything else (the subgraph
    // refusing the router's internal header, an unexpected error) is the hub's fault, not the sender's.
    if (!isRouteAnswer(text)) {
      options.logger.error({ requestId, source, status: response.status, body: text.slice(0, 500) }, 'the queues subgraph refused a forwarded webhook');
      if (!body) {
        tooLarge();
        return discardRest(req);
      }
      return refuse(503, ErrorCode.SubgraphUnavailable, 'The hub could not store the webhook now; send it again later', { 'retry-after': retryAfter ?? '30' });
    }
    answer(response.status, text, retryAfter ? { 'retry-after': retryAfter } : {});
    if (!body) discardRest(req);
  }
}
