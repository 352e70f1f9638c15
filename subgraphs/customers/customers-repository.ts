import {
  sql,
  type ColumnType,
  type ExpressionBuilder,
  type Generated,
  type Insertable,
  type Kysely,
  type Selectable,
  type Transaction,
  type Updateable,
} from 'kysely';
import { conflict } from '../../infra/errors.js';
import { isPgError, PgErrorCode } from '../../infra/db/database.js';
import { CompiledQueries } from '../../infra/db/compiled-queries.js';
import { keysetPages, splitWindowTotal, type PageRequest } from '../../infra/db/pagination.js';
import { isUuid } from '../../infra/ids.js';
import { appendEvents, eventsAppendedFrom } from '../../infra/events/event-store.js';
import { commitThen } from '../../infra/events/commit-then.js';
import { claimIdempotencyKey, recordIdempotentResult, type IdempotencyTables, type IdempotentCall } from '../../infra/db/idempotency.js';

export type CustomerTier = 'STANDARD' | 'PREMIUM' | 'PLATINUM';

interface CustomerTable {
  id: Generated<string>;
  externalId: string | null;
  name: string;
  email: string;
  phone: string | null;
  customerGroup: ColumnType<string, string | undefined, string>;
  /** NUMERIC(12,2): pg hands it over as a string, so no float ever touches it. */
  creditLimit: ColumnType<string, string | undefined, string>;
  tier: ColumnType<CustomerTier, CustomerTier | undefined, CustomerTier>;
  createdAt: Generated<Date>;
  updatedAt: ColumnType<Date, never, Date>;
}

interface CustomerGroupTable {
  code: string;
  name: string;
}

/** The customers schema, as Kysely sees it (camelCase; snake_case in SQL). */
export interface CustomersTables extends IdempotencyTables {
  customers: CustomerTable;
  customerGroups: CustomerGroupTable;
}

export type CustomerRow = Selectable<CustomerTable>;
export type CustomerGroupRow = Selectable<CustomerGroupTable>;
export type NewCustomer = Insertable<CustomerTable>;
export type CustomerPatch = Omit<Updateable<CustomerTable>, 'id' | 'createdAt' | 'updatedAt'>;

export interface CustomerFilter {
  search?: string | null;
  customerGroup?: string | null;
  tier?: CustomerTier | null;
}

/** The columns an import writes, with their SQL types (the arrays a batch is unnested from). */
const IMPORT_COLUMNS = {
  externalId: 'text',
  name: 'text',
  email: 'text',
  phone: 'text',
  customerGroup: 'text',
  creditLimit: 'numeric',
  tier: 'text',
} as const;

export type ImportColumn = keyof typeof IMPORT_COLUMNS;

/** Import rows that have the same columns (the others absent): one statement writes them all. */
export interface ImportShape {
  /** In the order of IMPORT_COLUMNS, so that equal shapes have equal SQL. */
  columns: ImportColumn[];
  rows: Partial<Record<ImportColumn, string>>[];
}

/** What an import's statements did, counted in rows. */
export interface ImportCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** How a batch is written: INSERT creates every row, UPSERT creates or updates by externalId. */
export interface ImportWrite {
  upsert: boolean;
  /** Runs the statements and rolls them back: the counts say what they would have done. */
  dryRun: boolean;
  requestId: string | null;
  idempotent?: IdempotentCall;
}

/** A stored customer as the import's checks see it: its keys, and the columns an import writes. */
export type StoredCustomer = Pick<CustomerRow, 'id' | ImportColumn>;

/** Orders the columns of a shape as IMPORT_COLUMNS does. */
export function importColumns(present: (column: ImportColumn) => boolean): ImportColumn[] {
  return (Object.keys(IMPORT_COLUMNS) as ImportColumn[]).filter(present);
}

/** Turns a unique-constraint violation into CONFLICT naming the input field. */
export function rethrowConflict(error: unknown): never {
  if (isPgError(error, PgErrorCode.UniqueViolation)) {
    if (error.constraint?.includes('email')) throw conflict('Another customer already has this email', 'email');
    if (error.constraint?.includes('external_id')) throw conflict('Another customer already has this externalId', 'externalId');
  }
  throw error;
}

