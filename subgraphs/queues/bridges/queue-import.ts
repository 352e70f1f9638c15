import { createHash } from 'node:crypto';
import type { Logger } from '../../../infra/logger.js';
import type { NewMessage, QueuesRepository } from '../queues-repository.js';
import { pause, retryDelay } from '../../../infra/pause.js';
import { errorMessage, type IncomingMessage } from './broker.js';
import type { ImportRoute } from './bridge-config.js';

/** dedupKey and orderingKey are at most this long (as the API takes them); a longer id is hashed. */
const MAX_KEY_LENGTH = 128;
/** The header that says how a payload that was not JSON was kept: `text` (a JSON string) or `base64`. */
export const ENCODING_HEADER = 'x-interchange-encoding';
export const ORDERING_KEY_HEADER = 'x-ordering-key';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
const key = (value: string) => (value.length <= MAX_KEY_LENGTH ? value : sha256(value));

/**
 * A body as a hub payload: its JSON value when it is JSON; otherwise its text as a JSON string
 * (`x-interchange-encoding: text`), or, when it is not UTF-8 (or holds a NUL, which PostgreSQL's
 * jsonb refuses), its bytes in base64 (`x-interchange-encoding: base64`). Nothing is refused.
 */
export function decodeBody(body: Uint8Array): { payload: unknown; encoding: 'json' | 'text' | 'base64' } {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { payload: Buffer.from(body).toString('base64'), encoding: 'base64' };
  }
  if (text.includes('\u0000')) return { payload: Buffer.from(body).toString('base64'), encoding: 'base64' };
  try {
    const value: unknown = JSON.parse(text);
    // null is no payload, and an escaped NUL is still one for jsonb.
    if (value !== null && !JSON.stringify(value).includes('\\u0000')) return { payload: value, encoding: 'json' };
  } catch {}
  return { payload: text, encoding: 'text' };
}

/**
 * The hub message of a broker message: dedupKey the broker's message id (hashed past 128
 * characters), or the SHA-256 of the body when it has none, so that a redelivery adds nothing
 * within the hub queue's dedup window; orderingKey its `x-ordering-key` header, else the route's
 * source, so that on a FIFO queue the source's order holds.
 */
export function importedMessage(route: ImportRoute, incoming: IncomingMessage, brokerName: string): NewMessage {
  const { payload, encoding } = decodeBody(incoming.body);
  const headers = { ...incoming.headers };
  if (encoding !== 'json') headers[ENCODING_HEADER] = encoding;
  return {
    payload,
    headers,
    priority: 0,
    delaySeconds: 0,
    dedupKey: incoming.messageId ? key(incoming.messageId) : sha256(incoming.body),
    orderingKey: key(incoming.headers[ORDERING_KEY_HEADER] || `${brokerName}:${route.source}`),
  };
}

/**
 * Publishes one broker message to its hub queue, trying again with backoff (up to 30 s apart)
 * while the hub queue is missing or full (QUEUE_FULL is back-pressure: the broker keeps the
 * message and the ones behind it) or the database fails. True once the hub transaction has
 * committed: only then may the adapter ack the broker message. False when `signal` aborted
 * first: the adapter leaves it unacked and the broker delivers it again.
 */
export async function importMessage(
  deps: { repository: QueuesRepository; logger: Logger },
  brokerName: string,
  route: ImportRoute,
  incoming: IncomingMessage,
  signal: AbortSignal,
  /** Called before each wait, so that an adapter can keep a long-held message from being redelivered. */
  waiting: () => void = () => {},
): Promise<boolean> {
  const message = importedMessage(route, incoming, brokerName);
  for (let failures = 1; !signal.aborted; failures += 1) {
    try {
      if (await deps.repository.publish(route.hubQueue, [message], null)) return true;
      if (failures === 1) deps.logger.warn({ bridge: brokerName, ...route }, 'the hub queue to import into does not exist; the broker keeps the message until it does');
    } catch (error) {
      deps.logger.warn({ bridge: brokerName, ...route, error: errorMessage(error), retryInMs: retryDelay(failures) }, 'importing a broker message failed; trying again');
    }
    waiting();
    await pause(retryDelay(failures), signal);
  }
  return false;
}
