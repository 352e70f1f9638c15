import type { Kysely } from 'kysely';
import { createIdempotencyKeysTable, dropIdempotencyKeysTable } from '../../../infra/db/idempotency.js';

/** upsertCustomerByExternalId(idempotencyKey). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createIdempotencyKeysTable(db, 'customers');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropIdempotencyKeysTable(db, 'customers');
}
