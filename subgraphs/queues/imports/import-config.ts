import { positiveInt } from '../../../infra/config.js';

/** What imports read, spread into the queues subgraph's environment. */
export const importsEnv = {
  /** The largest file accepted, in bytes (default 1 GiB); a larger upload is refused with 413 before it is stored. */
  IMPORT_MAX_BYTES: positiveInt(1024 * 1024 * 1024, 64 * 1024 * 1024 * 1024),
  /** Rows per batch sent to the customers or orders subgraph (an order's lines are never split, so an orders batch may be a little larger). */
  IMPORT_BATCH_ROWS: positiveInt(2_000, 5_000),
  /** Batches of a job sent at once, while the next is read (with onError STOP: one). */
  IMPORT_CONCURRENCY: positiveInt(2, 8),
  /** How long a batch is retried while the router or a subgraph is unavailable before the job fails (its rows so far stay imported). */
  IMPORT_RETRY_SECONDS: positiveInt(300, 86_400),
  /** Uploaded files are removed this long after their upload, unless a job still needs them. */
  IMPORT_FILE_RETENTION_HOURS: positiveInt(24, 24 * 365),
  /** Finished jobs and their reported rows are removed this long after they finished. */
  IMPORT_JOB_RETENTION_DAYS: positiveInt(30, 3_650),
};
