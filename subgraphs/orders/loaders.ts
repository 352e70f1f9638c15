import DataLoader from 'dataloader';
import { groupBy, groupLoader, rowLoader } from '../../infra/db/loader.js';
import { toConnection, type Connection, type PageRequest } from '../../infra/db/pagination.js';
import type { OrderStatus } from './order-lifecycle.js';
import type { OrderLineRow, OrderRow, OrdersRepository } from './orders-repository.js';

export interface CustomerOrdersKey {
  customerId: string;
  status: OrderStatus | null;
  page: PageRequest;
}

export interface OrderLoaders {
  orderById: DataLoader<string, OrderRow | null>;
  linesByOrderId: DataLoader<string, OrderLineRow[]>;
  /** Customer.orders: one statement for all customers that ask for the same page shape. */
  customerOrders: DataLoader<CustomerOrdersKey, Connection<OrderRow>, string>;
}

const shapeOf = (key: CustomerOrdersKey) =>
  JSON.stringify([key.status, key.page.first, key.page.after?.createdAt.toISOString() ?? null, key.page.after?.id ?? null]);

/** Created per request, so batches never mix requests and nothing is cached across them. */
export function createLoaders(repository: OrdersRepository): OrderLoaders {
  const customerOrderCount = new DataLoader<string, number>(async (keys) => {
    const groups = groupBy(keys.map((key) => JSON.parse(key) as [string, OrderStatus | null]), ([, status]) => String(status));
    const counts = new Map<string, number>();
    for (const members of groups.values()) {
      const status = members[0]![1];
      const found = await repository.countForCustomers(members.map(([id]) => id), status);
      for (const [id] of members) counts.set(JSON.stringify([id, status]), found.get(id) ?? 0);
    }
    return keys.map((key) => counts.get(key) ?? 0);
  });

  return {
    orderById: rowLoader((ids) => repository.findByIds(ids), (row) => row.id),
    linesByOrderId: groupLoader((ids) => repository.linesOf(ids), (row) => row.orderId),
    customerOrders: new DataLoader(
      async (keys) => {
        const results = new Map<CustomerOrdersKey, Connection<OrderRow>>();
        for (const members of groupBy(keys, shapeOf).values()) {
          const { status, page } = members[0]!;
          const { rows, totals } = await repository.pageForCustomers(members.map((key) => key.customerId), status, page);
          const byCustomer = groupBy(rows, (row) => row.customerId);
          for (const key of members) {
            // Counted by the page's statement on a first page; else by one more statement, when selected.
            const total = totals ? (totals.get(key.customerId) ?? 0) : () => customerOrderCount.load(JSON.stringify([key.customerId, status]));
            results.set(key, toConnection(byCustomer.get(key.customerId) ?? [], page.first, total));
          }
        }
        return keys.map((key) => results.get(key)!);
      },
      { cacheKeyFn: (key) => `${key.customerId}:${shapeOf(key)}` },
    ),
  };
}
