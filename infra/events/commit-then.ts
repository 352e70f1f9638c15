import type { Kysely, Transaction } from 'kysely';

/**
 * Runs `work` in one transaction and, once it has committed, calls `committed`: the way every
 * repository writes a change together with its events (the transactional outbox) and then rings
 * the relay's doorbell. Nothing is rung for a transaction that rolled back.
 */
export async function commitThen<DB, T>(db: Kysely<DB>, committed: () => void, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  const result = await db.transaction().execute(work);
  committed();
  return result;
}
