import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { ErrorCode, httpErrorBody, type FieldError } from '../errors.js';
import type { SubgraphRoute } from '../graphql/subgraph-server.js';
import { fieldErrors } from '../validation.js';
import { sendJson } from './http-server.js';

/**
 * CSV exports, streamed: a subgraph route (`GET /exports/<name>.csv`, reached through the router)
 * that validates its query parameters as filters, then writes its rows page after page, waiting
 * for the socket to drain, so that memory holds one page whatever the row count.
 *
 * The format: RFC 4180 (comma-separated, CRLF line ends, a header row, a cell quoted when it holds
 * a quote, comma or line break, with its quotes doubled), UTF-8 without a byte-order mark. null
 * is an empty cell. Values the hub formats itself (ids, enums, decimals as exact strings, dates as
 * ISO 8601 UTC) are written as they are; text people typed (`userText` columns) that starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that a spreadsheet opening
 * the file shows it rather than evaluating it as a formula (OWASP's advice on CSV injection).
 */

/** One column of an export: its header and how a row gives its cell. */
export interface CsvColumn<Row> {
  name: string;
  value(row: Row): string | null;
  /** Text people typed (a name, a phone, a description): guarded against formula injection. */
  userText?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A cell as RFC 4180 writes it; `userText` is neutralised when a spreadsheet would read it as a formula. */
export function csvCell(value: string | null, userText = false): string {
  if (value === null || value === '') return '';
  const text = userText && FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine<Row>(columns: readonly CsvColumn<Row>[], row: Row): string {
  return columns.map((column) => csvCell(column.value(row), column.userText)).join(',') + '\r\n';
}

/** Resolves once `res` can take more, or once the client has gone (then `res.destroyed`). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes the header row and then each page as it comes, one write per page, waiting for 'drain'
 * when the socket's buffer is full. A client that goes away stops the pages (their iterator is
 * returned, so no further statement runs). A page that fails after the first byte destroys the
 * response: the client sees a cut-off transfer, never a short file that looks whole.
 */
export async function sendCsv<Row>(res: ServerResponse, filename: string, columns: readonly CsvColumn<Row>[], pages: AsyncIterable<readonly Row[]>): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
    'cache-control': 'no-store',
  });
  if (!res.write(columns.map((column) => csvCell(column.name)).join(',') + '\r\n')) await drained(res);
  for await (const page of pages) {
    if (res.destroyed) break;
    let chunk = '';
    for (const row of page) chunk += csvLine(columns, row);
    if (!res.write(chunk)) await drained(res);
    if (res.destroyed) break;
  }
  if (!res.destroyed) res.end();
}

/** The query parameters as an object, with a field error for a parameter that is not a filter or is repeated. */
function parametersOf(url: string | undefined, names: readonly string[]): { input: Record<string, string>; errors: FieldError[] } {
  const params = new URL(url ?? '/', 'http://localhost').searchParams;
  const input: Record<string, string> = {};
  const errors: FieldError[] = [];
  for (const [name, value] of params) {
    if (!names.includes(name)) errors.push({ field: name, message: `is not a filter of this export (filters: ${names.join(', ')})` });
    else if (name in input) errors.push({ field: name, message: 'must be given once' });
    else input[name] = value;
  }
  return { input, errors };
}

export interface CsvExportRoute<Schema extends z.ZodObject, Row> {
  /** `customers.csv`: the attachment's file name. */
  filename: string;
  /** The scope that reads it, as the GraphQL list's (`customers:read`). */
  scope: string;
  /** The filters, one query parameter each, with the rules of the GraphQL list's filter input. */
  filter: Schema;
  columns: readonly CsvColumn<Row>[];
  /** The matching rows in keyset pages, newest first (a repository's export method). */
  pages(filter: z.output<Schema>): AsyncIterable<readonly Row[]>;
}

function refuse(res: ServerResponse, status: number, message: string, code: ErrorCode, requestId: string): void {
  sendJson(res, status, httpErrorBody(message, code, requestId));
}

/**
 * The route a subgraph registers for an export (`route('/exports/customers.csv', ...)` in its
 * setup). The router authenticated the caller and checked the scope; the route checks the scope
 * again from the internal header's principal (401 without one, 403 without the scope), answers a
 * bad filter 400 BAD_USER_INPUT with `extensions.fields` naming each parameter, and streams the CSV.
 */
export function csvExportRoute<Schema extends z.ZodObject, Row>(options: CsvExportRoute<Schema, Row>): SubgraphRoute {
  const names = Object.keys(options.filter.shape);
  return async (req: IncomingMessage, res: ServerResponse, requestId: string, principal: Principal | undefined) => {
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      return refuse(res, 405, 'Exports are read with GET', ErrorCode.BadRequest, requestId);
    }
    if (!principal) return refuse(res, 401, `Reading ${options.filename} needs credentials with the ${options.scope} scope`, ErrorCode.Unauthenticated, requestId);
    if (!principal.scopes.includes(options.scope)) return refuse(res, 403, `Reading ${options.filename} needs the ${options.scope} scope`, ErrorCode.Forbidden, requestId);
    const { input, errors } = parametersOf(req.url, names);
    const parsed = options.filter.safeParse(input);
    const fields = [...errors, ...(parsed.success ? [] : fieldErrors(parsed.error))];
    if (fields.length > 0 || !parsed.success) {
      const message = `Invalid filter: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`;
      return sendJson(res, 400, { errors: [{ message, extensions: { code: ErrorCode.BadUserInput, fields, requestId } }] });
    }
    await sendCsv(res, options.filename, options.columns, options.pages(parsed.data));
  };
}
