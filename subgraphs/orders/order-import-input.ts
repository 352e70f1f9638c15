import { GraphQLError } from 'graphql';
import type { z } from 'zod';
import { badUserInput, ErrorCode, type FieldError } from '../../infra/errors.js';
import { idempotencyKeyRule } from '../../infra/db/idempotency.js';
import { DecimalScalar } from '../../infra/graphql/scalars.js';
import type { CustomerKey } from './customer-directory.js';
import { placeOrderInput } from './order-input.js';
import type { ImportRowInput, OrderImportField } from './__generated__/resolvers-types.js';

/** The most rows one importOrders call takes (the importer sends about 1,000). */
export const MAX_IMPORT_ROWS = 5_000;

/** The longest order key (it is stored as the order's externalId). */
const MAX_ORDER_KEY = 200;

/** Each column as the field it fills in the mutations' inputs: what an error's `field` says. */
const FIELD_NAMES: Record<OrderImportField, string> = {
  ORDER_KEY: 'orderKey',
  CUSTOMER_ID: 'customerId',
  CUSTOMER_EXTERNAL_ID: 'customerExternalId',
  CURRENCY: 'currency',
  SKU: 'sku',
  DESCRIPTION: 'description',
  QUANTITY: 'quantity',
  UNIT_PRICE: 'unitPrice',
};

const REQUIRED: readonly OrderImportField[] = ['ORDER_KEY', 'CURRENCY', 'SKU', 'QUANTITY', 'UNIT_PRICE'];

/** placeOrder's rules, reused as they are: by customer id, or without it when the file names customers by externalId. */
const orderById = placeOrderInput.pick({ customerId: true, currency: true, lines: true });
const orderByExternalId = placeOrderInput.pick({ currency: true, lines: true });
type OrderValues = z.output<typeof orderByExternalId> & { customerId?: string };
export type ImportedLine = OrderValues['lines'][number];

/**
 * A quantity cell that is text but no number fails as a fraction would: with the message the
 * quantity rule gives a number that is not whole ("must be a whole number"), taken from the rule.
 */
const NOT_A_WHOLE_NUMBER = placeOrderInput.shape.lines.element.shape.quantity.safeParse(0.5).error?.issues[0]?.message ?? 'must be a number';

export type ImportErrorCode = ErrorCode.BadUserInput | ErrorCode.Conflict | ErrorCode.NotFound;

/** One problem of an import, as ImportRowError reports it. */
export interface ImportProblem {
  row: number;
  field: string | null;
  code: ImportErrorCode;
  message: string;
  /** The row's place in the call, which orders the report. */
  index: number;
}

/** An order as one batch gives it: its rows and, when they passed every rule, its values. */
export interface ImportedOrder {
  /** The order-key cell (trimmed); undefined for a row without one, which is an order of its own. */
  key: string | undefined;
  /** Places in the call of its rows (those of a key that came back further down included). */
  indexes: number[];
  /** The customer cell as the order's rows give it, to look up; undefined when absent or not well-formed. */
  customer: string | undefined;
  /** The row its customer cell is on. */
  customerIndex: number;
  /** Set when no rule failed (the customer still to be found). */
  values: OrderValues | undefined;
  problems: ImportProblem[];
}

export interface OrderBatch {
  customerKey: CustomerKey;
  /** The error field of the customer column: `customerId` or `customerExternalId`. */
  customerField: string;
  /** In the order of their first rows. */
  orders: ImportedOrder[];
  /** The file row number of each row of the call, by its place. */
  rowNumbers: number[];
  idempotencyKey: string | null;
}

/** Where each column is in a row's values; throws BAD_USER_INPUT naming every wrong argument. */
function columnsOf(fields: readonly OrderImportField[], rowCount: number, idempotencyKey: unknown): { columns: Map<OrderImportField, number>; key: string | null } {
  const errors: FieldError[] = [];
  const columns = new Map<OrderImportField, number>();
  const repeated = new Set<OrderImportField>();
  fields.forEach((field, index) => (columns.has(field) ? repeated.add(field) : columns.set(field, index)));
  for (const field of repeated) errors.push({ field: 'fields', message: `names ${field} more than once` });
  const missing = REQUIRED.filter((field) => !columns.has(field));
  if (missing.length > 0) errors.push({ field: 'fields', message: `must include ${missing.join(', ')}` });
  const byId = columns.has('CUSTOMER_ID');
  const byExternalId = columns.has('CUSTOMER_EXTERNAL_ID');
  if (byId === byExternalId) {
    errors.push({ field: 'fields', message: byId ? 'must include only one of CUSTOMER_ID and CUSTOMER_EXTERNAL_ID' : 'must include CUSTOMER_ID or CUSTOMER_EXTERNAL_ID' });
  }
  if (rowCount > MAX_IMPORT_ROWS) errors.push({ field: 'rows', message: `must have at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')} rows` });
  const key = idempotencyKeyRule.safeParse(idempotencyKey);
  if (!key.success) errors.push({ field: 'idempotencyKey', message: key.error.issues[0]?.message ?? 'is invalid' });
  if (errors.length > 0) throw badUserInput(errors);
  return { columns, key: key.data ?? null };
}

