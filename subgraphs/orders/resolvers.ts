import { connectionResolvers, countsWithPage, pageRequest, toConnection } from '../../infra/db/pagination.js';
import { notFound } from '../../infra/errors.js';
import type { DomainEvent } from '../../infra/events/event.js';
import { DateTimeScalar, DecimalScalar, JSONScalar } from '../../infra/graphql/scalars.js';
import type { OrderStatus } from './order-lifecycle.js';
import type { Resolvers } from './__generated__/resolvers-types.js';

const asDate = (value: Date | string | null | undefined) => (value == null ? null : new Date(value));

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,
  JSON: JSONScalar,
  OrderConnection: connectionResolvers,
  Query: {
    order: (_parent, { id }, { loaders }) => loaders.orderById.load(id),
    orders: async (_parent, { first, after, filter }, { repository }, info) => {
      const page = pageRequest({ first, after });
      const criteria = {
        status: filter?.status,
        customerId: filter?.customerId,
        createdAfter: asDate(filter?.createdAfter),
        createdBefore: asDate(filter?.createdBefore),
      };
      const { rows, total } = await repository.list(criteria, page, countsWithPage(info, page));
      return toConnection(rows, page.first, total ?? (() => repository.count(criteria)));
    },
  },
  Mutation: {
    placeOrder: (_parent, { input, idempotencyKey }, { orders, requestId }) => orders.place(input, idempotencyKey, requestId),
    updateOrderStatus: (_parent, { id, status, idempotencyKey }, { orders, requestId }) => orders.changeStatus(id, status, idempotencyKey, requestId),
    cancelOrder: (_parent, { id, reason }, { orders, requestId }) => orders.cancel(id, reason, requestId),
    importOrders: (_parent, call, { ordersImport, requestId }) => ordersImport.run(call, requestId),
  },
  Subscription: {
    orderEvents: {
      subscribe: (_parent, { orderId, customerId, types, after }, { events }) =>
        events.stream({ subjectType: 'Order', subjectId: orderId, customerId, types }, after),
      resolve: (event: DomainEvent) => event,
    },
  },
  OrderEvent: {
    // A subscription's context lives as long as the subscription: no DataLoader cache here.
    order: async (event, _args, { repository }) => {
      const [order] = await repository.findByIds([event.subject.id]);
      if (!order) throw notFound('Order', event.subject.id);
      return order;
    },
    previousStatus: (event) => (event.data.previousStatus as OrderStatus | undefined) ?? null,
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
