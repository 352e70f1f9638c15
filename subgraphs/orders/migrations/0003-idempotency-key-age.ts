import type { Kysely } from 'kysely';
import { createIdempotencyKeysAgeIndex, dropIdempotencyKeysAgeIndex } from '../../../infra/db/idempotency.js';

/** The idempotency keys' age, for their retention (IDEMPOTENCY_RETENTION_DAYS). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createIdempotencyKeysAgeIndex(db, 'orders');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropIdempotencyKeysAgeIndex(db, 'orders');
}
