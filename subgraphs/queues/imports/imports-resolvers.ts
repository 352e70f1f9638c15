import type { ImportJobResolvers, MutationResolvers, QueryResolvers, SubscriptionResolvers } from '../__generated__/resolvers-types.js';
import { badUserInput, notFound } from '../../../infra/errors.js';
import { connectionResolvers } from '../../../infra/db/pagination.js';
import type { Principal } from '../../../infra/auth/principal.js';
import { shownOptions } from './import-kinds.js';
import { REPORT_PATH } from './import-routes.js';
import type { Imports } from './index.js';
import type { ImportJobRow } from './imports-repository.js';

const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
/** importProgress answers at least this often while the job runs. */
const PROGRESS_MS = 1_000;

function errorCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

function errorAfter(cursor: string | null | undefined): string | null {
  if (!cursor) return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{1,19}$/.test(id)) throw badUserInput([{ field: 'after', message: 'is not a cursor returned by this API' }]);
  return id;
}

/** The job now, then after each stored batch (on this replica) or every PROGRESS_MS, until it has finished. */
async function* progress(imports: Imports, jobId: string, principal: Principal | undefined): AsyncGenerator<ImportJobRow> {
  // Upstream subscriptions come from the router as its own service principal (shared between
  // subscribers): it checked the caller's customers:write or orders:write; the job's own kind
  // cannot be checked here (a job id is a random UUID, known to whoever started the job).
  const viaRouter = principal?.kind === 'service' && principal.id === 'router';
  let job = viaRouter ? await imports.repository.findJob(jobId) : await imports.service.job(jobId, principal);
  if (!job) throw notFound('ImportJob', jobId);
  yield job;
  let wake: (() => void) | undefined;
  let moved = false;
  const unsubscribe = imports.onProgress(jobId, () => {
    moved = true;
    wake?.();
  });
  try {
    while (!FINISHED.has(job.status)) {
      if (!moved) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, PROGRESS_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      moved = false;
      wake = undefined;
      job = (await imports.repository.findJob(jobId)) ?? job;
      yield job;
    }
  } finally {
    unsubscribe();
  }
}

/** Imports' resolvers, spread into the queues subgraph's (resolvers.ts). */
export const importsResolvers = {
  Query: {
    importJob: (_parent, { id }, { imports, principal }) => imports.service.job(id, principal),
    importJobs: (_parent, { first }, { imports, principal }) => imports.service.jobs(principal, first ?? 20),
  } satisfies QueryResolvers,
  Mutation: {
    startImport: (_parent, { kind, fileId, options }, { imports, principal }) => imports.service.start(kind, fileId, options, principal),
    cancelImport: (_parent, { id }, { imports, principal }) => imports.service.cancel(id, principal),
  } satisfies MutationResolvers,
  Subscription: {
    importProgress: {
      subscribe: (_parent, { jobId }, { imports, principal }) => progress(imports, jobId, principal),
      resolve: (job: ImportJobRow) => job,
    },
  } satisfies SubscriptionResolvers,
  types: {
    ImportJob: {
      options: (job) => shownOptions(job.options),
      file: async (job, _args, { imports }) => (job.fileId ? ((await imports.repository.findFiles([job.fileId]))[0] ?? null) : null),
      rowsRead: (job) => Math.max(0, job.rowsDone - 1),
      rowsImported: (job) => job.rowsInserted + job.rowsUpdated,
      failure: (job) => (job.failureCode ? { code: job.failureCode, message: job.failureMessage ?? '', row: job.failureRow } : null),
      reportPath: (job) => `${REPORT_PATH}?job=${job.id}`,
      errors: async (job, { first, after }, { imports }) => {
        const size = first ?? 50;
        if (!Number.isInteger(size) || size < 0 || size > 100) throw badUserInput([{ field: 'first', message: 'must be between 0 and 100' }]);
        const rows = await imports.repository.errors(job.id, size, errorAfter(after));
        const page = rows.slice(0, size);
        return {
          edges: page.map((row) => ({ cursor: errorCursor(row.id), node: { row: row.rowNumber, column: row.columnName, field: row.field, code: row.code, message: row.message } })),
          pageInfo: { hasNextPage: rows.length > size, endCursor: page.length > 0 ? errorCursor(page.at(-1)!.id) : null },
          totalCount: () => imports.repository.countErrors(job.id),
        };
      },
    } satisfies ImportJobResolvers,
    ImportErrorConnection: connectionResolvers,
    ImportFile: {
      bytes: (file: { bytes: string }) => Number(file.bytes),
    },
  },
};
