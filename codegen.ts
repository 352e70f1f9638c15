import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed resolvers for every subgraph: `npm run codegen` writes
 * subgraphs/<name>/__generated__/resolvers-types.ts from schema/<name>.graphql.
 * GraphQL types that resolvers return as database rows are mapped to the repository's row types.
 */
const resolverPlugins = ['typescript', 'typescript-resolvers'];

const shared = {
  federation: true,
  useIndexSignature: true,
  useTypeImports: true,
  enumsAsTypes: true,
  avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
  scalars: { DateTime: 'Date | string', Decimal: 'string', ID: 'string', JSON: 'unknown' },
};

const config: CodegenConfig = {
  overwrite: true,
  hooks: {},
  generates: {
    'subgraphs/customers/__generated__/resolvers-types.ts': {
      schema: 'schema/customers.graphql',
      plugins: resolverPlugins,
      config: {
        ...shared,
        contextType: '../context.js#CustomersContext',
        mappers: {
          Customer: '../customers-repository.js#CustomerRow',
          CustomerGroup: '../customers-repository.js#CustomerGroupRow',
          CustomerConnection: '../../../infra/db/pagination.js#Connection<CustomerRow>',
          CustomerEvent: '../../../infra/events/event.js#DomainEvent',
        },
      },
    },
    'subgraphs/orders/__generated__/resolvers-types.ts': {
      schema: 'schema/orders.graphql',
      plugins: resolverPlugins,
      config: {
        ...shared,
        contextType: '../context.js#OrdersContext',
        mappers: {
          Order: '../orders-repository.js#OrderRow',
          OrderLine: '../orders-repository.js#OrderLineRow',
          Customer: '../orders-repository.js#CustomerRef',
          OrderConnection: '../../../infra/db/pagination.js#Connection<OrderRow>',
          OrderEvent: '../../../infra/events/event.js#DomainEvent',
        },
      },
    },
    'subgraphs/access/__generated__/resolvers-types.ts': {
      schema: 'schema/access.graphql',
      plugins: resolverPlugins,
      config: {
        ...shared,
        contextType: '../context.js#AccessContext',
        mappers: {
          ApiKey: '../access-repository.js#ApiKeyRow',
          NewApiKey: '../access-service.js#IssuedApiKey',
          ApiKeyConnection: '../../../infra/db/pagination.js#Connection<ApiKeyRow>',
          AuditRecord: '../access-repository.js#AuditRecordRow',
          AuditRecordConnection: '../../../infra/db/pagination.js#Connection<AuditRecordRow>',
        },
      },
    },
  },
};

export default config;
