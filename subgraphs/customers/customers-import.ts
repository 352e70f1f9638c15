import { badUserInput, ErrorCode, type FieldError } from '../../infra/errors.js';
import { isPgError, PgErrorCode } from '../../infra/db/database.js';
import { idempotencyKeyRule } from '../../infra/db/idempotency.js';
import { fieldErrors } from '../../infra/validation.js';
import { createCustomerInput, upsertCustomerInput } from './customer-input.js';
import {
  importColumns,
  rethrowConflict,
  type CustomerGroupRow,
  type CustomersRepository,
  type ImportColumn,
  type ImportShape,
  type StoredCustomer,
} from './customers-repository.js';
import { checkGroupAmong, columnsToWrite } from './customers-service.js';

export type CustomerImportField = 'EXTERNAL_ID' | 'NAME' | 'EMAIL' | 'PHONE' | 'CUSTOMER_GROUP' | 'CREDIT_LIMIT' | 'TIER';
export type ImportMode = 'INSERT' | 'UPSERT' | 'VALIDATE_ONLY';
export type ImportErrorPolicy = 'STOP' | 'SKIP';

export interface ImportRowInput {
  row: number;
  values: readonly (string | null | undefined)[];
}

export interface ImportCall {
  fields: readonly CustomerImportField[];
  rows: readonly ImportRowInput[];
  mode: ImportMode;
  onError: ImportErrorPolicy;
  idempotencyKey?: string | null;
}

export interface ImportRowError {
  row: number;
  field: string | null;
  code: ErrorCode.BadUserInput | ErrorCode.Conflict;
  message: string;
}

export interface ImportBatchResult {
  inserted: number;
  updated: number;
  unchanged: number;
  rejectedRows: number;
  rejected: ImportRowError[];
}

/** The most rows one call takes; the CSV import sends about 1,000. */
export const MAX_IMPORT_ROWS = 5_000;

/** The input field each column of the file fills (CreateCustomerInput's). */
const FIELD_COLUMNS: Readonly<Record<CustomerImportField, ImportColumn>> = {
  EXTERNAL_ID: 'externalId',
  NAME: 'name',
  EMAIL: 'email',
  PHONE: 'phone',
  CUSTOMER_GROUP: 'customerGroup',
  CREDIT_LIMIT: 'creditLimit',
  TIER: 'tier',
};

/** The import's own reading of one row, before the database is asked. */
interface CheckedRow {
  row: number;
  /** The columns to write, normalised by the mutations' rules; undefined when a rule failed. */
  values?: Partial<Record<ImportColumn, string>>;
  /** The row's keys, normalised, when their own rules pass (also in a row that fails others): what duplicates and conflicts are found by. */
  externalId?: string;
  email?: string;
  problems: ImportRowError[];
}

/**
 * importCustomers: one batch of a customers file, checked row by row with the mutations' own
 * rules and written with a few set-based statements whatever the number of rows (see the SDL).
 * Reads: the groups once, then the stored customers that have one of the batch's externalIds or
 * emails once; then one transaction with a statement per shape of row.
 */
export class CustomersImport {
  constructor(private readonly repository: CustomersRepository) {}

  async run(call: ImportCall, requestId: string | null): Promise<ImportBatchResult> {
    const idempotencyKey = checkCall(call);
    // VALIDATE_ONLY checks as UPSERT when the rows have a key to upsert by, and as INSERT when not.
    const upsert = call.mode === 'UPSERT' || (call.mode === 'VALIDATE_ONLY' && call.fields.includes('EXTERNAL_ID'));
    const groups = call.rows.length > 0 ? await this.repository.groups() : [];
    const checked = call.rows.map((input) => checkRow(input, call.fields, upsert, groups));
    findRepeats(checked);
    const write = {
      upsert,
      dryRun: call.mode === 'VALIDATE_ONLY',
      requestId,
      idempotent: idempotencyKey ? { key: idempotencyKey, operation: 'importCustomers', args: { fields: call.fields, rows: call.rows, mode: call.mode, onError: call.onError } } : undefined,
    };
    // A concurrent writer may take an email or externalId between the read and the write: the
    // statement fails on the unique index, and the call runs again with a fresh read, once.
    for (let attempt = 1; ; attempt++) {
      const rows = checked.map((row) => ({ ...row, problems: [...row.problems] }));
      const stored = await this.findConflicts(rows, upsert);
      const { written, reported } = applyPolicy(rows, call.onError);
      const changed = upsert ? written.filter((row) => !equalToStored(row, stored)) : written;
      try {
        return await this.repository.importBatch(shapesOf(changed), write, (counts) => ({
          ...counts,
          unchanged: counts.unchanged + written.length - changed.length,
          rejectedRows: reported.length,
          rejected: reported.flatMap((row) => row.problems),
        }));
      } catch (error) {
        if (!isPgError(error, PgErrorCode.UniqueViolation)) throw error;
        if (attempt === 2) rethrowConflict(error);
      }
    }
  }

