import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Principal } from '../../../infra/auth/principal.js';
import { ErrorCode } from '../../../infra/errors.js';
import type { SubgraphRoute } from '../../../infra/graphql/subgraph-server.js';
import { discardRest } from '../../../infra/http/graphql-handler.js';
import { sendCsv, type CsvColumn } from '../../../infra/http/csv-export.js';
import { sendJson } from '../../../infra/http/http-server.js';
import type { Logger } from '../../../infra/logger.js';
import { notCsv } from './csv-records.js';
import { importPath, KINDS, shownOptions, type ImportKind } from './import-kinds.js';
import type { ImportErrorRow, ImportFileRow, ImportJobRow, ImportsRepository } from './imports-repository.js';
import { mayImport, type ImportsService } from './imports-service.js';

/** The routes' prefix, here and on the router. */
export const IMPORTS_PREFIX = '/imports/';
export const FILES_PATH = '/imports/files';
export const REPORT_PATH = '/imports/report.csv';

/** Uploads are stored in chunks of this size: the most of a file held in memory. */
const CHUNK_BYTES = 256 * 1024;

/** Content types taken as CSV (browsers on Windows send text/csv as application/vnd.ms-excel). */
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/plain', 'text/tab-separated-values', 'application/vnd.ms-excel', 'application/octet-stream']);
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const HTTP_STATUS: Partial<Record<string, number>> = {
  [ErrorCode.BadUserInput]: 400,
  [ErrorCode.ImportFileInvalid]: 400,
  [ErrorCode.ImportColumnsInvalid]: 400,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.DependencyUnavailable]: 503,
};

/** A job as the upload route answers it: the fields importJob has, for a client that does not speak GraphQL. */
export function jobJson(job: ImportJobRow) {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    options: shownOptions(job.options),
    fileId: job.fileId,
    createdAt: job.createdAt,
    reportPath: `${REPORT_PATH}?job=${job.id}`,
  };
}

function fileJson(file: ImportFileRow) {
  return { id: file.id, bytes: Number(file.bytes), fileName: file.fileName, createdAt: file.createdAt };
}

const REPORT_COLUMNS: readonly CsvColumn<ImportErrorRow>[] = [
  { name: 'row', value: (error) => String(error.rowNumber) },
  { name: 'column', value: (error) => error.columnName, userText: true },
  { name: 'field', value: (error) => error.field },
  { name: 'code', value: (error) => error.code },
  { name: 'message', value: (error) => error.message, userText: true },
];

class UploadRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ImportRoutesDeps {
  repository: ImportsRepository;
  service: ImportsService;
  maxBytes: number;
  logger: Logger;
}

/**
 * The HTTP side of imports on the queues subgraph, which the router forwards to with the
 * caller's principal: `POST /imports/files` stores a file (201 `{ file }`), `POST
 * /imports/customers` and `/imports/orders` store one and start its job (202 `{ job }`, options
 * as query parameters), `GET /imports/report.csv?job=<id>` streams a job's reported rows.
 */
