import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { ErrorCode } from '../../../infra/errors.js';
import type { InboundScheme } from './inbound-repository.js';

/** Why a request was refused: its HTTP status, the code the sender reads, and a sentence saying what to fix. */
export interface Refusal {
  status: 400 | 401 | 403 | 404 | 405 | 413 | 503;
  code: ErrorCode;
  message: string;
}

export const refusal = (status: Refusal['status'], code: ErrorCode, message: string): Refusal => ({ status, code, message });

/** What verification learned: the webhook id the headers carry (Standard Webhooks; Stripe-style ids are in the body). */
export interface Verified {
  headerId: string | null;
}

export interface VerifyInput {
  scheme: InboundScheme;
  secret: string;
  toleranceSeconds: number;
  body: Buffer;
  /** Lower-case names, as node:http gives them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Unix seconds. */
  now: number;
}

const MAX_ID_LENGTH = 256;

const header = (headers: VerifyInput['headers'], name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** Equal strings, compared in constant time (for strings of equal length). */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Past or future by more than the tolerance: refused after the signature matched, so the reason is only told to a real sender. */
function outOfTolerance(timestamp: number, input: VerifyInput): Refusal | undefined {
  const skew = input.now - timestamp;
  if (Math.abs(skew) <= input.toleranceSeconds) return undefined;
  const when = skew > 0 ? `${skew} s old` : `${-skew} s in the future`;
  return refusal(401, ErrorCode.WebhookTimestampStale, `The signature's timestamp is ${when}; this source accepts at most ${input.toleranceSeconds} s either way`);
}

/**
 * Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` (`v1,<base64>` entries separated by spaces), the HMAC-SHA256 of
 * `<id>.<timestamp>.<body>` with the base64 key of a `whsec_` secret. The signature is made by the
 * `standardwebhooks` package's own sign(); its verify() is not used because it fixes the
 * tolerance at 5 minutes, and a source sets its own.
 */
function verifyStandard(input: VerifyInput): Refusal | Verified {
  const signature = header(input.headers, 'webhook-signature');
  if (!signature) return refusal(401, ErrorCode.WebhookUnsigned, 'The request has no webhook-signature header');
  const id = header(input.headers, 'webhook-id');
  const timestampText = header(input.headers, 'webhook-timestamp');
  if (!id || id.length > MAX_ID_LENGTH) return refusal(400, ErrorCode.WebhookHeadersInvalid, `The webhook-id header is missing or longer than ${MAX_ID_LENGTH} characters`);
  if (!timestampText || !/^\d{1,12}$/.test(timestampText)) return refusal(400, ErrorCode.WebhookHeadersInvalid, 'The webhook-timestamp header is missing or not Unix seconds');
  const timestamp = Number(timestampText);
  const expected = new Webhook(input.secret).sign(id, new Date(timestamp * 1000), input.body);
  if (!signature.split(' ').some((candidate) => sameText(candidate, expected))) {
    return refusal(401, ErrorCode.WebhookSignatureInvalid, 'No v1 signature in webhook-signature matches the body with this source\'s secret');
  }
  return outOfTolerance(timestamp, input) ?? { headerId: id };
}

/**
 * Stripe-style: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, each v1 the
 * HMAC-SHA256 (hex) of `<t>.<body>` with the secret as it is written (its UTF-8 bytes). Other
 * schemes in the header (v0) are ignored.
 */
function verifyStripe(input: VerifyInput): Refusal | Verified {
  const value = header(input.headers, 'stripe-signature');
  if (!value) return refusal(401, ErrorCode.WebhookUnsigned, 'The request has no Stripe-Signature header');
  let timestampText: string | undefined;
  const signatures: string[] = [];
  for (const part of value.split(',')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === 't') timestampText = rest.join('=');
    else if (key === 'v1') signatures.push(rest.join('='));
  }
  if (!timestampText || !/^\d{1,12}$/.test(timestampText) || signatures.length === 0) {
    return refusal(400, ErrorCode.WebhookHeadersInvalid, 'The Stripe-Signature header must be t=<unix seconds>,v1=<hex HMAC-SHA256>');
  }
  const expected = createHmac('sha256', input.secret).update(`${timestampText}.`).update(input.body).digest('hex');
  if (!signatures.some((candidate) => sameText(candidate.toLowerCase(), expected))) {
    return refusal(401, ErrorCode.WebhookSignatureInvalid, 'No v1 signature in Stripe-Signature matches the body with this source\'s secret');
  }
  return outOfTolerance(Number(timestampText), input) ?? { headerId: null };
}

/** Checks a request's signature and timestamp by its source's scheme. */
export function verifySignature(input: VerifyInput): Refusal | Verified {
  const scheme = input.scheme;
  switch (scheme) {
    case 'STANDARD_WEBHOOKS':
      return verifyStandard(input);
    case 'STRIPE':
      return verifyStripe(input);
    default: {
      const unknown: never = scheme;
      throw new Error(`unknown inbound webhook scheme ${String(unknown)}`);
    }
  }
}

export const isRefusal = (value: Refusal | object): value is Refusal => 'code' in value;