  /**
   * INSERT: a stored customer with the row's externalId or email. UPSERT: another customer than
   * the one with the row's externalId has its email. Answers the stored customers found, by externalId.
   */
  private async findConflicts(rows: CheckedRow[], upsert: boolean): Promise<Map<string, StoredCustomer>> {
    const byExternalId = new Map<string, StoredCustomer>();
    const externalIds = [...new Set(rows.flatMap((row) => (row.externalId ? [row.externalId] : [])))];
    const emails = [...new Set(rows.flatMap((row) => (row.email ? [row.email] : [])))];
    if (externalIds.length === 0 && emails.length === 0) return byExternalId;
    const stored = await this.repository.findImportMatches(externalIds, emails);
    const byEmail = new Map<string, StoredCustomer>();
    for (const customer of stored) {
      if (customer.externalId !== null) byExternalId.set(customer.externalId, customer);
      byEmail.set(customer.email, customer);
    }
    for (const row of rows) {
      if (upsert) {
        const owner = row.email === undefined ? undefined : byEmail.get(row.email);
        if (owner && row.externalId !== undefined && owner.externalId !== row.externalId) {
          report(row, 'email', ErrorCode.Conflict, 'is already taken by another customer');
        }
      } else {
        if (row.externalId !== undefined && byExternalId.has(row.externalId)) report(row, 'externalId', ErrorCode.Conflict, 'is already taken by a stored customer');
        if (row.email !== undefined && byEmail.has(row.email)) report(row, 'email', ErrorCode.Conflict, 'is already taken by a stored customer');
      }
    }
    return byExternalId;
  }
}

/** The whole call's rules; a breach is one BAD_USER_INPUT naming each bad argument. Answers the normalised idempotency key. */
function checkCall(call: ImportCall): string | null | undefined {
  const errors: FieldError[] = [];
  const repeated = [...new Set(call.fields.filter((field, i) => call.fields.indexOf(field) !== i))];
  if (repeated.length > 0) errors.push({ field: 'fields', message: `names ${repeated.join(', ')} more than once` });
  const required: CustomerImportField[] = call.mode === 'UPSERT' ? ['EXTERNAL_ID', 'NAME', 'EMAIL'] : ['NAME', 'EMAIL'];
  const missing = required.filter((field) => !call.fields.includes(field));
  if (missing.length > 0) errors.push({ field: 'fields', message: `must include ${missing.join(', ')}${call.mode === 'UPSERT' && missing.includes('EXTERNAL_ID') ? ' (UPSERT finds customers by it)' : ''}` });
  if (call.rows.length > MAX_IMPORT_ROWS) errors.push({ field: 'rows', message: `has ${call.rows.length} rows; at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')} per call` });
  const key = idempotencyKeyRule.safeParse(call.idempotencyKey);
  if (!key.success) errors.push(...fieldErrors(key.error, 'idempotencyKey'));
  if (errors.length > 0) throw badUserInput(errors);
  return key.data;
}

/**
 * One row by the rules of the mutation it stands for (createCustomer, or upsertCustomerByExternalId
 * with its externalId): every bad field is reported once, the customerGroup against the stored groups.
 */