/** A customer.created event's data: the row but its id (writeShape builds the same in SQL). */
const CUSTOMER_DATA = ['externalId', 'name', 'email', 'phone', 'customerGroup', 'creditLimit', 'tier', 'createdAt', 'updatedAt'] as const satisfies readonly Exclude<keyof CustomerRow, 'id'>[];

function customerData(row: CustomerRow): Record<string, unknown> {
  const { id: _id, ...fields } = row;
  return fields;
}

function customerEvent(type: string, row: CustomerRow, data: Record<string, unknown>, requestId: string | null) {
  return { type, source: 'customers', subject: { typename: 'Customer', id: row.id }, data, requestId };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** A filter as the SQL uses it: only the conditions given, the search as an ILIKE pattern. */
type Criteria = { pattern?: string; customerGroup?: string; tier?: CustomerTier };

function criteriaOf(filter: CustomerFilter): Criteria {
  const criteria: Criteria = {};
  if (filter.search) criteria.pattern = `%${escapeLike(filter.search.trim())}%`;
  if (filter.customerGroup) criteria.customerGroup = filter.customerGroup;
  if (filter.tier) criteria.tier = filter.tier;
  return criteria;
}

/** The only place with SQL for customers. */
export class CustomersRepository {
  /** The reads every request makes, compiled once per shape. */
  private readonly compiled: CompiledQueries<CustomersTables>;

  constructor(
    private readonly db: Kysely<CustomersTables>,
    /** Called after each transaction that wrote events has committed. */
    private readonly afterCommit: () => void = () => {},
  ) {
    this.compiled = new CompiledQueries(db);
  }

  private write<T>(work: (trx: Transaction<CustomersTables>) => Promise<T>): Promise<T> {
    return commitThen(this.db, this.afterCommit, work);
  }

  async findByIds(ids: readonly string[]): Promise<CustomerRow[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.compiled.rows('findByIds', { ids: valid }, ({ ids }) => this.db.selectFrom('customers').selectAll().where('id', '=', (eb) => eb.fn.any(eb.val(ids))));
  }

  /** The customers with these externalIds (unique when set); an unknown one has no row. */
  async findByExternalIds(externalIds: readonly string[]): Promise<CustomerRow[]> {
    if (externalIds.length === 0) return [];
    return this.compiled.rows('findByExternalIds', { externalIds: [...externalIds] }, ({ externalIds }) =>
      this.db.selectFrom('customers').selectAll().where('externalId', '=', (eb) => eb.fn.any(eb.val(externalIds))),
    );
  }

  /** The stored customers that have one of these externalIds or emails (one statement, both unique indexes). */
  async findImportMatches(externalIds: readonly string[], emails: readonly string[]): Promise<StoredCustomer[]> {
    return this.compiled.rows('findImportMatches', { externalIds: [...externalIds], emails: [...emails] }, (v) =>
      this.db
        .selectFrom('customers')
        .select(['id', ...importColumns(() => true)])
        .where((eb) => eb.or([eb('externalId', '=', eb.fn.any(eb.val(v.externalIds))), eb('email', '=', eb.fn.any(eb.val(v.emails)))])),
    );
  }

  /**
   * Writes one import batch in one transaction: a statement per shape, which writes the rows and
   * their events. `result` turns the counts into what the call answers, recorded with the
   * idempotency key; a repeat of a committed call answers the recorded result and writes nothing.
   * A unique violation (a concurrent writer took an email or externalId since the caller's
   * checks) is thrown as it is, for the caller to retry.
   */
  async importBatch<Result>(shapes: readonly ImportShape[], write: ImportWrite, result: (counts: ImportCounts) => Result): Promise<Result> {
    if (shapes.length === 0 && !write.idempotent) return result({ inserted: 0, updated: 0, unchanged: 0 });
    return this.importTransaction(write.dryRun, async (trx) => {
      if (write.idempotent) {
        const first = await claimIdempotencyKey<Result>(trx, write.idempotent);
        if (first) return first;
      }
      const counts: ImportCounts = { inserted: 0, updated: 0, unchanged: 0 };
      for (const shape of shapes) {
        const { inserted, updated } = await this.writeShape(trx, shape, write);
        counts.inserted += inserted;
        counts.updated += updated;
        counts.unchanged += shape.rows.length - inserted - updated;
      }
      const answer = result(counts);
      if (write.idempotent && !write.dryRun) await recordIdempotentResult(trx, write.idempotent.key, answer);
      return answer;
    });
  }

  /** A dry run is rolled back whatever happens; a real one commits (and rings the relay) as every write does. */
  private async importTransaction<T>(dryRun: boolean, work: (trx: Transaction<CustomersTables>) => Promise<T>): Promise<T> {
    if (!dryRun) return this.write(work);
    const trx = await this.db.startTransaction().execute();
    try {
      return await work(trx);
    } finally {
      await trx.rollback().execute();
    }
  }

  /**
   * One statement for all the rows of a shape, read from one JSON parameter (an array of the
   * rows as objects, written by one native JSON.stringify; arrays of text would be escaped
   * element by element in JS) with each column cast to its type. UPSERT
   * updates only the shape's columns, and only when one of them differs from what is stored
   * (IS DISTINCT FROM compares values, so 100 equals 100.00): an equal row is not written.
   * Columns not in the shape take their defaults on insert.
   *
   * The same statement writes the rows' events (not in a dry run), built in SQL from the rows as
   * written: the data of customerEvent's created and updated events, in the JSON that
   * JSON.stringify writes for a CustomerRow (creditLimit a string, times as Date#toJSON). The
   * rows never travel back to be turned into events; the statement answers counts.
   */
  private async writeShape(trx: Transaction<CustomersTables>, shape: ImportShape, write: ImportWrite): Promise<{ inserted: number; updated: number }> {
    const { columns } = shape;
    const updated = columns.filter((column) => column !== 'externalId');
    const cells = columns.map((column) => sql`(r->>${sql.lit(column)})::${sql.raw(IMPORT_COLUMNS[column])}`);
    const onConflict = sql`on conflict (external_id) do update set ${sql.join(updated.map((column) => sql`${sql.ref(column)} = excluded.${sql.ref(column)}`))}, updated_at = now()
      where (${sql.join(updated.map((column) => sql.ref(`customers.${column}`)))}) is distinct from (${sql.join(updated.map((column) => sql.ref(`excluded.${column}`)))})`;
    const json = (names: readonly (keyof CustomerRow)[]) =>
      sql.join(names.map((name) => sql`${sql.lit(name)}, ${name === 'creditLimit' ? sql`credit_limit::text` : name === 'createdAt' || name === 'updatedAt' ? sql`to_char(${sql.ref(name)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : sql.ref(name)}`));
    // As customerEvent's: every field of the row but its id; an update the fields written (externalId is the key, not written) and updatedAt.
    const events = eventsAppendedFrom(sql`
      select case when created then 'customer.created' else 'customer.updated' end, 'customers', 'Customer', id::text,
        case when created then jsonb_build_object(${json(CUSTOMER_DATA)}) else jsonb_build_object(${json([...updated, 'updatedAt'])}) end,
        ${write.requestId}::text
      from written`);
    const { rows } = await sql<{ inserted: number; updated: number; notified: unknown }>`
      with written as (
        insert into customers.customers as customers (${sql.join(columns.map((column) => sql.ref(column)))})
        select ${sql.join(cells)} from jsonb_array_elements(${JSON.stringify(shape.rows)}::jsonb) as r
        ${write.upsert ? onConflict : sql``}
        returning *, (xmax = 0) as created
      )${write.dryRun ? sql`` : sql`, ${events.ctes}`}
      select (count(*) filter (where created))::int as inserted, (count(*) filter (where not created))::int as updated${write.dryRun ? sql`` : sql`, ${events.notify} as notified`}
      from written`.execute(trx);
    return rows[0]!;
  }

  /** One page; with `count` (a first page only, see countsWithPage) the same statement counts every match. */
  async list(filter: CustomerFilter, page: PageRequest, count = false): Promise<{ rows: CustomerRow[]; total?: number }> {
    const criteria = criteriaOf(filter);
    const values = { ...criteria, limit: page.first + 1, ...(page.after ? { afterCreatedAt: page.after.createdAt, afterId: page.after.id } : {}) };
    const shape = `list:${Object.keys(criteria).join(',')}:${page.after ? 'after' : ''}:${count ? 'count' : ''}`;
    const found = await this.compiled.rows(shape, values, (v) =>
      this.db
        .selectFrom('customers')
        .selectAll()
        .$if(count, (qb) => qb.select(sql<string>`count(*) over ()`.as('windowTotal')))
        .where((eb) => this.matches(eb, v))
        .$if(!!page.after, (qb) => qb.where((eb) => eb(eb.refTuple('createdAt', 'id'), '<', eb.tuple(v.afterCreatedAt!, v.afterId!))))
        .orderBy('createdAt', 'desc')
        .orderBy('id', 'desc')
        .limit(v.limit),
    );
    return splitWindowTotal(found, count);
  }

  /** Every customer `filter` matches, newest first, in pages of `pageSize` read as the list reads them (see keysetPages). */
  exportPages(filter: CustomerFilter, pageSize?: number): AsyncGenerator<CustomerRow[]> {
    return keysetPages(async (page) => (await this.list(filter, page)).rows, pageSize);
  }

  async count(filter: CustomerFilter): Promise<number> {
    const { count } = await this.db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where((eb) => this.matches(eb, criteriaOf(filter)))
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  private matches(eb: ExpressionBuilder<CustomersTables, 'customers'>, criteria: Criteria) {
    const conditions = [];
    const { pattern } = criteria;
    if (pattern) conditions.push(eb.or([eb('name', 'ilike', pattern), eb('email', 'ilike', pattern), eb('externalId', 'ilike', pattern)]));
    if (criteria.customerGroup) conditions.push(eb('customerGroup', '=', criteria.customerGroup));
    if (criteria.tier) conditions.push(eb('tier', '=', criteria.tier));
    return eb.and(conditions);
  }

  groups(): Promise<CustomerGroupRow[]> {
    return this.db.selectFrom('customerGroups').selectAll().orderBy('code').execute();
  }

  async create(values: NewCustomer, requestId: string | null): Promise<CustomerRow> {
    try {
      return await this.write(async (trx) => {
        const row = await trx.insertInto('customers').values(values).returningAll().executeTakeFirstOrThrow();
        await appendEvents(trx, [customerEvent('customer.created', row, customerData(row), requestId)]);
        return row;
      });
    } catch (error) {
      rethrowConflict(error);
    }
  }

  /** Undefined when no customer has this id. */
  async update(id: string, patch: CustomerPatch, requestId: string | null): Promise<CustomerRow | undefined> {
    if (!isUuid(id)) return undefined;
    try {
      return await this.write(async (trx) => {
        const row = await trx
          .updateTable('customers')
          .set({ ...patch, updatedAt: new Date() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (row) await appendEvents(trx, [customerEvent('customer.updated', row, { ...patch, updatedAt: row.updatedAt }, requestId)]);
        return row;
      });
    } catch (error) {
      rethrowConflict(error);
    }
  }

  /**
   * One statement, so concurrent syncs of the same externalId never duplicate: the row is
   * created, or only the fields present in `values` are updated. With `idempotent`, the key is
   * claimed in the same transaction: a repeat answers the customer as it is now, with the first
   * call's `created`, and changes nothing (no event).
   */
  async upsertByExternalId(
    externalId: string,
    values: Omit<NewCustomer, 'externalId'>,
    requestId: string | null,
    idempotent?: IdempotentCall,
  ): Promise<{ row: CustomerRow; created: boolean }> {
    const keys = Object.keys(values) as (keyof typeof values)[];
    try {
      return await this.write(async (trx) => {
      if (idempotent) {
        const first = await claimIdempotencyKey<{ id: string; created: boolean }>(trx, idempotent);
        if (first) return { row: await trx.selectFrom('customers').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow(), created: first.created };
      }
      const { created, ...row } = await trx
        .insertInto('customers')
        .values({ ...values, externalId })
        .onConflict((oc) =>
          oc.column('externalId').doUpdateSet((eb) => ({
            ...Object.fromEntries(keys.map((key) => [key, eb.ref(`excluded.${key}`)])),
            updatedAt: new Date(),
          })),
        )
        .returningAll()
        // xmax is 0 for a row this statement inserted and the updating transaction's id otherwise.
        .returning(sql<boolean>`(xmax = 0)`.as('created'))
        .executeTakeFirstOrThrow();
      const event = created
        ? customerEvent('customer.created', row, customerData(row), requestId)
        : customerEvent('customer.updated', row, { ...values, updatedAt: row.updatedAt }, requestId);
      if (idempotent) await recordIdempotentResult(trx, idempotent.key, { id: row.id, created });
      await appendEvents(trx, [event]);
      return { row, created };
      });
    } catch (error) {
      rethrowConflict(error);
    }
  }
}
