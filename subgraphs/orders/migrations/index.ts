import type { Migration } from 'kysely';
import * as createOrders from './0001-create-orders.js';
import * as paidAndIdempotencyKeys from './0002-paid-and-idempotency-keys.js';
import * as idempotencyKeyAge from './0003-idempotency-key-age.js';
import * as externalId from './0004-external-id.js';

/** Applied in key order; a published migration is never edited, only followed by a new one. */
export const ordersMigrations: Record<string, Migration> = {
  '0001-create-orders': createOrders,
  '0002-paid-and-idempotency-keys': paidAndIdempotencyKeys,
  '0003-idempotency-key-age': idempotencyKeyAge,
  '0004-external-id': externalId,
};
