import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../../infra/errors.js';
import { operationBody, RouterUnreachable, type RouterClient, type RouterResult } from '../../../infra/graphql/router-client.js';
import type { Logger } from '../../../infra/logger.js';
import { pause, retryDelay } from '../../../infra/pause.js';
import { csvRecords, FileInvalid } from './csv-records.js';
import { fieldEnum, KINDS, type JobOptions } from './import-kinds.js';
import { KeySet } from './key-set.js';
import { LeaseLost } from '../workers.js';
import type { ImportJobRow, ImportsRepository, ReportedRow } from './imports-repository.js';

/** A replica's hold on a running job; renewed with every batch and every RENEW_MS, so a crashed replica's runs out within this. */
export const LEASE_SECONDS = 30;
const RENEW_MS = 10_000;
/** How often an idle runner looks for waiting jobs (a job started on this replica wakes it at once). */
const IDLE_CHECK_MS = 2_000;
/** Codes of a batch's answer that may pass: the batch is sent again (with the same idempotency key). */
const TRANSIENT = new Set<string>([ErrorCode.DependencyUnavailable, ErrorCode.SubgraphUnavailable, ErrorCode.Timeout, ErrorCode.CircuitOpen, ErrorCode.RateLimited, ErrorCode.InternalServerError]);

/** What the batch mutations answer. */
interface BatchResult {
  inserted: number;
  updated: number;
  unchanged: number;
  rejectedRows: number;
  rejected: { row: number; field: string | null; code: string; message: string }[];
}

interface Batch {
  firstRow: number;
  lastRow: number;
  rows: { row: number; values: (string | null)[] }[];
  /** Each row's key (its order's, for ORDERS), beside `rows`. */
  keys: (string | undefined)[];
  /** Rows the runner itself rejects (wrong number of cells, a key seen before). */
  local: ReportedRow[];
}

/** The job ends now: its status and why. */
class JobEnd extends Error {
  constructor(
    readonly status: 'FAILED' | 'CANCELLED',
    readonly failure?: { code: string; message: string; row: number | null },
  ) {
    super(failure?.message ?? status);
  }
}

/** The replica is stopping: the job stays RUNNING, released for whoever starts next. */
class Stopping extends Error {}

export interface ImportRunnerDeps {
  repository: ImportsRepository;
  /** The client for the router, or why there is none (no credentials): then jobs wait. */
  router: RouterClient | string;
  routerUp(): boolean;
  /** How long a batch is retried while the router or a subgraph is unavailable, before the job fails. */
  retrySeconds: number;
  /** Batches of a job sent at once (IMPORT_CONCURRENCY). */
  concurrency: number;
  /** Called after each stored batch and at the end, for importProgress. */
  progressed(jobId: string): void;
  logger: Logger;
}

/**
 * Runs import jobs, one at a time per replica: claims the oldest waiting job (or one whose
 * replica died: its lease ran out), reads its file from PostgreSQL chunk by chunk, and sends the
 * rows through the router to the owning subgraph's batch mutation (importCustomers, importOrders),
 * so the hub's authorization, audit, events and cache purges apply to imported rows as to any
 * other change. Each batch has the idempotency key `import:<job>:<first row>` and its outcome is
 * stored with the row the job has got to: a job resumed after a crash skips to that row, and a
 * batch that committed but whose outcome was not stored is answered again from its key, never
 * applied twice. Up to IMPORT_CONCURRENCY batches are in flight while the next one is parsed;
 * their outcomes are stored in file order.
 */
