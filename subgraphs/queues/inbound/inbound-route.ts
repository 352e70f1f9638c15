import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLError } from 'graphql';
import { ErrorCode } from '../../../infra/errors.js';
import type { SubgraphRoute } from '../../../infra/graphql/subgraph-server.js';
import { sendJson } from '../../../infra/http/http-server.js';
import type { Logger } from '../../../infra/logger.js';
import type { InboundRepository, SourceRow } from './inbound-repository.js';
import { isRefusal, refusal, verifySignature, type Refusal } from './signature-verifier.js';
import { SOURCE_NAME } from './inbound-input.js';

/** The path prefix of the route, here and on the router: POST /webhooks/<source>. */
export const WEBHOOKS_PREFIX = '/webhooks/';

/** Largest body accepted, as on the router. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

/**
 * Set by the router (and trusted only from it) on a request it refused for its size: it forwards
 * no body, only this, so that the refusal is counted for the source. Same name in router/webhooks.
 */
export const BODY_TOO_LARGE_HEADER = 'x-interchange-body-too-large';

/** Headers not kept with a stored webhook: signatures, the hub's own, and transport. */
const NOT_KEPT = new Set(['webhook-signature', 'stripe-signature', 'x-interchange-identity', 'x-request-id', 'content-length', 'connection', 'host', 'transfer-encoding', BODY_TOO_LARGE_HEADER]);

/** A webhook's type, as its event names it (`inbound.<source>.<type>`); anything else is `unknown`. */
const TYPE = /^[A-Za-z0-9_.:-]{1,100}$/;
const MAX_ID_LENGTH = 256;

/** The body, or undefined past `limit` bytes (what is left is read and dropped). */
function readRaw(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolveBody(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function keptHeaders(req: IncomingMessage): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !NOT_KEPT.has(name)) kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/** The webhook's JSON object, or undefined when the body is not one. */
function jsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface InboundRouteDeps {
  repository: InboundRepository;
  logger: Logger;
  /** Unix seconds; tests may move the clock. */
  now?: () => number;
}

/**
 * `POST /webhooks/<source>` on the queues subgraph, which only the router calls (as the service
 * `router`, with the raw request it received). Verifies the signature by the source's scheme,
 * stores the webhook with its event (and queue message) in one transaction, and answers
 * `{ id, duplicate }` (200); a refusal is `{ error: { code, message, requestId } }` with its
 * 4xx and is counted for the source (an unknown source has nothing to count it on).
 */
export function inboundWebhookRoute(deps: InboundRouteDeps): SubgraphRoute {
  const now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  return async (req: IncomingMessage, res: ServerResponse, requestId: string, principal) => {
    const refuse = (refused: Refusal) => sendJson(res, refused.status, { error: { code: refused.code, message: refused.message, requestId } });
    let source: SourceRow | undefined;
    const refuseCounted = async (refused: Refusal) => {
      if (source) await deps.repository.countRefusal(source.id, refused.code);
      if (!req.complete) req.resume();
      refuse(refused);
    };

    if (principal?.kind !== 'service' || principal.id !== 'router') {
      return refuse(refusal(403, ErrorCode.Forbidden, 'Webhooks reach the queues subgraph only through the router'));
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return refuse(refusal(405, ErrorCode.BadRequest, 'Use POST'));
    }
    const name = (req.url ?? '').split('?', 1)[0]!.slice(WEBHOOKS_PREFIX.length);
    source = SOURCE_NAME.test(name) ? await deps.repository.findSource(name) : undefined;
    if (!source) {
      req.resume();
      return refuse(refusal(404, ErrorCode.WebhookSourceUnknown, `The hub has no inbound webhook source named "${name.slice(0, 64)}"`));
    }
    if (!source.enabled) return refuseCounted(refusal(404, ErrorCode.WebhookSourceDisabled, `The inbound webhook source ${source.name} is disabled`));
    const tooLarge = refusal(413, ErrorCode.PayloadTooLarge, `The body is larger than ${MAX_WEBHOOK_BYTES} bytes`);
    if (req.headers[BODY_TOO_LARGE_HEADER] !== undefined) return refuseCounted(tooLarge);
    const body = await readRaw(req, MAX_WEBHOOK_BYTES);
    if (!body) return refuseCounted(tooLarge);

    const verified = verifySignature({ scheme: source.scheme, secret: source.secret, toleranceSeconds: source.toleranceSeconds, body, headers: req.headers, now: now() });
    if (isRefusal(verified)) return refuseCounted(verified);
    const json = jsonObject(body);
    if (!json) return refuseCounted(refusal(400, ErrorCode.WebhookBodyInvalid, 'The body must be a JSON object'));
    const webhookId = verified.headerId ?? (typeof json.id === 'string' && json.id.length > 0 && json.id.length <= MAX_ID_LENGTH ? json.id : undefined);
    if (!webhookId) return refuseCounted(refusal(400, ErrorCode.WebhookBodyInvalid, `The body must have an "id" string (at most ${MAX_ID_LENGTH} characters): it makes redeliveries duplicates`));
    const type = typeof json.type === 'string' && TYPE.test(json.type) ? json.type : 'unknown';

    let stored;
    try {
      stored = await deps.repository.store(source, { webhookId, type, headers: keptHeaders(req), body: json }, requestId);
    } catch (error) {
      if ((error as GraphQLError).extensions?.code !== ErrorCode.QueueFull) throw error;
      // Nothing was stored: the sender's retry will be processed once the queue has room.
      res.setHeader('retry-after', '30');
      return refuseCounted(refusal(503, ErrorCode.QueueFull, `The queue ${source.queue} of this source is full; nothing was stored, send it again later`));
    }
    if (stored.stored === 'no_queue') {
      deps.logger.error({ requestId, source: source.name, queue: stored.queue }, 'an inbound webhook source routes to a queue that does not exist');
      res.setHeader('retry-after', '60');
      return refuseCounted(refusal(503, ErrorCode.DependencyUnavailable, `The queue ${stored.queue} of this source does not exist; nothing was stored, send it again later`));
    }
    sendJson(res, 200, { id: stored.id, duplicate: stored.stored === 'duplicate' });
  };
}
