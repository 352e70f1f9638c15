import { createHash } from 'node:crypto';
import { sql, type ColumnType, type Generated, type Kysely } from 'kysely';
import { z } from 'zod';
import { positiveInt } from '../config.js';
import { conflict } from '../errors.js';

/**
 * Idempotency keys for a domain's mutations (`updateOrderStatus(idempotencyKey)`,
 * `upsertCustomerByExternalId(idempotencyKey)`): each domain keeps them in a table of its own
 * schema, written in the same transaction as the change and its events, so a key is recorded
 * exactly when its change commits. A repeat with the same key and the same arguments changes
 * nothing and answers what the first call recorded; the same key with other arguments (or for
 * another operation) is CONFLICT naming `idempotencyKey`. A call that failed recorded nothing,
 * so its retry with the same key runs again.
 */

/** The rule for an `idempotencyKey` argument: trimmed, 1 to 200 characters, optional. */
export const idempotencyKeyRule = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').nullish();

/** The table, for a migration of the domain's own schema. */
export async function createIdempotencyKeysTable(db: Kysely<unknown>, schema: string): Promise<void> {
  await sql`
    create table ${sql.id(schema, 'idempotency_keys')} (
      key text primary key,
      -- The mutation's name and a hash of its normalised arguments: the same key with others is a CONFLICT.
      operation text not null,
      fingerprint text not null,
      -- What a repeat answers with (ids and flags, never whole entities); set before commit.
      result jsonb,
      created_at timestamptz(3) not null default now()
    )`.execute(db);
}

/** The index the retention's deletes use (a later migration of each domain that has the table). */
export async function createIdempotencyKeysAgeIndex(db: Kysely<unknown>, schema: string): Promise<void> {
  await sql`create index idempotency_keys_created_idx on ${sql.id(schema, 'idempotency_keys')} (created_at)`.execute(db);
}

export async function dropIdempotencyKeysAgeIndex(db: Kysely<unknown>, schema: string): Promise<void> {
  await sql`drop index ${sql.id(schema, 'idempotency_keys_created_idx')}`.execute(db);
}

/** Spread into the environment of a domain that keeps idempotency keys. */
export const idempotencyEnv = {
  /** Keys older than this are removed (hourly): a retry with the same key after that runs again. Default 7 days. */
  IDEMPOTENCY_RETENTION_DAYS: positiveInt(7, 3_650),
};

/** Removes the keys recorded before `before`; returns how many. */
export async function pruneIdempotencyKeys(db: Kysely<any>, before: Date): Promise<number> {
  const result = await (db as Kysely<IdempotencyTables>)
    .deleteFrom('idempotencyKeys').where('createdAt', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function dropIdempotencyKeysTable(db: Kysely<unknown>, schema: string): Promise<void> {
  await sql`drop table ${sql.id(schema, 'idempotency_keys')}`.execute(db);
}

interface IdempotencyKeyTable {
  key: string;
  operation: string;
  fingerprint: string;
  result: ColumnType<unknown, string | null, string>;
  createdAt: Generated<Date>;
}

/** Add to a domain's tables type (Kysely, camelCase) when its schema has the table. */
export interface IdempotencyTables {
  idempotencyKeys: IdempotencyKeyTable;
}

export interface IdempotentCall {
  key: string;
  /** The mutation, e.g. `updateOrderStatus`. */
  operation: string;
  /** Its normalised arguments (after validation), without the key: what the fingerprint covers. */
  args: unknown;
}

/**
 * JSON with object keys sorted, so that the order of the arguments does not change the
 * fingerprint. A part that JSON.stringify already writes so (as arguments coerced by GraphQL or
 * parsed by zod mostly are: an import batch's rows) is written by one native call.
 */
function canonical(value: unknown): string {
  if (writtenSorted(value)) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as object).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonical(item)}`).join(',')}}`;
}

/** True when JSON.stringify writes `value` with every object's keys in sorted order (and no toJSON but Date's). */
function writtenSorted(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || value instanceof Date) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!writtenSorted(item)) return false;
    return true;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  // The keys first, then what they hold, so an unsorted object's parts are not walked here. for…in
  // allocates nothing; inherited keys (which JSON.stringify skips) can only make this false.
  let previous: string | undefined;
  for (const name in value) {
    if (previous !== undefined && name < previous) return false;
    previous = name;
  }
  for (const name in value) if (!writtenSorted((value as Record<string, unknown>)[name])) return false;
  return true;
}

export function fingerprint(operation: string, args: unknown): string {
  return createHash('sha256').update(canonical([operation, args])).digest('hex');
}

/**
 * In the caller's transaction, before the change: claims `call.key`. Answers undefined when the
 * key is new (make the change, then `recordIdempotentResult` in the same transaction), or the
 * result the first call recorded when the key was used with the same operation and arguments
 * (change nothing). Throws CONFLICT naming `idempotencyKey` when it was used with others. A
 * concurrent call with the same key waits here until the first commits (and then answers as its
 * repeat) or rolls back (and then claims the key itself).
 */
export async function claimIdempotencyKey<Result>(trx: Kysely<any>, call: IdempotentCall): Promise<Result | undefined> {
  const db = trx as Kysely<IdempotencyTables>;
  const print = fingerprint(call.operation, call.args);
  const claimed = await db
    .insertInto('idempotencyKeys')
    .values({ key: call.key, operation: call.operation, fingerprint: print, result: null })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  if (claimed) return undefined;
  const first = await db.selectFrom('idempotencyKeys').select(['operation', 'fingerprint', 'result']).where('key', '=', call.key).executeTakeFirstOrThrow();
  if (first.operation !== call.operation || first.fingerprint !== print) {
    throw conflict(`This idempotency key was already used for ${first.operation === call.operation ? 'other arguments' : `another operation (${first.operation})`}`, 'idempotencyKey');
  }
  return first.result as Result;
}

/** Records what a repeat of the call that claimed `key` answers with; in the same transaction as the claim. */
export async function recordIdempotentResult(trx: Kysely<any>, key: string, result: unknown): Promise<void> {
  await (trx as Kysely<IdempotencyTables>).updateTable('idempotencyKeys').set({ result: JSON.stringify(result) }).where('key', '=', key).execute();
}
