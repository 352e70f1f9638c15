import { createHmac, timingSafeEqual } from 'node:crypto';
import { isUuid } from '../../infra/ids.js';

/**
 * Receipts name one delivery of one message: its id, its attempt number and the delivery's
 * random nonce (stored on the message while that delivery lasts), signed with an HMAC under a key
 * derived from INTERNAL_TOKEN_SECRET, which every replica shares. A receipt that does not verify
 * was not issued by this hub (RECEIPT_INVALID); one that verifies but no longer matches the
 * message's current delivery belongs to a delivery that has ended (RECEIPT_EXPIRED). The
 * signature keeps receipts unguessable even though the message id is in them.
 */
export interface Delivery {
  messageId: string;
  attempt: number;
  nonce: string;
}

const VERSION = 'r1';

export class Receipts {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('interchange queue receipts').digest();
  }

  issue(delivery: Delivery): string {
    const body = Buffer.from(`${delivery.messageId}.${delivery.attempt}.${delivery.nonce}`, 'utf8').toString('base64url');
    return `${VERSION}.${body}.${this.sign(body)}`;
  }

  /** The delivery a receipt names, or undefined for one this hub did not issue. */
  open(receipt: string): Delivery | undefined {
    const [version, body, signature, ...rest] = receipt.split('.');
    if (version !== VERSION || !body || !signature || rest.length > 0) return undefined;
    const expected = Buffer.from(this.sign(body), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const [messageId = '', attempt = '', nonce = ''] = Buffer.from(body, 'base64url').toString('utf8').split('.');
    if (!isUuid(messageId) || !isUuid(nonce) || !/^\d{1,9}$/.test(attempt)) return undefined;
    return { messageId, attempt: Number(attempt), nonce };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