export class ImportRunner {
  private readonly replica = randomUUID();
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: ImportRunnerDeps) {}

  start(): void {
    this.loop = this.run();
  }

  /** A job was started here: look now rather than at the next idle check. */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { repository, logger } = this.deps;
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      let job: ImportJobRow | undefined;
      try {
        job = this.deps.routerUp() ? await repository.claim(this.replica, LEASE_SECONDS) : undefined;
        failures = 0;
      } catch (error) {
        logger.warn({ err: error }, 'could not look for import jobs; trying again');
        await pause(retryDelay(++failures), this.stopping.signal);
        continue;
      }
      if (!job) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, IDLE_CHECK_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        continue;
      }
      await this.runJob(job);
    }
  }

  private async runJob(job: ImportJobRow): Promise<void> {
    const { repository, logger } = this.deps;
    const log = logger.child({ importJob: job.id, kind: job.kind });
    log.info({ resumedAt: job.rowsDone || undefined }, job.rowsDone > 0 ? 'resuming an import' : 'starting an import');
    const renewal = setInterval(() => {
      repository.renew(job.id, this.replica, LEASE_SECONDS).then(
        ({ cancelRequested }) => cancelRequested && this.cancelled.add(job.id),
        (error: unknown) => log.warn({ err: error }, 'could not renew an import job lease'),
      );
    }, RENEW_MS);
    try {
      if (job.cancelRequested) throw new JobEnd('CANCELLED');
      await this.readAndSend(job);
      await repository.finish(job.id, this.replica, 'SUCCEEDED');
      log.info('an import finished');
    } catch (error) {
      if (error instanceof JobEnd) {
        await repository.finish(job.id, this.replica, error.status, error.failure).catch((cause: unknown) => log.error({ err: cause }, 'could not record the end of an import'));
        log.info({ status: error.status, failure: error.failure }, 'an import ended');
      } else if (error instanceof Stopping) {
        await repository.release(job.id, this.replica).catch(() => {});
      } else if (error instanceof LeaseLost) {
        log.warn('an import job was taken over by another replica (this one held it too long)');
      } else {
        log.error({ err: error }, 'an import failed');
        await repository.finish(job.id, this.replica, 'FAILED', { code: ErrorCode.InternalServerError, message: 'The import failed unexpectedly; its log line names the job', row: null }).catch(() => {});
      }
    } finally {
      clearInterval(renewal);
      this.cancelled.delete(job.id);
      this.deps.progressed(job.id);
    }
  }

  /** Jobs whose cancel this replica learnt of while renewing their lease. */
  private readonly cancelled = new Set<string>();

  private async readAndSend(job: ImportJobRow): Promise<void> {
    const spec = KINDS[job.kind];
    const options = job.options;
    const keyIndex = options.columns.find((column) => column.field === spec.key)?.index;
    const columnOf = new Map(options.columns.map((column) => [column.field, column.column]));
    // Keys seen in the file so far: a customer's externalId twice is a reported row; an order's key
    // met again after other orders (its lines not adjacent) too. Rebuilt from the start on resume.
    const seen = new KeySet();
    let currentKey: string | undefined;
    // The order (its key) that a bad row has rejected: its further lines are reported too.
    let rejectedKey: string | undefined;
    let batch: Batch | undefined;

    // Stores what a batch came to; batches are stored in file order, whatever order they are answered in.
    const commit = async (sent: Batch, result: BatchResult): Promise<void> => {
      const remote: ReportedRow[] = result.rejected.map((rejected) => ({ ...rejected, column: rejected.field ? (columnOf.get(rejected.field) ?? null) : null }));
      const errors = [...sent.local, ...remote].sort((a, b) => a.row - b.row);
      const stopAt = options.onError === 'STOP' ? errors[0] : undefined;
      const { cancelRequested } = await this.deps.repository.commitBatch(job.id, this.replica, LEASE_SECONDS, {
        rowsDone: stopAt ? stopAt.row : sent.lastRow,
        inserted: result.inserted,
        updated: result.updated,
        unchanged: result.unchanged,
        rejected: result.rejectedRows + new Set(sent.local.map((error) => error.row)).size,
        errors: stopAt ? errors.filter((error) => error.row === stopAt.row) : errors,
      });
      this.deps.progressed(job.id);
      if (stopAt) throw new JobEnd('FAILED', { code: ErrorCode.ImportStopped, message: `Stopped at row ${stopAt.row} (onError STOP): ${stopAt.message}`, row: stopAt.row });
      // The batches already sent are stored as they come back (what they wrote is counted); no new one is sent.
      if (cancelRequested || this.cancelled.has(job.id)) cancelling = true;
    };
    // Up to `concurrency` batches are sent at once (while the next is parsed); with onError STOP
    // one at a time, since a batch after the bad row must not be written.
    const concurrency = options.onError === 'STOP' ? 1 : this.deps.concurrency;
    const inFlight: Promise<void>[] = [];
    let stored: Promise<void> = Promise.resolve();
    let cancelling = false;
    const flush = async () => {
      if (!batch) return;
      const sent = batch;
      batch = undefined;
      // Serialized now, so that the rows' objects die young (they are not kept while the batch
      // waits for its turn and its answer); a retry sends the same bytes.
      const body = sent.rows.length > 0 ? this.batchBody(job, options, sent) : undefined;
      sent.rows = [];
      sent.keys = [];
      while (inFlight.length >= concurrency) await inFlight.shift();
      if (cancelling) {
        await settle();
        throw new JobEnd('CANCELLED');
      }
      if (this.stopping.signal.aborted) throw new Stopping();
      const answered = body ? this.sendBatch(job, sent, body) : Promise.resolve({ inserted: 0, updated: 0, unchanged: 0, rejectedRows: 0, rejected: [] });
      const previous = stored;
      stored = (async () => {
        const result = await answered;
        await previous;
        await commit(sent, result);
      })();
      // Its failure is seen when it is awaited (a later flush, or the end); until then, not an unhandled rejection.
      stored.catch(() => {});
      answered.catch(() => {});
      inFlight.push(stored);
    };
    const settle = async () => {
      await Promise.allSettled(inFlight);
      await stored;
    };

    // The columns in the file's order, each once: a row's cells are its values as they are.
    const cellsAreValues = options.columns.length === options.headerCells && options.columns.every((column, index) => column.index === index);
    try {
      reading: for await (const records of csvRecords(this.chunks(job), options)) {
        for (const { row, cells } of records) {
          if (row === 1) continue;
          const done = row <= job.rowsDone;
          let local: ReportedRow | undefined;
          // The row's key; a row of an order keeps its key even when it is bad, so that its order is rejected with it.
          let key = keyIndex !== undefined && keyIndex < cells.length ? cells[keyIndex]!.trim() || undefined : undefined;
          if (cells.length !== options.headerCells) {
            local = { row, column: null, field: null, code: ErrorCode.BadUserInput, message: `has ${cells.length} cells; the header has ${options.headerCells}` };
            if (!spec.groupsByKey) key = undefined;
          }
          if (key !== undefined && key !== currentKey && seen.has(key)) {
            local = {
              row,
              column: columnOf.get(spec.key)!,
              field: spec.key,
              code: ErrorCode.Conflict,
              message: spec.groupsByKey ? `the lines of order ${key} must be adjacent: it appeared earlier in the file` : `${spec.key} ${key} appears earlier in the file`,
            };
            key = undefined;
          } else if (spec.groupsByKey && key !== undefined && key === rejectedKey && !local) {
            local = { row, column: null, field: null, code: ErrorCode.BadUserInput, message: `rejected with its order ${key}, which has a bad row` };
          }
          // A batch ends at a new key (or any row, for kinds that do not group), once it is full.
          const newGroup = !spec.groupsByKey || key !== currentKey;
          if (key !== undefined) {
            seen.add(key);
            currentKey = key;
          }
          if (done) {
            if (local && spec.groupsByKey && key !== undefined) rejectedKey = key;
            continue;
          }
          if (batch && newGroup && batch.rows.length + batch.local.length >= options.batchRows) await flush();
          batch ??= { firstRow: row, lastRow: row, rows: [], keys: [], local: [] };
          // A bad row of an order rejects the order: its lines already in the batch become reported rows too.
          if (local && spec.groupsByKey && key !== undefined && rejectedKey !== key) {
            rejectedKey = key;
            while (batch.keys.at(-1) === key) {
              batch.keys.pop();
              const line = batch.rows.pop()!;
              batch.local.push({ row: line.row, column: null, field: null, code: ErrorCode.BadUserInput, message: `rejected with its order ${key}: row ${row} is bad` });
            }
          }
          if (local && options.onError === 'STOP') {
            // The rows before the bad one (and before its order) are sent, then the job stops at the first reported row.
            const rejected = batch.local;
            batch.local = [];
            if (batch.rows.length === 0) batch = undefined;
            await flush();
            batch = { firstRow: row, lastRow: row, rows: [], keys: [], local: [...rejected, local] };
            await flush();
            break reading;
          }
          batch.lastRow = row;
          if (local) batch.local.push(local);
          else {
            batch.rows.push({ row, values: cellsAreValues ? cells : options.columns.map((column) => cells[column.index] ?? null) });
            batch.keys.push(key);
          }
        }
      }
      await flush();
      await settle();
    } catch (error) {
      // The rows before a file error are imported (their batch is sent), then the job fails saying where.
      if (error instanceof FileInvalid) {
        await flush().catch(() => {});
        await settle();
        throw new JobEnd('FAILED', { code: ErrorCode.ImportFileInvalid, message: error.message, row: error.row });
      }
      await Promise.allSettled(inFlight);
      throw error;
    }
  }

  private async *chunks(job: ImportJobRow): AsyncGenerator<Buffer> {
    if (!job.fileId) throw new JobEnd('FAILED', { code: ErrorCode.ImportFileInvalid, message: 'The file of this job was removed (IMPORT_FILE_RETENTION_HOURS) before it was read', row: null });
    for (let seq = 0; ; seq++) {
      const chunk = await this.deps.repository.chunk(job.fileId, seq);
      if (!chunk) return;
      yield chunk;
    }
  }

  /** The batch mutation with the batch's rows, serialized. */
  private batchBody(job: ImportJobRow, options: JobOptions, batch: Batch): Uint8Array {
    return operationBody(KINDS[job.kind].document, {
      fields: options.columns.map((column) => fieldEnum(column.field)),
      rows: batch.rows,
      mode: options.mode,
      onError: options.onError,
      key: `import:${job.id}:${batch.firstRow}`,
    });
  }

  /** Sends the batch until it gets an answer: transient failures are retried (same key) for retrySeconds. */
  private async sendBatch(job: ImportJobRow, batch: Batch, body: Uint8Array): Promise<BatchResult> {
    const router = this.deps.router;
    if (typeof router === 'string') throw new JobEnd('FAILED', { code: ErrorCode.DependencyUnavailable, message: router, row: null });
    const giveUpAt = Date.now() + this.deps.retrySeconds * 1000;
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      try {
        const answer: RouterResult<{ result: BatchResult }> = await router.send(body, `import:${job.id}`);
        if (!answer.errors && answer.data) return answer.data.result;
        const error = answer.errors![0]!;
        if (!TRANSIENT.has(error.code)) {
          throw new JobEnd('FAILED', { code: error.code, message: `Rows ${batch.firstRow} to ${batch.lastRow} were refused as a whole: ${error.message}`, row: batch.firstRow });
        }
        reason = `${error.code}: ${error.message}`;
      } catch (error) {
        if (!(error instanceof RouterUnreachable)) throw error;
        reason = error.message;
      }
      if (Date.now() > giveUpAt) {
        throw new JobEnd('FAILED', { code: ErrorCode.DependencyUnavailable, message: `Rows from ${batch.firstRow} could not be imported for ${this.deps.retrySeconds} s (${reason}); rows before them are imported`, row: batch.firstRow });
      }
      this.deps.logger.warn({ importJob: job.id, attempt, reason }, 'an import batch will be sent again');
      await pause(retryDelay(attempt), this.stopping.signal);
      if (this.stopping.signal.aborted) throw new Stopping();
    }
  }
}
