import { sql, type ColumnType, type Generated, type Kysely, type Selectable } from 'kysely';
import { isUuid } from '../../../infra/ids.js';
import type { QueuesTables } from '../queues-repository.js';
import { LeaseLost } from '../workers.js';
import type { ImportKind, JobOptions } from './import-kinds.js';

interface ImportFileTable {
  id: Generated<string>;
  fileName: string | null;
  contentType: string | null;
  bytes: ColumnType<string, never, number>;
  complete: ColumnType<boolean, never, boolean>;
  createdBy: string;
  createdAt: ColumnType<Date, never, never>;
}

interface ImportFileChunkTable {
  fileId: string;
  seq: number;
  data: Buffer;
}

export type ImportStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

interface ImportJobTable {
  id: Generated<string>;
  kind: ImportKind;
  status: ColumnType<ImportStatus, never, ImportStatus>;
  options: ColumnType<JobOptions, string, never>;
  fileId: string | null;
  createdBy: string;
  createdAt: ColumnType<Date, never, never>;
  startedAt: ColumnType<Date | null, never, Date | null>;
  finishedAt: ColumnType<Date | null, never, Date | null>;
  rowsDone: ColumnType<number, never, number>;
  rowsInserted: ColumnType<number, never, number>;
  rowsUpdated: ColumnType<number, never, number>;
  rowsUnchanged: ColumnType<number, never, number>;
  rowsRejected: ColumnType<number, never, number>;
  failureCode: ColumnType<string | null, never, string | null>;
  failureMessage: ColumnType<string | null, never, string | null>;
  failureRow: ColumnType<number | null, never, number | null>;
  cancelRequested: ColumnType<boolean, never, boolean>;
  leasedBy: ColumnType<string | null, never, string | null>;
  leasedUntil: ColumnType<Date | null, never, Date | null>;
}

interface ImportErrorTable {
  jobId: string;
  id: ColumnType<string, never, never>;
  rowNumber: number;
  columnName: string | null;
  field: string | null;
  code: string;
  message: string;
}

// A type, not an interface: Kysely's withTables needs its implicit index signature.
export type ImportTables = {
  importFiles: ImportFileTable;
  importFileChunks: ImportFileChunkTable;
  importJobs: ImportJobTable;
  importErrors: ImportErrorTable;
};

export type ImportFileRow = Selectable<ImportFileTable>;
export type ImportJobRow = Selectable<ImportJobTable>;
export type ImportErrorRow = Selectable<ImportErrorTable>;

/** A reported row, as the job stores it. */
export interface ReportedRow {
  row: number;
  column: string | null;
  field: string | null;
  code: string;
  message: string;
}

/** What one batch came to: stored in one transaction with the row the job has got to. */
export interface BatchCommit {
  /** The last data row the batch covered. */
  rowsDone: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: ReportedRow[];
}

/** The only SQL of imports: files and their chunks, jobs with their lease and counters, reported rows. */
export class ImportsRepository {
  private readonly db: Kysely<QueuesTables & ImportTables>;

  constructor(db: Kysely<QueuesTables>) {
    this.db = db.withTables<ImportTables>();
  }

