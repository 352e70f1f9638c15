import { connectionResolvers, countsWithPage, pageRequest, toConnection } from '../../infra/db/pagination.js';
import { DateTimeScalar, DecimalScalar, JSONScalar } from '../../infra/graphql/scalars.js';
import type { Resolvers, SapOrderStatus } from './__generated__/resolvers-types.js';
import { odataPage } from './sap-entities.js';
import { alphaKey } from './sap-service.js';

const SALES_ORDER_STATUS: Record<string, SapOrderStatus> = {
  NOT_RELEVANT: 'OPEN',
  NOT_PROCESSED: 'OPEN',
  PARTIALLY_PROCESSED: 'IN_PROCESS',
  COMPLETELY_PROCESSED: 'COMPLETED',
};

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,
  JSON: JSONScalar,
  BusinessPartnerConnection: connectionResolvers,
  SupplierConnection: connectionResolvers,
  ProductConnection: connectionResolvers,
  SalesOrderConnection: connectionResolvers,
  InboundIdocConnection: connectionResolvers,
  Query: {
    sapSystems: (_parent, _args, { sap }) => sap.systems(),
    businessPartner: (_parent, { system, id }, { sap, loaders }) => loaders.businessPartners.load({ system: sap.systemId(system), key: alphaKey(id) }),
    businessPartners: (_parent, { system, search, category, first, after }, { sap }) => sap.businessPartners(system, { search, category }, odataPage({ first, after })),
    sapCustomer: (_parent, { system, id }, { sap, loaders }) => loaders.customers.load({ system: sap.systemId(system), key: alphaKey(id) }),
    supplier: (_parent, { system, id }, { sap, loaders }) => loaders.suppliers.load({ system: sap.systemId(system), key: alphaKey(id) }),
    suppliers: (_parent, { system, search, first, after }, { sap }) => sap.suppliers(system, { search }, odataPage({ first, after })),
    product: (_parent, { system, id }, { sap, loaders }) => loaders.products.load({ system: sap.systemId(system), key: id }),
    products: (_parent, { system, type, group, first, after }, { sap }) => sap.products(system, { type, group }, odataPage({ first, after })),
    salesOrder: (_parent, { system, id }, { sap, loaders }) => loaders.salesOrders.load({ system: sap.systemId(system), key: id }),
    salesOrders: (_parent, { system, soldToParty, processingStatus, first, after }, { sap }) => sap.salesOrders(system, { soldToParty, processingStatus }, odataPage({ first, after })),
    sapIdocs: (_parent, { orderId }, { loaders }) => loaders.idocsByOrder.load(orderId),
    inboundIdocs: async (_parent, { status, first, after }, { repository }, info) => {
      const page = pageRequest({ first, after });
      const counted = countsWithPage(info, page);
      const { rows, total } = await repository.inboundPage(status ?? null, page, counted);
      return toConnection(rows, page.first, total ?? (() => repository.countInbound(status ?? null)));
    },
  },
  Mutation: {
    updateBusinessPartner: (_parent, { system, id, input, etag }, { sap }) => sap.updateBusinessPartner(system, id, input, etag),
    sendOrderToSap: (_parent, { orderId, system }, { sap, requestId }) => sap.sendOrder(orderId, system, requestId),
    callSapFunction: (_parent, { system, name, importing, tables, commit }, { sap }) => sap.callFunction(system, name, importing, tables, commit ?? false),
  },
  BusinessPartner: {
    customer: (partner, _args, { loaders }) => loaders.customers.load({ system: partner.system, key: partner.id }),
    supplier: (partner, _args, { loaders }) => loaders.suppliers.load({ system: partner.system, key: partner.id }),
  },
  SapCustomer: {
    salesOrders: (customer, { first, after }, { sap }) => sap.salesOrders(customer.system, { soldToParty: customer.id }, odataPage({ first, after })),
  },
  InboundIdoc: {
    receivedAt: (idoc) => idoc.createdAt,
  },
  Customer: {
    __resolveReference: (customer) => customer,
    sapBusinessPartner: (customer, { system }, { sap, loaders }) =>
      customer.externalId ? loaders.businessPartners.load({ system: sap.systemId(system), key: alphaKey(customer.externalId) }) : null,
  },
  Order: {
    __resolveReference: (order) => order,
    sapSalesOrder: (order, { system }, { sap, loaders }) => (order.number ? loaders.salesOrdersByReference.load({ system: sap.systemId(system), key: order.number }) : null),
    sapStatus: async (order, { system }, { sap, loaders }) => {
      const [latest] = await loaders.idocsByOrder.load(order.id);
      const systemId = system ? sap.systemId(system) : (latest?.system ?? sap.systemId(null));
      const sent = latest && latest.system === systemId ? latest : undefined;
      if (!sent) return 'NOT_SENT';
      if (sent.status !== 'POSTED') return sent.status;
      const salesOrder = order.number ? await loaders.salesOrdersByReference.load({ system: systemId, key: order.number }) : null;
      return salesOrder ? (SALES_ORDER_STATUS[salesOrder.processingStatus] ?? 'OPEN') : 'OPEN';
    },
  },
};