/** Reads the rows of one call: whole-call checks, rows grouped into orders, each order checked by placeOrder's rules. */
export function readOrderBatch(args: { fields: readonly OrderImportField[]; rows: readonly ImportRowInput[]; idempotencyKey?: string | null }): OrderBatch {
  const { columns, key: idempotencyKey } = columnsOf(args.fields, args.rows.length, args.idempotencyKey);
  const customerColumn: OrderImportField = columns.has('CUSTOMER_ID') ? 'CUSTOMER_ID' : 'CUSTOMER_EXTERNAL_ID';
  const reader = new BatchReader(args.rows, columns, args.fields.length, customerColumn);
  return {
    customerKey: customerColumn === 'CUSTOMER_ID' ? 'id' : 'externalId',
    customerField: FIELD_NAMES[customerColumn],
    orders: reader.orders(),
    rowNumbers: args.rows.map((row) => row.row),
    idempotencyKey,
  };
}

/** Turns the cells of one call into orders; one instance per call. */
class BatchReader {
  constructor(
    private readonly rows: readonly ImportRowInput[],
    private readonly columns: ReadonlyMap<OrderImportField, number>,
    private readonly width: number,
    private readonly customerColumn: OrderImportField,
  ) {}

  orders(): ImportedOrder[] {
    const orders = this.group();
    for (const order of orders) this.check(order);
    return orders;
  }

  /** A cell, trimmed; an empty one (or one the row lacks) is absent. */
  private cell(index: number, field: OrderImportField): string | undefined {
    const column = this.columns.get(field);
    const value = column === undefined ? undefined : this.rows[index]!.values[column]?.trim();
    return value ? value : undefined;
  }

  private problem(index: number, field: OrderImportField | null, code: ImportErrorCode, message: string): ImportProblem {
    return { row: this.rows[index]!.row, field: field && FIELD_NAMES[field], code, message, index };
  }

  /**
   * Consecutive rows with the same key are one order. A key that comes back after other rows
   * rejects its order, whose later rows join it so that they are counted with it.
   */
  private group(): ImportedOrder[] {
    const orders: ImportedOrder[] = [];
    const byKey = new Map<string, ImportedOrder>();
    let current: ImportedOrder | undefined;
    this.rows.forEach((_row, index) => {
      const key = this.cell(index, 'ORDER_KEY');
      if (key !== undefined && key === current?.key) {
        current.indexes.push(index);
        return;
      }
      const earlier = key === undefined ? undefined : byKey.get(key);
      if (earlier) {
        const began = this.rows[earlier.indexes[0]!]!.row;
        earlier.problems.push(this.problem(index, 'ORDER_KEY', ErrorCode.Conflict, `the lines of an order must be adjacent; order ${key} began at row ${began}`));
        earlier.indexes.push(index);
        current = earlier;
        return;
      }
      current = { key, indexes: [index], customer: undefined, customerIndex: index, values: undefined, problems: [] };
      orders.push(current);
      if (key !== undefined) byKey.set(key, current);
    });
    return orders;
  }

  /** Every rule for one order; sets `values` when none failed. */
  private check(order: ImportedOrder): void {
    const problems = order.problems;
    const wellFormed = order.indexes.filter((index) => {
      const cells = this.rows[index]!.values.length;
      if (cells !== this.width) problems.push(this.problem(index, null, ErrorCode.BadUserInput, `has ${cells} cells; expected ${this.width}`));
      return cells === this.width;
    });
    const first = order.indexes[0]!;
    if (order.key === undefined) {
      if (wellFormed.includes(first)) problems.push(this.problem(first, 'ORDER_KEY', ErrorCode.BadUserInput, 'is required'));
    } else if (order.key.length > MAX_ORDER_KEY) {
      problems.push(this.problem(first, 'ORDER_KEY', ErrorCode.BadUserInput, `must be at most ${MAX_ORDER_KEY} characters`));
    }
    if (wellFormed.length === 0) return;

    // A customer id is a UUID, whose letters may come in either case; an externalId is compared as it is.
    const customer = this.sameOnEveryLine(order, wellFormed, this.customerColumn, (value) => (this.customerColumn === 'CUSTOMER_ID' ? value.toLowerCase() : value));
    const currency = this.sameOnEveryLine(order, wellFormed, 'CURRENCY', (value) => value.toUpperCase());
    const lines = wellFormed.map((index) => this.line(index, problems));
    const byId = this.customerColumn === 'CUSTOMER_ID';
    const input = { customerId: customer?.value, currency: currency?.value, lines };
    const parsed = byId ? orderById.safeParse(input) : orderByExternalId.safeParse(input);
    const issues = parsed.success ? [] : parsed.error.issues;
    // Where a cell was already refused (absent, not a number), the rule's complaint about it says nothing new.
    const refused = new Set(problems.map((problem) => `${problem.index}:${problem.field}`));
    for (const issue of issues) {
      const problem = this.issueProblem(order, issue, wellFormed, customer?.index, currency?.index);
      if (!refused.has(`${problem.index}:${problem.field}`)) problems.push(problem);
    }
    // A well-formed customer is looked up even when the order has other problems, so that all of them are reported.
    if (customer && !issues.some((issue) => issue.path[0] === 'customerId')) {
      order.customer = customer.value;
      order.customerIndex = customer.index;
    }
    if (parsed.success && problems.length === 0) order.values = parsed.data;
  }

