import { sql, type ColumnType, type Kysely, type Selectable } from 'kysely';
import type { QueuesTables } from '../queues-repository.js';
import { LeaseLost } from '../workers.js';

interface PollSourceTable {
  name: string;
  watermark: ColumnType<string | null, string | null | undefined, string | null>;
  boundary: ColumnType<string[], never, string[]>;
  leasedBy: ColumnType<string | null, never, string | null>;
  leasedUntil: ColumnType<Date | null, never, Date | null>;
  nextRunAt: ColumnType<Date | null, never, Date | null>;
  failures: ColumnType<number, never, number>;
  lastRunAt: ColumnType<Date | null, never, Date | null>;
  lastSuccessAt: ColumnType<Date | null, never, Date | null>;
  lastError: ColumnType<string | null, never, string | null>;
  /** bigint, as text; counted up in SQL. */
  itemsApplied: ColumnType<string, never, string>;
  itemsUnchanged: ColumnType<string, never, string>;
  itemsRejected: ColumnType<string, never, string>;
  recentRejections: ColumnType<PollRejection[], never, string>;
  createdAt: ColumnType<Date, never, never>;
}

interface PollItemTable {
  source: string;
  externalId: string;
  inputHash: string;
}

/** The polling tables of the queues schema, as Kysely sees them. */
// A type, not an interface: Kysely's withTables needs its implicit index signature.
export type PollingTables = {
  pollSources: PollSourceTable;
  pollItems: PollItemTable;
};

export type PollSourceRow = Selectable<PollSourceTable>;

/** An item that was not applied: its mapping failed, or the API refused it for good. */
export interface PollRejection {
  externalId: string | null;
  watermark: string | null;
  reason: string;
  /** ISO 8601. */
  at: string;
}

/** The latest rejections kept per source (counted all the same in itemsRejected). */
export const RECENT_REJECTIONS = 20;

/** What one page came to, stored in one transaction with its watermark. */
export interface PageCommit {
  watermark: string | null;
  /** Fingerprints of the items handled at exactly `watermark`. */
  boundary: string[];
  /** Items applied (or refused for good) with the hash of their input: read again unchanged, they are skipped. */
  settled: { externalId: string; inputHash: string }[];
  applied: number;
  unchanged: number;
  rejections: PollRejection[];
}

/** The only SQL of the polling connector: the sources' rows (watermark, lease, schedule, counters) and the items' input hashes. */
export class PollingRepository {
  private readonly db: Kysely<QueuesTables & PollingTables>;

  constructor(db: Kysely<QueuesTables>) {
    this.db = db.withTables<PollingTables>();
  }

  /** Creates the rows of sources polled for the first time. */
  async ensure(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    await this.db.insertInto('pollSources').values(names.map((name) => ({ name }))).onConflict((oc) => oc.column('name').doNothing()).execute();
  }

  list(names: readonly string[]): Promise<PollSourceRow[]> {
    if (names.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('pollSources').selectAll().where('name', '=', sql<string>`any(${[...names]}::text[])`).execute();
  }

  find(name: string): Promise<PollSourceRow | undefined> {
    return this.db.selectFrom('pollSources').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /**
   * Takes the source for `owner` for `leaseSeconds` when no other replica holds it (or its lease
   * ran out) and, with `dueOnly`, when its next round is due. Answers the row, or undefined.
   */
  claim(name: string, owner: string, leaseSeconds: number, dueOnly: boolean): Promise<PollSourceRow | undefined> {
    return this.db
      .updateTable('pollSources')
      .set({ leasedBy: owner, leasedUntil: sql<Date>`now() + make_interval(secs => ${leaseSeconds})`, lastRunAt: sql<Date>`now()` })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('leasedBy', 'is', null), eb('leasedBy', '=', owner), eb('leasedUntil', '<', sql<Date>`now()`)]))
      .$if(dueOnly, (query) => query.where((eb) => eb.or([eb('nextRunAt', 'is', null), eb('nextRunAt', '<=', sql<Date>`now()`)])))
      .returningAll()
      .executeTakeFirst();
  }

  /** Extends `owner`'s lease; false when it is no longer `owner`'s. */
  async renew(name: string, owner: string, leaseSeconds: number): Promise<boolean> {
    const renewed = await this.db
      .updateTable('pollSources')
      .set({ leasedUntil: sql<Date>`now() + make_interval(secs => ${leaseSeconds})` })
      .where('name', '=', name)
      .where('leasedBy', '=', owner)
      .executeTakeFirst();
    return renewed.numUpdatedRows > 0n;
  }

  /** The input hashes last settled for these externalIds of the source. */
  async inputHashes(source: string, externalIds: readonly string[]): Promise<Map<string, string>> {
    if (externalIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('pollItems')
      .select(['externalId', 'inputHash'])
      .where('source', '=', source)
      .where('externalId', '=', sql<string>`any(${[...externalIds]}::text[])`)
      .execute();
    return new Map(rows.map((row) => [row.externalId, row.inputHash]));
  }

  /**
   * Stores a page: its items' hashes, the counters, the latest rejections and the watermark,
   * in one transaction and only while `owner` holds the lease (LeaseLost otherwise, nothing written).
   */
  async commitPage(name: string, owner: string, leaseSeconds: number, page: PageCommit): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('pollSources')
        .set({
          watermark: page.watermark,
          boundary: page.boundary,
          leasedUntil: sql<Date>`now() + make_interval(secs => ${leaseSeconds})`,
          itemsApplied: sql<string>`items_applied + ${page.applied}`,
          itemsUnchanged: sql<string>`items_unchanged + ${page.unchanged}`,
          itemsRejected: sql<string>`items_rejected + ${page.rejections.length}`,
          recentRejections: sql<string>`(select coalesce(jsonb_agg(entry order by position), '[]'::jsonb)
            from jsonb_array_elements(${JSON.stringify([...page.rejections].reverse())}::jsonb || recent_rejections) with ordinality as kept(entry, position)
            where position <= ${RECENT_REJECTIONS})`,
        })
        .where('name', '=', name)
        .where('leasedBy', '=', owner)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new LeaseLost(`poll source ${name} is no longer leased by this replica`);
      if (page.settled.length > 0) {
        await trx
          .insertInto('pollItems')
          .values(page.settled.map((item) => ({ source: name, externalId: item.externalId, inputHash: item.inputHash })))
          .onConflict((oc) => oc.columns(['source', 'externalId']).doUpdateSet((eb) => ({ inputHash: eb.ref('excluded.inputHash') })))
          .execute();
      }
    });
  }

  /** Ends `owner`'s round: gives the lease back and records how it went and when the next is due. */
  async finish(name: string, owner: string, outcome: { error: string | null; failures: number; nextRunInSeconds: number }): Promise<void> {
    await this.db
      .updateTable('pollSources')
      .set({
        leasedBy: null,
        leasedUntil: null,
        failures: outcome.failures,
        lastError: outcome.error,
        nextRunAt: sql<Date>`now() + make_interval(secs => ${outcome.nextRunInSeconds})`,
        ...(outcome.error === null ? { lastSuccessAt: sql<Date>`now()` } : {}),
      })
      .where('name', '=', name)
      .where('leasedBy', '=', owner)
      .execute();
  }
}
