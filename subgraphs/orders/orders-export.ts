import { csvExportRoute, type CsvColumn } from '../../infra/http/csv-export.js';
import type { SubgraphRoute } from '../../infra/graphql/subgraph-server.js';
import { orderFilterParameters } from './order-input.js';
import type { OrderLineRow, OrderRow, OrdersRepository, OrderWithLines } from './orders-repository.js';

/** Where the router forwards GET /exports/orders.csv (the same path on both). */
export const ORDERS_EXPORT_PATH = '/exports/orders.csv';

/** A CSV row: an order line with its order's columns (line undefined for an order without lines). */
interface OrderLineCsvRow {
  order: OrderRow;
  line: OrderLineRow | undefined;
}

/**
 * One row per order line, the order's columns repeated on each, so that a spreadsheet filters and
 * sums lines without unpacking anything; an order's rows are adjacent, its lines in order.
 */
const COLUMNS: readonly CsvColumn<OrderLineCsvRow>[] = [
  { name: 'number', value: ({ order }) => order.number },
  { name: 'id', value: ({ order }) => order.id },
  { name: 'externalId', value: ({ order }) => order.externalId, userText: true },
  { name: 'customerId', value: ({ order }) => order.customerId },
  { name: 'status', value: ({ order }) => order.status },
  { name: 'currency', value: ({ order }) => order.currency },
  { name: 'total', value: ({ order }) => order.total },
  { name: 'cancelReason', value: ({ order }) => order.cancelReason, userText: true },
  { name: 'createdAt', value: ({ order }) => order.createdAt.toISOString() },
  { name: 'updatedAt', value: ({ order }) => order.updatedAt.toISOString() },
  { name: 'lineNo', value: ({ line }) => (line ? String(line.lineNo) : null) },
  { name: 'sku', value: ({ line }) => line?.sku ?? null, userText: true },
  { name: 'description', value: ({ line }) => line?.description ?? null, userText: true },
  { name: 'quantity', value: ({ line }) => (line ? String(line.quantity) : null) },
  { name: 'unitPrice', value: ({ line }) => line?.unitPrice ?? null },
  { name: 'lineTotal', value: ({ line }) => line?.lineTotal ?? null },
];

async function* lineRows(pages: AsyncIterable<OrderWithLines[]>): AsyncGenerator<OrderLineCsvRow[]> {
  for await (const orders of pages) {
    yield orders.flatMap(({ order, lines }): OrderLineCsvRow[] => (lines.length > 0 ? lines.map((line) => ({ order, line })) : [{ order, line: undefined }]));
  }
}

/** GET /exports/orders.csv: the orders `orders(filter:)` lists, every page of them, one row per line (orders:read). */
export function ordersExport(repository: OrdersRepository): SubgraphRoute {
  return csvExportRoute({
    filename: 'orders.csv',
    scope: 'orders:read',
    filter: orderFilterParameters,
    columns: COLUMNS,
    pages: (filter) => lineRows(repository.exportPages(filter)),
  });
}
