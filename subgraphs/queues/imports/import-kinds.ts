import type { Scope } from '../../../infra/auth/principal.js';

export type ImportKind = 'CUSTOMERS' | 'ORDERS';
export type ImportMode = 'INSERT' | 'UPSERT' | 'VALIDATE_ONLY';
export type ImportErrorPolicy = 'STOP' | 'SKIP';
export type ImportEncoding = 'UTF8' | 'LATIN1';

/** A column of the file, the field it fills and where it is in each record. */
export interface ColumnMapping {
  column: string;
  field: string;
  index: number;
}

/** A job's options as stored: what was asked, and the columns resolved from the file's header. */
export interface JobOptions {
  mode: ImportMode;
  onError: ImportErrorPolicy;
  delimiter: string;
  encoding: ImportEncoding;
  columns: ColumnMapping[];
  ignoredColumns: string[];
  /** How many cells the header has: a record with another number is a reported row. */
  headerCells: number;
  /** Rows per batch (IMPORT_BATCH_ROWS when the job started): kept, so a resumed job cuts the same batches. */
  batchRows: number;
}

/**
 * What the importer knows of a kind: its fields (named as in the owning subgraph's input types),
 * the scope that may import it, the batch mutation that applies rows, and which field keys a row
 * within the file. The rules for the rows (required fields, values) are the owning subgraph's:
 * the importer only maps cells to fields and sends them.
 */
export interface KindSpec {
  kind: ImportKind;
  scope: Scope;
  fields: readonly string[];
  /**
   * The field that keys a row within the file. CUSTOMERS: externalId, unique in a file.
   * ORDERS: orderKey, adjacent rows with the same one are one order (never split between batches).
   */
  key: string;
  /** Adjacent rows with the same key belong together (ORDERS). */
  groupsByKey: boolean;
  /** The batch mutation: `$fields`, `$rows`, `$mode`, `$onError`, `$key`, answering an ImportBatchResult as `result`. */
  document: string;
}

const RESULT = 'inserted updated unchanged rejectedRows rejected { row field code message }';

export const KINDS: Readonly<Record<ImportKind, KindSpec>> = Object.freeze({
  CUSTOMERS: {
    kind: 'CUSTOMERS',
    scope: 'customers:write',
    fields: ['externalId', 'name', 'email', 'phone', 'customerGroup', 'creditLimit', 'tier'],
    key: 'externalId',
    groupsByKey: false,
    document: `mutation ImportCustomersBatch($fields: [CustomerImportField!]!, $rows: [ImportRowInput!]!, $mode: ImportMode!, $onError: ImportErrorPolicy!, $key: String) {
  result: importCustomers(fields: $fields, rows: $rows, mode: $mode, onError: $onError, idempotencyKey: $key) { ${RESULT} }
}`,
  },
  ORDERS: {
    kind: 'ORDERS',
    scope: 'orders:write',
    fields: ['orderKey', 'customerId', 'customerExternalId', 'currency', 'sku', 'description', 'quantity', 'unitPrice'],
    key: 'orderKey',
    groupsByKey: true,
    document: `mutation ImportOrdersBatch($fields: [OrderImportField!]!, $rows: [ImportRowInput!]!, $mode: ImportMode!, $onError: ImportErrorPolicy!, $key: String) {
  result: importOrders(fields: $fields, rows: $rows, mode: $mode, onError: $onError, idempotencyKey: $key) { ${RESULT} }
}`,
  },
});

/** `customerGroup` → `CUSTOMER_GROUP`: the field as the batch mutation's enum names it. */
export function fieldEnum(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();
}

/** How a header and a field name are compared: case, spaces, `_` and `-` do not count. */
export function normalizedName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** The path of a kind's upload route, on the router and on the queues subgraph. */
export function importPath(kind: ImportKind): string {
  return `/imports/${kind.toLowerCase()}`;
}

/** A job's options as clients see them: the columns without their positions in the file. */
export function shownOptions(options: JobOptions) {
  return { ...options, columns: options.columns.map(({ column, field }) => ({ column, field })) };
}
