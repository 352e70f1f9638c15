import { pageRequest, toConnection } from '../../infra/db/pagination.js';
import { DateTimeScalar, DecimalScalar } from '../../infra/graphql/scalars.js';
import type { Resolvers } from './__generated__/resolvers-types.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,
  Query: {
    customer: (_parent, { id }, { loaders }) => loaders.customerById.load(id),
    customers: async (_parent, { first, after, filter }, { repository }) => {
      const page = pageRequest({ first, after });
      const criteria = filter ?? {};
      const rows = await repository.list(criteria, page);
      return toConnection(rows, page.first, () => repository.count(criteria));
    },
    customerGroups: (_parent, _args, { repository }) => repository.groups(),
  },
  Mutation: {
    createCustomer: (_parent, { input }, { customers }) => customers.create(input),
    updateCustomer: (_parent, { id, input }, { customers }) => customers.update(id, input),
    upsertCustomerByExternalId: (_parent, { externalId, input }, { customers }) => customers.upsertByExternalId(externalId, input),
  },
  Customer: {
    __resolveReference: ({ id }, { loaders }) => loaders.customerById.load(id),
  },
};
