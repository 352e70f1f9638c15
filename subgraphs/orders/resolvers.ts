import { pageRequest, toConnection } from '../../infra/db/pagination.js';
import { DateTimeScalar, DecimalScalar } from '../../infra/graphql/scalars.js';
import type { Resolvers } from './__generated__/resolvers-types.js';

const asDate = (value: Date | string | null | undefined) => (value == null ? null : new Date(value));

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,
  Query: {
    order: (_parent, { id }, { loaders }) => loaders.orderById.load(id),
    orders: async (_parent, { first, after, filter }, { repository }) => {
      const page = pageRequest({ first, after });
      const criteria = {
        status: filter?.status,
        customerId: filter?.customerId,
        createdAfter: asDate(filter?.createdAfter),
        createdBefore: asDate(filter?.createdBefore),
      };
      const rows = await repository.list(criteria, page);
      return toConnection(rows, page.first, () => repository.count(criteria));
    },
  },
  Mutation: {
    placeOrder: (_parent, { input, idempotencyKey }, { orders, requestId }) => orders.place(input, idempotencyKey, requestId),
    updateOrderStatus: (_parent, { id, status }, { orders }) => orders.changeStatus(id, status),
    cancelOrder: (_parent, { id, reason }, { orders }) => orders.cancel(id, reason),
  },
  Order: {
    __resolveReference: ({ id }, { loaders }) => loaders.orderById.load(id),
    customer: (order) => ({ id: order.customerId }),
    lines: (order, _args, { loaders }) => loaders.linesByOrderId.load(order.id),
  },
  Customer: {
    __resolveReference: ({ id }) => ({ id }),
    orders: (customer, { first, after, status }, { loaders }) =>
      loaders.customerOrders.load({ customerId: customer.id, status: status ?? null, page: pageRequest({ first, after }) }),
  },
};
