import type { Migration } from 'kysely';
import * as createCustomers from './0001-create-customers.js';
import * as idempotencyKeys from './0002-idempotency-keys.js';
import * as idempotencyKeyAge from './0003-idempotency-key-age.js';

/** Applied in key order; a published migration is never edited, only followed by a new one. */
export const customersMigrations: Record<string, Migration> = {
  '0001-create-customers': createCustomers,
  '0002-idempotency-keys': idempotencyKeys,
  '0003-idempotency-key-age': idempotencyKeyAge,
};
