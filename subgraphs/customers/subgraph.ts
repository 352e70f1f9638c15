import { domainSubgraphEnv, loadConfig, type ConfigOf } from '../../infra/config.js';
import { idempotencyEnv } from '../../infra/db/idempotency.js';
import type { SubgraphDescriptor } from '../../infra/graphql/subgraph-descriptor.js';

export const customersEnv = { ...domainSubgraphEnv(4001), ...idempotencyEnv };

export type CustomersConfig = ConfigOf<typeof customersEnv>;

/** Customers and customer groups. */
export const customers: SubgraphDescriptor<typeof customersEnv, 'customers'> = {
  name: 'customers',
  defaultPort: 4001,
  env: customersEnv,
  codegen: {
    context: 'CustomersContext',
    mappers: {
      Customer: '../customers-repository.js#CustomerRow',
      CustomerGroup: '../customers-repository.js#CustomerGroupRow',
      CustomerConnection: '../../../infra/db/pagination.js#Connection<CustomerRow>',
      CustomerEvent: '../../../infra/events/event.js#DomainEvent',
    },
  },
  start: async (env, deps) => (await import('./server.js')).start(loadConfig(customersEnv, env), deps),
};