  /**
   * The value every line of the order gives `field` (`normalise`d to compare), with the row it is
   * first on; an absent cell, or one that differs from the first, is a problem of its row.
   */
  private sameOnEveryLine(order: ImportedOrder, indexes: number[], field: OrderImportField, normalise: (value: string) => string): { value: string; index: number } | undefined {
    let first: { value: string; index: number } | undefined;
    for (const index of indexes) {
      const value = this.cell(index, field);
      if (value === undefined) {
        order.problems.push(this.problem(index, field, ErrorCode.BadUserInput, 'is required'));
      } else if (!first) {
        first = { value, index };
      } else if (normalise(value) !== normalise(first.value)) {
        const began = this.rows[first.index]!.row;
        order.problems.push(this.problem(index, field, ErrorCode.BadUserInput, `must be the same on every line of order ${order.key}: row ${began} has ${first.value}, this row ${value}`));
      }
    }
    return first;
  }

  /**
   * One row as placeOrder's OrderLineInput, its cells given the types GraphQL would have given
   * them: an absent required cell, a quantity that is not a number and a unitPrice that the
   * Decimal scalar refuses are problems here (and left undefined for the rules).
   */
  private line(index: number, problems: ImportProblem[]): Record<string, unknown> {
    const required = (field: OrderImportField) => {
      const value = this.cell(index, field);
      if (value === undefined) problems.push(this.problem(index, field, ErrorCode.BadUserInput, 'is required'));
      return value;
    };
    const sku = required('SKU');
    const quantityCell = required('QUANTITY');
    const unitPriceCell = required('UNIT_PRICE');
    let quantity: number | undefined;
    if (quantityCell !== undefined) {
      if (/^[+-]?\d+(\.\d+)?$/.test(quantityCell)) quantity = Number(quantityCell);
      else problems.push(this.problem(index, 'QUANTITY', ErrorCode.BadUserInput, NOT_A_WHOLE_NUMBER));
    }
    let unitPrice: string | undefined;
    if (unitPriceCell !== undefined) {
      try {
        unitPrice = DecimalScalar.parseValue(unitPriceCell) as string;
      } catch (error) {
        problems.push(this.problem(index, 'UNIT_PRICE', ErrorCode.BadUserInput, error instanceof GraphQLError ? error.message : 'must be a decimal number'));
      }
    }
    return { sku, description: this.cell(index, 'DESCRIPTION'), quantity, unitPrice };
  }

  /** A rule's issue at the row and field it is about: `lines.3.quantity` is the quantity of the order's fourth line. */
  private issueProblem(order: ImportedOrder, issue: z.ZodError['issues'][number], lineIndexes: number[], customerIndex?: number, currencyIndex?: number): ImportProblem {
    const [head, line, field] = issue.path;
    const first = order.indexes[0]!;
    if (head === 'lines' && typeof line === 'number') {
      const column = (Object.keys(FIELD_NAMES) as OrderImportField[]).find((name) => FIELD_NAMES[name] === field);
      return this.problem(lineIndexes[line] ?? first, column ?? null, ErrorCode.BadUserInput, issue.message);
    }
    if (head === 'customerId') return this.problem(customerIndex ?? first, this.customerColumn, ErrorCode.BadUserInput, issue.message);
    if (head === 'currency') return this.problem(currencyIndex ?? first, 'CURRENCY', ErrorCode.BadUserInput, issue.message);
    // `lines` as a whole (too many, none): the order is at fault, not one of its cells.
    return this.problem(first, null, ErrorCode.BadUserInput, `order ${order.key} ${issue.message}`);
  }
}