function checkRow(input: ImportRowInput, fields: readonly CustomerImportField[], upsert: boolean, groups: readonly CustomerGroupRow[]): CheckedRow {
  const checked: CheckedRow = { row: input.row, problems: [] };
  if (input.values.length !== fields.length) {
    checked.problems.push({ row: input.row, field: null, code: ErrorCode.BadUserInput, message: `has ${input.values.length} cells; expected ${fields.length}` });
    return checked;
  }
  const raw: Partial<Record<ImportColumn, string>> = {};
  fields.forEach((field, i) => {
    const cell = input.values[i];
    // An empty cell (spaces only, as a CSV cell padded for alignment) is absent: left alone on update, defaulted on insert.
    if (cell != null && cell.trim() !== '') raw[FIELD_COLUMNS[field]] = cell;
  });
  const schema = upsert ? upsertCustomerInput : createCustomerInput;
  const parsed = schema.safeParse(raw);
  const errors = parsed.success ? [] : fieldErrors(parsed.error);
  errors.push(...checkGroupAmong(parsed.success ? parsed.data.customerGroup : raw.customerGroup, groups));
  for (const { field, message } of errors) report(checked, field, ErrorCode.BadUserInput, message);
  if (parsed.success) {
    checked.values = columnsToWrite(parsed.data) as Partial<Record<ImportColumn, string>>;
    checked.externalId = parsed.data.externalId ?? undefined;
    checked.email = parsed.data.email;
  } else {
    // The keys on their own, so that a row bad elsewhere still takes part in finding repeats and conflicts.
    const externalId = schema.shape.externalId.safeParse(raw.externalId);
    const email = schema.shape.email.safeParse(raw.email);
    checked.externalId = (externalId.success && externalId.data) || undefined;
    checked.email = email.success ? email.data : undefined;
  }
  if (checked.problems.length > 0) checked.values = undefined;
  return checked;
}

/** A row repeating an earlier row's externalId or email (as normalised) is a CONFLICT naming that row. */
function findRepeats(rows: CheckedRow[]): void {
  const byExternalId = new Map<string, number>();
  const byEmail = new Map<string, number>();
  for (const row of rows) {
    for (const [field, key, seen] of [['externalId', row.externalId, byExternalId], ['email', row.email, byEmail]] as const) {
      if (key === undefined) continue;
      const earlier = seen.get(key);
      if (earlier === undefined) seen.set(key, row.row);
      else report(row, field, ErrorCode.Conflict, `repeats the ${field} of row ${earlier}`);
    }
  }
}

/** A field's first problem is its only one: a repeated or conflicting value that is also malformed is reported as malformed. */
function report(row: CheckedRow, field: string, code: ImportRowError['code'], message: string): void {
  if (row.problems.some((problem) => problem.field === field)) return;
  row.problems.push({ row: row.row, field, code, message });
  row.values = undefined;
}

/** SKIP writes every good row and reports every bad one; STOP writes the rows before the first bad one and reports that one. */
function applyPolicy(rows: CheckedRow[], onError: ImportErrorPolicy): { written: CheckedRow[]; reported: CheckedRow[] } {
  switch (onError) {
    case 'SKIP':
      return { written: rows.filter((row) => row.problems.length === 0), reported: rows.filter((row) => row.problems.length > 0) };
    case 'STOP': {
      const first = rows.findIndex((row) => row.problems.length > 0);
      return first === -1 ? { written: rows, reported: [] } : { written: rows.slice(0, first), reported: [rows[first]!] };
    }
  }
}

/**
 * UPSERT: a row whose every column equals the stored customer's with its externalId (credit
 * limits as numbers, so 100.5 equals 100.50) changes nothing. Such rows are counted as unchanged
 * without being sent: the upsert would find the same, but only after locking each row, which
 * writes to the table and its log. Anything else is sent, and the upsert's own comparison decides.
 */
function equalToStored(row: CheckedRow, storedByExternalId: ReadonlyMap<string, StoredCustomer>): boolean {
  const stored = row.externalId === undefined ? undefined : storedByExternalId.get(row.externalId);
  if (!stored || !row.values) return false;
  for (const [column, value] of Object.entries(row.values) as [ImportColumn, string][]) {
    const current = stored[column];
    if (column === 'creditLimit' ? Number(current) !== Number(value) : current !== value) return false;
  }
  return true;
}

/** The rows grouped by the columns they have, each group written by one statement. */
function shapesOf(rows: readonly CheckedRow[]): ImportShape[] {
  const shapes = new Map<string, ImportShape>();
  for (const { values } of rows) {
    if (!values) continue;
    const columns = importColumns((column) => values[column] !== undefined);
    const name = columns.join(',');
    let shape = shapes.get(name);
    if (!shape) shapes.set(name, (shape = { columns, rows: [] }));
    shape.rows.push(values);
  }
  return [...shapes.values()];
}