export function importRoutes(deps: ImportRoutesDeps): SubgraphRoute {
  const refuse = (res: ServerResponse, status: number, message: string, code: ErrorCode, requestId: string, extensions: Record<string, unknown> = {}) =>
    sendJson(res, status, { errors: [{ message, extensions: { code, requestId, ...extensions } }] });

  /** Streams the body into a new file's chunks; removes the file when the upload fails. */
  const store = async (req: IncomingMessage, principal: Principal): Promise<ImportFileRow> => {
    const type = (req.headers['content-type'] ?? 'application/octet-stream').split(';', 1)[0]!.trim().toLowerCase();
    if (type === XLSX_TYPE) throw new UploadRefused(415, ErrorCode.ImportFileInvalid, 'Spreadsheets (.xlsx) are not read: save the sheet as CSV (UTF-8) and upload that');
    if (!CSV_TYPES.has(type)) throw new UploadRefused(415, ErrorCode.ImportFileInvalid, `A ${type} body is not read as an import file: send text/csv`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > deps.maxBytes) throw new UploadRefused(413, ErrorCode.PayloadTooLarge, `The file is larger than IMPORT_MAX_BYTES (${deps.maxBytes} bytes)`);
    const name = new URL(req.url ?? '/', 'http://localhost').searchParams.get('name');
    const fileId = await deps.repository.createFile({ fileName: name ? name.slice(0, 255) : null, contentType: type, createdBy: principal.id });
    let bytes = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const write = async () => {
      const chunk = Buffer.concat(pending, pendingBytes);
      if (seq === 0) {
        const invalid = notCsv(chunk);
        if (invalid) throw new UploadRefused(400, ErrorCode.ImportFileInvalid, invalid);
      }
      await deps.repository.appendChunk(fileId, seq++, chunk);
      pending = [];
      pendingBytes = 0;
    };
    try {
      for await (const data of req as AsyncIterable<Buffer>) {
        bytes += data.length;
        if (bytes > deps.maxBytes) throw new UploadRefused(413, ErrorCode.PayloadTooLarge, `The file is larger than IMPORT_MAX_BYTES (${deps.maxBytes} bytes)`);
        pending.push(data);
        pendingBytes += data.length;
        if (pendingBytes >= CHUNK_BYTES) await write();
      }
      if (pendingBytes > 0) await write();
      if (bytes === 0) throw new UploadRefused(400, ErrorCode.ImportFileInvalid, 'The file is empty');
      return await deps.repository.completeFile(fileId, bytes);
    } catch (error) {
      await deps.repository.deleteFile(fileId).catch(() => {});
      throw error;
    }
  };

  const upload = async (req: IncomingMessage, res: ServerResponse, requestId: string, principal: Principal, kind: ImportKind | undefined) => {
    if (kind && !mayImport(principal, kind)) return refuse(res, 403, `Importing ${kind.toLowerCase()} needs the ${KINDS[kind].scope} scope`, ErrorCode.Forbidden, requestId);
    if (!kind && !(Object.keys(KINDS) as ImportKind[]).some((each) => mayImport(principal, each))) {
      return refuse(res, 403, 'Uploading an import file needs customers:write or orders:write', ErrorCode.Forbidden, requestId);
    }
    let file: ImportFileRow;
    try {
      file = await store(req, principal);
    } catch (error) {
      if (!(error instanceof UploadRefused)) throw error;
      // The rest of the body is read and dropped, then the socket cut: the router must not reuse it.
      if (!req.complete) res.setHeader('connection', 'close');
      refuse(res, error.status, error.message, error.code, requestId);
      discardRest(req);
      return;
    }
    if (!kind) return sendJson(res, 201, { file: fileJson(file) });
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const mapping = params.getAll('map').map((entry) => {
      const colon = entry.indexOf(':');
      return colon < 0 ? { field: entry, column: '' } : { field: entry.slice(0, colon), column: entry.slice(colon + 1) };
    });
    const option = (name: string) => params.get(name)?.toUpperCase().replace(/-/g, '_') ?? undefined;
    try {
      const job = await deps.service.start(
        kind,
        file.id,
        { mode: option('mode'), onError: option('onError'), encoding: option('encoding')?.replace('UTF_8', 'UTF8').replace('ISO_8859_1', 'LATIN1'), delimiter: params.get('delimiter') ?? undefined, mapping: mapping.length > 0 ? mapping : undefined },
        principal,
      );
      sendJson(res, 202, { job: jobJson(job) });
    } catch (error) {
      // The upload was for this job only: a file that cannot start one is not kept.
      await deps.repository.deleteFile(file.id).catch(() => {});
      if (!(error instanceof GraphQLError)) throw error;
      const code = String(error.extensions.code);
      const { code: _code, ...extensions } = error.extensions;
      refuse(res, HTTP_STATUS[code] ?? 500, error.message, code as ErrorCode, requestId, extensions);
    }
  };

  const report = async (req: IncomingMessage, res: ServerResponse, requestId: string, principal: Principal) => {
    const id = new URL(req.url ?? '/', 'http://localhost').searchParams.get('job') ?? '';
    const job = await deps.service.job(id, principal);
    if (!job) return refuse(res, 404, `ImportJob ${id.slice(0, 64)} does not exist`, ErrorCode.NotFound, requestId);
    const repository = deps.repository;
    async function* pages() {
      let after: string | null = null;
      for (;;) {
        const rows = await repository.errors(job!.id, 1_000, after);
        const page = rows.slice(0, 1_000);
        if (page.length > 0) yield page;
        if (rows.length <= 1_000) return;
        after = page.at(-1)!.id;
      }
    }
    await sendCsv(res, `import-${job.id}-report.csv`, REPORT_COLUMNS, pages());
  };

  return async (req, res, requestId, principal) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const kind = (Object.keys(KINDS) as ImportKind[]).find((each) => importPath(each) === path);
    const known = kind !== undefined || path === FILES_PATH || path === REPORT_PATH;
    if (!known) {
      discardRest(req);
      return refuse(res, 404, `No route ${path.slice(0, 100)}`, ErrorCode.NotFound, requestId);
    }
    const method = path === REPORT_PATH ? 'GET' : 'POST';
    if (req.method !== method) {
      res.setHeader('allow', method);
      discardRest(req);
      return refuse(res, 405, `Use ${method}`, ErrorCode.BadRequest, requestId);
    }
    if (!principal) {
      discardRest(req);
      return refuse(res, 401, 'Imports need credentials with customers:write or orders:write', ErrorCode.Unauthenticated, requestId);
    }
    if (path === REPORT_PATH) return report(req, res, requestId, principal);
    return upload(req, res, requestId, principal, kind);
  };
}
