import { z } from 'zod';
import { Webhook } from 'standardwebhooks';
import { queueName } from '../queue-input.js';

/** A source's name: in its URL and in its events' type (`inbound.<name>.<type>`), so no dots or dashes. */
export const SOURCE_NAME = /^[a-z0-9][a-z0-9_]{0,62}$/;

export const sourceName = z.string().regex(SOURCE_NAME, 'must be 1 to 63 lower-case letters, digits or "_", starting with a letter or digit');

const tolerance = z
  .number('must be a whole number')
  .int('must be a whole number')
  .min(1, 'must be between 1 and 86,400')
  .max(86_400, 'must be between 1 and 86,400');

/** A Standard Webhooks secret is `whsec_` and base64 (the key is its decoded bytes); a Stripe-style one any text. */
export function secretProblem(scheme: 'STANDARD_WEBHOOKS' | 'STRIPE', secret: string): string | undefined {
  if (secret.length < 8 || secret.length > 256) return 'must be 8 to 256 characters';
  if (scheme === 'STRIPE') return undefined;
  try {
    new Webhook(secret);
  } catch {
    return 'must be whsec_ followed by base64';
  }
  return /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret) ? undefined : 'must be whsec_ followed by base64';
}

export const createSourceInput = z.object({
  name: sourceName,
  scheme: z.enum(['STANDARD_WEBHOOKS', 'STRIPE']),
  secret: z.string().nullish(),
  toleranceSeconds: tolerance.nullish(),
  queue: queueName.nullish(),
  enabled: z.boolean().nullish(),
});

export const updateSourceInput = z.object({
  secret: z.string().nullish(),
  toleranceSeconds: tolerance.nullish(),
  /** null removes the route; absent leaves it. */
  queue: queueName.nullable().optional(),
  enabled: z.boolean().nullish(),
});