  async createFile(file: { fileName: string | null; contentType: string | null; createdBy: string }): Promise<string> {
    const row = await this.db.insertInto('importFiles').values(file).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async appendChunk(fileId: string, seq: number, data: Buffer): Promise<void> {
    await this.db.insertInto('importFileChunks').values({ fileId, seq, data }).execute();
  }

  async completeFile(fileId: string, bytes: number): Promise<ImportFileRow> {
    return this.db.updateTable('importFiles').set({ complete: true, bytes }).where('id', '=', fileId).returningAll().executeTakeFirstOrThrow();
  }

  async deleteFile(fileId: string): Promise<void> {
    await this.db.deleteFrom('importFiles').where('id', '=', fileId).execute();
  }

  async findFiles(ids: readonly string[]): Promise<ImportFileRow[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.db.selectFrom('importFiles').selectAll().where('id', '=', sql<string>`any(${valid}::uuid[])`).execute();
  }

  /** The chunk, or undefined past the end. */
  async chunk(fileId: string, seq: number): Promise<Buffer | undefined> {
    const row = await this.db.selectFrom('importFileChunks').select('data').where('fileId', '=', fileId).where('seq', '=', seq).executeTakeFirst();
    return row?.data;
  }

  async createJob(job: { kind: ImportKind; options: JobOptions; fileId: string; createdBy: string }): Promise<ImportJobRow> {
    return this.db
      .insertInto('importJobs')
      .values({ ...job, options: JSON.stringify(job.options) })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async findJobs(ids: readonly string[]): Promise<ImportJobRow[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.db.selectFrom('importJobs').selectAll().where('id', '=', sql<string>`any(${valid}::uuid[])`).execute();
  }

  async findJob(id: string): Promise<ImportJobRow | undefined> {
    return (await this.findJobs([id]))[0];
  }

  async listJobs(kinds: readonly ImportKind[], first: number): Promise<ImportJobRow[]> {
    if (kinds.length === 0) return [];
    return this.db.selectFrom('importJobs').selectAll().where('kind', 'in', kinds).orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(first).execute();
  }

  /**
   * Takes the oldest job that is waiting, or running under a lease that ran out (its replica
   * stopped or crashed): it is resumed from its rowsDone. One replica at a time.
   */
  async claim(replica: string, leaseSeconds: number): Promise<ImportJobRow | undefined> {
    return this.db
      .updateTable('importJobs')
      .set({ status: 'RUNNING', startedAt: sql<Date>`coalesce(started_at, now())`, leasedBy: replica, leasedUntil: sql<Date>`now() + make_interval(secs => ${leaseSeconds})` })
      .where(
        'id',
        '=',
        sql<string>`(select id from queues.import_jobs
          where status = 'QUEUED' or (status = 'RUNNING' and leased_until < now())
          order by created_at limit 1 for update skip locked)`,
      )
      .returningAll()
      .executeTakeFirst();
  }

  async renew(jobId: string, replica: string, leaseSeconds: number): Promise<{ cancelRequested: boolean }> {
    return this.whileHeld(this.db, jobId, replica, leaseSeconds);
  }

  /**
   * Renews the lease of a job this replica holds (with a batch's counts added, when given);
   * answers whether a cancel was asked for, or throws LeaseLost when the job is no longer its.
   */
  private async whileHeld(db: Kysely<QueuesTables & ImportTables>, jobId: string, replica: string, leaseSeconds: number, counts?: Omit<BatchCommit, 'errors'>): Promise<{ cancelRequested: boolean }> {
    const row = await db
      .updateTable('importJobs')
      .set((eb) => ({
        leasedUntil: sql<Date>`now() + make_interval(secs => ${leaseSeconds})`,
        ...(counts && {
          rowsDone: counts.rowsDone,
          rowsInserted: eb('rowsInserted', '+', counts.inserted),
          rowsUpdated: eb('rowsUpdated', '+', counts.updated),
          rowsUnchanged: eb('rowsUnchanged', '+', counts.unchanged),
          rowsRejected: eb('rowsRejected', '+', counts.rejected),
        }),
      }))
      .where('id', '=', jobId)
      .where('leasedBy', '=', replica)
      .where('status', '=', 'RUNNING')
      .returning('cancelRequested')
      .executeTakeFirst();
    if (!row) throw new LeaseLost(`import ${jobId} is no longer this replica's`);
    return row;
  }

  /** Stores a batch's outcome and renews the lease; answers whether a cancel was asked for meanwhile. */
  async commitBatch(jobId: string, replica: string, leaseSeconds: number, batch: BatchCommit): Promise<{ cancelRequested: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const row = await this.whileHeld(trx, jobId, replica, leaseSeconds, batch);
      if (batch.errors.length > 0) {
        const errors = batch.errors;
        await sql`
          insert into queues.import_errors (job_id, row_number, column_name, field, code, message)
          select ${jobId}::uuid, * from unnest(${errors.map((error) => error.row)}::int[], ${errors.map((error) => error.column)}::text[],
            ${errors.map((error) => error.field)}::text[], ${errors.map((error) => error.code)}::text[], ${errors.map((error) => error.message)}::text[])
        `.execute(trx);
      }
      return row;
    });
  }

  async finish(jobId: string, replica: string, status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', failure?: { code: string; message: string; row: number | null }): Promise<void> {
    await this.db
      .updateTable('importJobs')
      .set({ status, finishedAt: new Date(), leasedBy: null, leasedUntil: null, failureCode: failure?.code ?? null, failureMessage: failure?.message ?? null, failureRow: failure?.row ?? null })
      .where('id', '=', jobId)
      .where('leasedBy', '=', replica)
      .execute();
  }

  /** The replica is stopping: the job stays RUNNING, and whoever looks next (a restarted process) resumes it at once. */
  async release(jobId: string, replica: string): Promise<void> {
    await this.db.updateTable('importJobs').set({ leasedUntil: new Date(0) }).where('id', '=', jobId).where('leasedBy', '=', replica).execute();
  }

  /** A waiting job is cancelled at once; a running one is asked to stop after its batch in flight. */
  async cancel(jobId: string): Promise<ImportJobRow | undefined> {
    const waiting = await this.db
      .updateTable('importJobs')
      .set({ status: 'CANCELLED', finishedAt: new Date(), cancelRequested: true })
      .where('id', '=', jobId)
      .where('status', '=', 'QUEUED')
      .returningAll()
      .executeTakeFirst();
    if (waiting) return waiting;
    return this.db
      .updateTable('importJobs')
      .set({ cancelRequested: true })
      .where('id', '=', jobId)
      .where('status', '=', 'RUNNING')
      .returningAll()
      .executeTakeFirst()
      .then((running) => running ?? this.findJob(jobId));
  }

  /** Reported rows in row order, after the error id `after`; `first + 1` rows tell whether there are more. */
  async errors(jobId: string, first: number, after: string | null): Promise<ImportErrorRow[]> {
    let query = this.db.selectFrom('importErrors').selectAll().where('jobId', '=', jobId);
    if (after !== null) query = query.where('id', '>', after);
    return query.orderBy('id').limit(first + 1).execute();
  }

  async countErrors(jobId: string): Promise<number> {
    const row = await this.db.selectFrom('importErrors').select((eb) => eb.fn.countAll<string>().as('count')).where('jobId', '=', jobId).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Waiting or running jobs that still need their file, so it is kept past its retention. */
  async pruneFiles(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('importFiles')
      .where('createdAt', '<', before)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('importJobs').select('importJobs.id').whereRef('importJobs.fileId', '=', 'importFiles.id').where('importJobs.status', 'in', ['QUEUED', 'RUNNING']))),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Finished jobs (with their reported rows) that finished before `before`. */
  async pruneJobs(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('importJobs').where('finishedAt', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
