import { connectionResolvers, countsWithPage, pageRequest, toConnection } from '../../infra/db/pagination.js';
import { notFound } from '../../infra/errors.js';
import type { DomainEvent } from '../../infra/events/event.js';
import { DateTimeScalar, DecimalScalar, JSONScalar } from '../../infra/graphql/scalars.js';
import type { Resolvers } from './__generated__/resolvers-types.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,
  JSON: JSONScalar,
  CustomerConnection: connectionResolvers,
  Query: {
    customer: (_parent, { id }, { loaders }) => loaders.customerById.load(id),
    customers: async (_parent, { first, after, filter }, { repository }, info) => {
      const page = pageRequest({ first, after });
      const criteria = filter ?? {};
      const { rows, total } = await repository.list(criteria, page, countsWithPage(info, page));
      return toConnection(rows, page.first, total ?? (() => repository.count(criteria)));
    },
    customerGroups: (_parent, _args, { repository }) => repository.groups(),
  },
  Mutation: {
    createCustomer: (_parent, { input }, { customers, requestId }) => customers.create(input, requestId),
    updateCustomer: (_parent, { id, input }, { customers, requestId }) => customers.update(id, input, requestId),
    upsertCustomerByExternalId: (_parent, { externalId, input, idempotencyKey }, { customers, requestId }) =>
      customers.upsertByExternalId(externalId, input, idempotencyKey, requestId),
    importCustomers: (_parent, args, { customersImport, requestId }) => customersImport.run(args, requestId),
  },
  Subscription: {
    customerEvents: {
      subscribe: (_parent, { customerId, types, after }, { events }) => events.stream({ subjectType: 'Customer', subjectId: customerId, types }, after),
      resolve: (event: DomainEvent) => event,
    },
  },
  CustomerEvent: {
    // A subscription's context lives as long as the subscription: no DataLoader cache here.
    customer: async (event, _args, { repository }) => {
      const [customer] = await repository.findByIds([event.subject.id]);
      if (!customer) throw notFound('Customer', event.subject.id);
      return customer;
    },
  },
  Customer: {
    // A reference carries one of the two keys: `{ id }` or `{ externalId }`.
    __resolveReference: (reference, { loaders }) => {
      if ('id' in reference) return loaders.customerById.load(reference.id);
      return reference.externalId ? loaders.customerByExternalId.load(reference.externalId) : null;
    },
  },
};
