import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../infra/logger.js';
import type { AuditRecord, AuditSink } from './audit.js';

export interface PostgresAuditSinkOptions {
  /** Any Kysely instance on the hub's database: the sink names access.audit_records itself. */
  db: Kysely<any>;
  logger: Logger;
  /** Queued records are written at least this often. Default 500 ms. */
  flushIntervalMs?: number;
  /** A batch this large is written at once. Default 100. */
  batchSize?: number;
  /** Records queued at most while PostgreSQL is slow or away; older ones are dropped (and counted in a log line) past it. Default 10,000. */
  maxQueued?: number;
}

/**
 * Audit records into access.audit_records (created by the access subgraph's migrations), in
 * batched multi-row inserts: every 500 ms, or as soon as 100 are queued. record() never throws
 * and never waits. While PostgreSQL cannot take them (away, or the table not made yet) the
 * records stay queued, up to maxQueued, and the next flush tries again. A record PostgreSQL
 * refuses as such (a value out of range) would fail every time: that batch is written record by
 * record, and only the refused ones are dropped, each with a log line.
 */
export class PostgresAuditSink implements AuditSink {
  private readonly db: Kysely<any>;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly maxQueued: number;
  private queue: AuditRecord[] = [];
  private dropped = 0;
  /** The last write failed for want of PostgreSQL. */
  private failing = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(options: PostgresAuditSinkOptions) {
    this.db = options.db.withoutPlugins();
    this.logger = options.logger;
    this.batchSize = options.batchSize ?? 100;
    this.maxQueued = options.maxQueued ?? 10_000;
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 500);
    this.timer.unref();
  }


  record(entry: AuditRecord): void {
    this.queue.push(entry);
    if (this.queue.length > this.maxQueued) {
      this.queue.shift();
      this.dropped += 1;
    }
    if (this.queue.length >= this.batchSize) void this.flush();
  }

  /** Writes everything queued so far, in batches; resolves when it is written (or its failure logged). */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.dropped > 0) {
        this.logger.warn({ dropped: this.dropped }, 'audit records dropped: the queue was full');
        this.dropped = 0;
      }
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.batchSize);
        try {
          await this.insert(batch);
        } catch (error) {
          const done = refusesData(error) ? await this.insertOneByOne(batch) : 0;
          if (done < batch.length) {
            // Back in front of what came meanwhile, within maxQueued (the oldest go first).
            this.queue.unshift(...batch.slice(done));
            const excess = this.queue.length - this.maxQueued;
            if (excess > 0) {
              this.queue.splice(0, excess);
              this.dropped += excess;
            }
            // Once per outage, not once per flush.
            if (!this.failing) this.logger.warn({ err: error, queued: this.queue.length }, 'writing audit records failed; they stay queued until PostgreSQL takes them');
            this.failing = true;
            return;
          }
        }
      }
      if (this.failing) this.logger.info('audit records written again');
      this.failing = false;
    });
    return this.writing;
  }

  /** Writes what is queued; what PostgreSQL still cannot take is lost, and logged as such. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    if (this.queue.length > 0) this.logger.error({ lost: this.queue.length }, 'audit records lost at shutdown: PostgreSQL did not take them');
  }

  /** How many of `batch`, from its start, are written or dropped; stops where PostgreSQL cannot take any. */
  private async insertOneByOne(batch: AuditRecord[]): Promise<number> {
    for (const [index, entry] of batch.entries()) {
      try {
        await this.insert([entry]);
      } catch (error) {
        if (!refusesData(error)) return index;
        this.logger.error({ err: error, requestId: entry.requestId }, 'audit record refused by PostgreSQL and dropped');
      }
    }
    return batch.length;
  }

  private async insert(batch: AuditRecord[]): Promise<void> {
    const rows = batch.map(
      (entry) =>
        sql`(${entry.at}, ${entry.action}, ${entry.requestId}, ${entry.clientRequestId}, ${entry.principal}, ${entry.clientIp}, ${entry.operationName}, ${entry.operationType}, ${sql.val(entry.rootFields)}::text[], ${entry.outcome}, ${entry.code}, ${Math.max(0, Math.round(entry.durationMs))}, ${entry.detail ? JSON.stringify(entry.detail) : null}::jsonb)`,
    );
    await sql`
      insert into access.audit_records (at, action, request_id, client_request_id, principal, client_ip, operation_name, operation_type, root_fields, outcome, code, duration_ms, detail)
      values ${sql.join(rows)}`.execute(this.db);
  }
}

/** PostgreSQL refused the values themselves (SQLSTATE classes 22 and 23): sending them again cannot help. */
function refusesData(error: unknown): boolean {
  return error instanceof pg.DatabaseError && (error.code?.startsWith('22') === true || error.code?.startsWith('23') === true);
}
