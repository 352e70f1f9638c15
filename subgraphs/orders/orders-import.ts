import { ErrorCode } from '../../infra/errors.js';
import type { CustomerDirectory } from './customer-directory.js';
import { readOrderBatch, type ImportedLine, type ImportedOrder, type ImportProblem, type OrderBatch } from './order-import-input.js';
import type { NewImportedOrder, NewOrderLine, OrdersRepository, StoredImport } from './orders-repository.js';
import type { ImportBatchResult, ImportErrorPolicy, ImportMode, ImportRowInput, OrderImportField } from './__generated__/resolvers-types.js';

export interface OrderImportCall {
  fields: readonly OrderImportField[];
  rows: readonly ImportRowInput[];
  mode: ImportMode;
  onError: ImportErrorPolicy;
  idempotencyKey?: string | null;
}

/** What the batch does with one order, once the database has been read. */
type Outcome = { kind: 'place'; order: NewImportedOrder } | { kind: 'unchanged' } | { kind: 'rejected'; problems: ImportProblem[] };

/** Decimals as numbers compare: `0.1`, `0.10` and `0.1000` are one price. */
function decimalKey(text: string): string {
  const [whole = '', fraction = ''] = text.replace(/^\+/, '').split('.');
  const digits = whole.replace(/^(-?)0+(?=\d)/, '$1');
  const places = fraction.replace(/0+$/, '');
  return places ? `${digits}.${places}` : digits;
}

function sameLines(stored: readonly NewOrderLine[], imported: readonly ImportedLine[]): boolean {
  return (
    stored.length === imported.length &&
    stored.every((line, index) => {
      const other = imported[index]!;
      return line.sku === other.sku && line.description === other.description && line.quantity === other.quantity && decimalKey(line.unitPrice) === decimalKey(other.unitPrice);
    })
  );
}

/**
 * importOrders: one batch of an orders file. The rows are read into orders and checked by
 * placeOrder's rules (order-import-input.ts), the batch's customers are found with one request to
 * the customers subgraph, and one transaction reads the stored orders with the batch's keys and
 * places the new ones with a few set-based statements, whatever the number of rows.
 */
export class OrdersImport {
  constructor(
    private readonly repository: OrdersRepository,
    private readonly customers: CustomerDirectory,
  ) {}

  async run(call: OrderImportCall, requestId: string): Promise<ImportBatchResult> {
    const batch = readOrderBatch(call);
    await this.findCustomers(batch, requestId);
    const keys = batch.orders.flatMap((order) => (order.key === undefined ? [] : [order.key]));
    const idempotent = batch.idempotencyKey
      ? { key: batch.idempotencyKey, operation: 'importOrders', args: { fields: call.fields, rows: call.rows, mode: call.mode, onError: call.onError } }
      : undefined;
    return this.repository.importOrders(keys, (stored) => this.decide(batch, stored, call), { requestId, dryRun: call.mode === 'VALIDATE_ONLY', idempotent });
  }

  /**
   * Sets each order's customer id, or rejects the order when the customers subgraph knows no such
   * customer (NOT_FOUND). Throws DEPENDENCY_UNAVAILABLE, before anything is written, when it does
   * not answer.
   */
  private async findCustomers(batch: OrderBatch, requestId: string): Promise<void> {
    const named = batch.orders.filter((order) => order.customer !== undefined);
    const ids = await this.customers.idsBy(batch.customerKey, named.map((order) => order.customer!), requestId);
    for (const order of named) {
      const id = ids.get(order.customer!);
      if (id === undefined) {
        const by = batch.customerKey === 'id' ? 'id' : 'externalId';
        order.problems.push({
          row: batch.rowNumbers[order.customerIndex]!,
          field: batch.customerField,
          code: ErrorCode.NotFound,
          message: `unknown customer: no customer has ${by} ${order.customer}`,
          index: order.customerIndex,
        });
        order.values = undefined;
      } else if (order.values) {
        order.values.customerId = id;
      }
    }
  }

  /**
   * Each order against the stored ones: a stored key is a CONFLICT for INSERT; for UPSERT (and
   * VALIDATE_ONLY, which checks as UPSERT since every order has its key) an order with the same
   * customer, currency and lines is unchanged and one with other contents a CONFLICT. Then the
   * error policy: SKIP places every good order; STOP those before the first rejected one, which
   * alone is reported, and counts nothing after it.
   */
  private decide(batch: OrderBatch, stored: ReadonlyMap<string, StoredImport>, call: OrderImportCall) {
    const result: ImportBatchResult = { inserted: 0, updated: 0, unchanged: 0, rejectedRows: 0, rejected: [] };
    const place: NewImportedOrder[] = [];
    const reported: ImportProblem[] = [];
    for (const order of batch.orders) {
      const outcome = this.outcome(order, stored.get(order.key ?? ''), call.mode, batch);
      const rows = order.indexes.length;
      if (outcome.kind === 'rejected') {
        result.rejectedRows += rows;
        reported.push(...outcome.problems);
        if (call.onError === 'STOP') break;
      } else if (outcome.kind === 'unchanged') {
        result.unchanged += rows;
      } else {
        result.inserted += rows;
        place.push(outcome.order);
      }
    }
    result.rejected = reported
      .sort((a, b) => a.index - b.index)
      .map(({ row, field, code, message }) => ({ row, field, code, message }));
    return { place, result };
  }

  private outcome(order: ImportedOrder, stored: StoredImport | undefined, mode: ImportMode, batch: OrderBatch): Outcome {
    const problems = [...order.problems];
    const first = order.indexes[0]!;
    const conflict = (message: string): ImportProblem => ({ row: batch.rowNumbers[first]!, field: 'orderKey', code: ErrorCode.Conflict, message, index: first });
    if (stored && mode === 'INSERT') {
      problems.push(conflict(`order ${order.key} was imported before (${stored.number})`));
    } else if (stored && order.values) {
      const values = order.values;
      const same = stored.customerId === values.customerId && stored.currency === values.currency && sameLines(stored.lines, values.lines);
      if (!same) problems.push(conflict(`order ${order.key} was imported with other contents; an import does not change an existing order`));
      else if (problems.length === 0) return { kind: 'unchanged' };
    }
    if (problems.length > 0 || !order.values) return { kind: 'rejected', problems };
    const { customerId, currency, lines } = order.values;
    return { kind: 'place', order: { externalId: order.key!, customerId: customerId!, currency, lines } };
  }
}
