import { sql, type ColumnType, type ExpressionBuilder, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { PageRequest } from '../../infra/db/pagination.js';
import { appendEvents } from '../../infra/events/event-store.js';
import type { NewEvent } from '../../infra/events/event.js';
import { commitThen } from '../../infra/events/commit-then.js';

interface ApiKeyTable {
  id: string;
  name: string;
  roles: string[];
  /** Scopes granted directly, besides the roles'. */
  scopes: string[];
  secretHash: string;
  createdAt: Generated<Date>;
  expiresAt: Date | null;
  revokedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** bigint: pg hands it over as a string. */
  usageCount: ColumnType<string, never, never>;
  lastUsedAt: ColumnType<Date | null, never, never>;
  rotatedFrom: string | null;
}

interface AuditRecordTable {
  id: Generated<string>;
  at: Date;
  /** operation, cache_purge or connection. */
  action: string;
  requestId: string;
  clientRequestId: string | null;
  principal: string | null;
  clientIp: string | null;
  operationName: string | null;
  operationType: string | null;
  /** Schema coordinates (`Mutation.createApiKey`). */
  rootFields: string[];
  outcome: string;
  code: string | null;
  durationMs: number;
  /** jsonb: what a cache purge asked for. */
  detail: Record<string, unknown> | null;
}

/** The access schema, as Kysely sees it (camelCase; snake_case in SQL). */
export interface AccessTables {
  apiKeys: ApiKeyTable;
  auditRecords: AuditRecordTable;
}

/** A key as the API shows it: every column but the secret's hash. */
export type ApiKeyRow = Omit<Selectable<ApiKeyTable>, 'secretHash'>;
/** `createdAt` repeats `at`, for the cursor connection. */
export type AuditRecordRow = Selectable<AuditRecordTable> & { createdAt: Date };
export type NewApiKey = Pick<ApiKeyTable, 'id' | 'name' | 'roles' | 'scopes' | 'secretHash' | 'expiresAt' | 'rotatedFrom'>;

export interface AuditRecordFilter {
  action?: string | null;
  /** A schema coordinate the record's rootFields hold. */
  rootField?: string | null;
  principal?: string | null;
  outcome?: string | null;
  operationName?: string | null;
  since?: Date | null;
  until?: Date | null;
}

const KEY_COLUMNS = ['id', 'name', 'roles', 'scopes', 'createdAt', 'expiresAt', 'revokedAt', 'usageCount', 'lastUsedAt', 'rotatedFrom'] as const;

/** The event for a key change: what changed, never the secret or its hash. */
function keyEvent(type: string, row: ApiKeyRow, requestId: string | null): NewEvent {
  const data = { name: row.name, roles: row.roles, scopes: row.scopes, expiresAt: row.expiresAt, revokedAt: row.revokedAt, rotatedFrom: row.rotatedFrom };
  return { type, source: 'access', subject: { typename: 'ApiKey', id: row.id }, data, requestId };
}

/**
 * The only place with SQL for the access domain. Key changes write api_key.created,
 * api_key.rotated, api_key.updated and api_key.revoked events in the same transaction (the transactional outbox).
 * The router reads keys and writes audit records through infra/auth, not through this class.
 */
export class AccessRepository {
  constructor(
    private readonly db: Kysely<AccessTables>,
    /** Called after each transaction that wrote events has committed. */
    private readonly afterCommit: () => void = () => {},
  ) {}

  private write<T>(work: (trx: Transaction<AccessTables>) => Promise<T>): Promise<T> {
    return commitThen(this.db, this.afterCommit, work);
  }

  async findKey(id: string): Promise<ApiKeyRow | undefined> {
    return this.db.selectFrom('apiKeys').select(KEY_COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  async listKeys(includeRevoked: boolean, page: PageRequest): Promise<ApiKeyRow[]> {
    let query = this.db.selectFrom('apiKeys').select(KEY_COLUMNS);
    if (!includeRevoked) query = query.where('revokedAt', 'is', null);
    if (page.after) {
      const { createdAt, id } = page.after;
      query = query.where((eb) => eb(eb.refTuple('createdAt', 'id'), '<', eb.tuple(createdAt, id)));
    }
    return query.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(page.first + 1).execute();
  }

  async countKeys(includeRevoked: boolean): Promise<number> {
    let query = this.db.selectFrom('apiKeys').select((eb) => eb.fn.countAll<string>().as('count'));
    if (!includeRevoked) query = query.where('revokedAt', 'is', null);
    return Number((await query.executeTakeFirstOrThrow()).count);
  }

  async createKey(values: NewApiKey, requestId: string | null): Promise<ApiKeyRow> {
    return this.write(async (trx) => {
      const row = await trx.insertInto('apiKeys').values(values).returning(KEY_COLUMNS).executeTakeFirstOrThrow();
      await appendEvents(trx, [keyEvent('api_key.created', row, requestId)]);
      return row;
    });
  }

  /**
   * Revokes the key `replaced` and inserts `values` in its place, in one transaction; the row is
   * locked first so that two rotations of one key cannot both succeed. Undefined when the key does
   * not exist; `revoked` or `expired` when it no longer works (nothing is written then).
   */
  async rotateKey(replaced: string, build: (old: ApiKeyRow) => NewApiKey, requestId: string | null): Promise<ApiKeyRow | 'revoked' | 'expired' | undefined> {
    return this.write(async (trx) => {
      const old = await trx.selectFrom('apiKeys').select(KEY_COLUMNS).where('id', '=', replaced).forUpdate().executeTakeFirst();
      if (!old) return undefined;
      if (old.revokedAt) return 'revoked' as const;
      if (old.expiresAt && old.expiresAt.getTime() <= Date.now()) return 'expired' as const;
      const revoked = await trx.updateTable('apiKeys').set({ revokedAt: sql<Date>`now()` }).where('id', '=', replaced).returning(KEY_COLUMNS).executeTakeFirstOrThrow();
      const row = await trx.insertInto('apiKeys').values(build(old)).returning(KEY_COLUMNS).executeTakeFirstOrThrow();
      await appendEvents(trx, [keyEvent('api_key.revoked', revoked, requestId), keyEvent('api_key.rotated', row, requestId)]);
      return row;
    });
  }

  /**
   * Changes a key's name, roles or scopes with an api_key.updated event, when it still works.
   * Undefined when it does not exist; `revoked` or `expired` when it no longer works; the key as it
   * is when `change` (given the locked row) returns undefined: nothing to write, no event.
   */
  async updateKey(
    id: string,
    change: (old: ApiKeyRow) => Partial<Pick<ApiKeyRow, 'name' | 'roles' | 'scopes'>> | undefined,
    requestId: string | null,
  ): Promise<ApiKeyRow | 'revoked' | 'expired' | undefined> {
    return this.write(async (trx) => {
      const old = await trx.selectFrom('apiKeys').select(KEY_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
      if (!old) return undefined;
      if (old.revokedAt) return 'revoked' as const;
      if (old.expiresAt && old.expiresAt.getTime() <= Date.now()) return 'expired' as const;
      const values = change(old);
      if (!values) return old;
      const row = await trx.updateTable('apiKeys').set(values).where('id', '=', id).returning(KEY_COLUMNS).executeTakeFirstOrThrow();
      await appendEvents(trx, [keyEvent('api_key.updated', row, requestId)]);
      return row;
    });
  }

  /** Revokes a key; a revoked key keeps its first revocation time and writes no event. Undefined when it does not exist. */
  async revokeKey(id: string, requestId: string | null): Promise<ApiKeyRow | undefined> {
    return this.write(async (trx) => {
      const row = await trx
        .updateTable('apiKeys')
        .set({ revokedAt: sql<Date>`now()` })
        .where('id', '=', id)
        .where('revokedAt', 'is', null)
        .returning(KEY_COLUMNS)
        .executeTakeFirst();
      if (!row) return trx.selectFrom('apiKeys').select(KEY_COLUMNS).where('id', '=', id).executeTakeFirst();
      await appendEvents(trx, [keyEvent('api_key.revoked', row, requestId)]);
      return row;
    });
  }

  async listAuditRecords(filter: AuditRecordFilter, page: PageRequest): Promise<AuditRecordRow[]> {
    let query = this.db.selectFrom('auditRecords').selectAll().select('at as createdAt').where((eb) => this.matches(eb, filter));
    if (page.after) {
      const { createdAt, id } = page.after;
      query = query.where((eb) => eb(eb.refTuple('at', 'id'), '<', eb.tuple(createdAt, id)));
    }
    return query.orderBy('at', 'desc').orderBy('id', 'desc').limit(page.first + 1).execute();
  }

  async countAuditRecords(filter: AuditRecordFilter): Promise<number> {
    const { count } = await this.db
      .selectFrom('auditRecords')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where((eb) => this.matches(eb, filter))
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  /** Deletes audit records older than `before`; returns how many. */
  async pruneAuditRecords(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('auditRecords').where('at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private matches(eb: ExpressionBuilder<AccessTables, 'auditRecords'>, filter: AuditRecordFilter) {
    const conditions = [];
    if (filter.action) conditions.push(eb('action', '=', filter.action));
    if (filter.rootField) conditions.push(eb('rootFields', '@>', sql<string[]>`array[${filter.rootField}]::text[]`));
    if (filter.principal) conditions.push(eb('principal', '=', filter.principal));
    if (filter.outcome) conditions.push(eb('outcome', '=', filter.outcome));
    if (filter.operationName) conditions.push(eb('operationName', '=', filter.operationName));
    if (filter.since) conditions.push(eb('at', '>=', filter.since));
    if (filter.until) conditions.push(eb('at', '<', filter.until));
    return eb.and(conditions);
  }
}
