import { GraphQLError } from 'graphql';
import { z } from 'zod';
import type { Principal } from '../../../infra/auth/principal.js';
import { badUserInput, dependencyUnavailable, ErrorCode, notFound } from '../../../infra/errors.js';
import { RouterUnreachable, type RouterClient } from '../../../infra/graphql/router-client.js';
import { parseInput } from '../../../infra/validation.js';
import { csvRecords, FileInvalid } from './csv-records.js';
import { fieldEnum, KINDS, normalizedName, type ColumnMapping, type ImportKind, type JobOptions } from './import-kinds.js';
import type { ImportFileRow, ImportJobRow, ImportsRepository } from './imports-repository.js';

export function importFileInvalid(message: string, row: number | null = null): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.ImportFileInvalid, ...(row !== null ? { row } : {}) } });
}

export function importColumnsInvalid(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.ImportColumnsInvalid, ...(field ? { field } : {}) } });
}

function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Forbidden, http: { status: 403 } } });
}

/** startImport's options (and POST /imports/<kind>'s query parameters), with their defaults. */
export const importOptionsInput = z.object({
  mode: z.enum(['INSERT', 'UPSERT', 'VALIDATE_ONLY'], { error: 'must be INSERT, UPSERT or VALIDATE_ONLY' }).default('UPSERT'),
  onError: z.enum(['STOP', 'SKIP'], { error: 'must be STOP or SKIP' }).default('SKIP'),
  delimiter: z
    .string()
    .default(',')
    .transform((value) => (value === '\\t' || value.toLowerCase() === 'tab' ? '\t' : value))
    .refine((value) => value.length === 1 && !['"', '\r', '\n'].includes(value), 'must be one character (not a quote or a line break); \\t or tab for tab-separated files'),
  encoding: z.enum(['UTF8', 'LATIN1'], { error: 'must be UTF8 or LATIN1' }).default('UTF8'),
  mapping: z
    .array(z.object({ column: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'), field: z.string() }))
    .max(100, 'must have at most 100 entries')
    .nullish(),
});


/** Who may see and run jobs of a kind: the kind's write scope (admins have every scope). */
export function mayImport(principal: Principal | undefined, kind: ImportKind): boolean {
  return principal?.scopes.includes(KINDS[kind].scope) ?? false;
}

/** The header's columns matched to the kind's fields: by the mapping, else by name. */
function resolveColumns(kind: ImportKind, header: string[], mapping: { column: string; field: string }[]): { columns: ColumnMapping[]; ignored: string[] } {
  const spec = KINDS[kind];
  const byNormalName = new Map(spec.fields.map((field) => [normalizedName(field), field]));
  mapping.forEach((entry, index) => {
    if (!spec.fields.includes(entry.field)) throw badUserInput([{ field: `options.mapping.${index}.field`, message: `must be one of ${spec.fields.join(', ')}` }]);
    if (!header.some((column) => column.trim() === entry.column)) throw importColumnsInvalid(`The mapping names the column "${entry.column}", which the file's header does not have (it has: ${header.join(', ')})`, entry.field);
  });
  const columns: ColumnMapping[] = [];
  const ignored: string[] = [];
  header.forEach((raw, index) => {
    const column = raw.trim();
    const field = mapping.find((entry) => entry.column === column)?.field ?? (mapping.some((entry) => normalizedName(entry.field) === normalizedName(column)) ? undefined : byNormalName.get(normalizedName(column)));
    if (!field) {
      ignored.push(column);
      return;
    }
    const twice = columns.find((known) => known.field === field);
    if (twice) throw importColumnsInvalid(`The columns "${twice.column}" and "${column}" both fill ${field}`, field);
    columns.push({ column, field, index });
  });
  return { columns, ignored };
}

/**
 * Starting, reading and cancelling import jobs; ImportRunner runs them. Starting reads the
 * file's header and asks the owning subgraph, through the router, to check the columns with an
 * empty batch: the rules for which fields a file must have are the subgraph's, not a copy here.
 */
export class ImportsService {
  constructor(
    private readonly repository: ImportsRepository,
    private readonly router: RouterClient | string,
    private readonly batchRows: number,
    private readonly started: () => void,
  ) {}

  async file(id: string, principal: Principal | undefined): Promise<ImportFileRow> {
    const file = (await this.repository.findFiles([id]))[0];
    // Another caller's file is as unknown as a missing one, except to admins.
    if (!file || !file.complete || (file.createdBy !== principal?.id && !principal?.scopes.includes('admin'))) throw notFound('ImportFile', id);
    return file;
  }

  async start(kind: ImportKind, fileId: string, input: unknown, principal: Principal | undefined): Promise<ImportJobRow> {
    if (!mayImport(principal, kind)) throw forbidden(`Importing ${kind.toLowerCase()} needs the ${KINDS[kind].scope} scope`);
    const options = await parseInput(importOptionsInput, input ?? {}, undefined, 'options.');
    const file = await this.file(fileId, principal);
    const header = await this.header(file.id, options);
    const { columns, ignored } = resolveColumns(kind, header, options.mapping ?? []);
    await this.checkColumns(kind, columns, options.mode);
    const jobOptions: JobOptions = {
      mode: options.mode,
      onError: options.onError,
      delimiter: options.delimiter,
      encoding: options.encoding,
      columns,
      ignoredColumns: ignored,
      headerCells: header.length,
      batchRows: this.batchRows,
    };
    const job = await this.repository.createJob({ kind, options: jobOptions, fileId: file.id, createdBy: principal!.id });
    this.started();
    return job;
  }

  /** The file's first record. */
  private async header(fileId: string, options: { delimiter: string; encoding: 'UTF8' | 'LATIN1' }): Promise<string[]> {
    const repository = this.repository;
    async function* chunks() {
      for (let seq = 0; ; seq++) {
        const chunk = await repository.chunk(fileId, seq);
        if (!chunk) return;
        yield chunk;
      }
    }
    try {
      for await (const [record] of csvRecords(chunks(), options)) {
        const header = record!.cells.map((cell) => cell.trim());
        if (header.every((cell) => cell === '')) break;
        return header;
      }
    } catch (error) {
      if (error instanceof FileInvalid) throw importFileInvalid(error.message, error.row);
      throw error;
    }
    throw importFileInvalid('The file has no header row: its first line must name the columns', 1);
  }

  /** An empty batch through the router: the subgraph answers what is wrong with the fields, if anything. */
  private async checkColumns(kind: ImportKind, columns: ColumnMapping[], mode: string): Promise<void> {
    if (typeof this.router === 'string') throw dependencyUnavailable('router', new Error(this.router));
    const spec = KINDS[kind];
    let answer;
    try {
      answer = await this.router.execute(spec.document, { fields: columns.map((column) => fieldEnum(column.field)), rows: [], mode, onError: 'SKIP', key: null }, 'import:columns');
    } catch (error) {
      if (error instanceof RouterUnreachable) throw dependencyUnavailable('router', error);
      throw error;
    }
    const error = answer.errors?.[0];
    if (!error) return;
    if (error.code === ErrorCode.BadUserInput) {
      const found = columns.map((column) => `${column.column} → ${column.field}`).join(', ') || 'none';
      throw importColumnsInvalid(`The file's columns do not fit a ${kind.toLowerCase()} import (${error.message}). Columns read: ${found}`);
    }
    throw dependencyUnavailable(kind.toLowerCase(), new Error(`${error.code}: ${error.message}`));
  }

  async job(id: string, principal: Principal | undefined): Promise<ImportJobRow | null> {
    const job = await this.repository.findJob(id);
    return job && mayImport(principal, job.kind) ? job : null;
  }

  async jobs(principal: Principal | undefined, first: number): Promise<ImportJobRow[]> {
    if (!Number.isInteger(first) || first < 0 || first > 100) throw badUserInput([{ field: 'first', message: 'must be between 0 and 100' }]);
    const kinds = (Object.keys(KINDS) as ImportKind[]).filter((kind) => mayImport(principal, kind));
    return this.repository.listJobs(kinds, first);
  }

  async cancel(id: string, principal: Principal | undefined): Promise<ImportJobRow> {
    const job = await this.job(id, principal);
    if (!job) throw notFound('ImportJob', id);
    return (await this.repository.cancel(job.id)) ?? job;
  }
}
