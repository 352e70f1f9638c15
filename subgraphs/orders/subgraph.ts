import { domainSubgraphEnv, loadConfig, httpUrl, type ConfigOf } from '../../infra/config.js';
import { idempotencyEnv } from '../../infra/db/idempotency.js';
import type { SubgraphDescriptor } from '../../infra/graphql/subgraph-descriptor.js';

export const ordersEnv = {
  ...domainSubgraphEnv(4002),
  ...idempotencyEnv,
  /** The customers subgraph, asked (never its tables) whether a customer exists. */
  CUSTOMERS_URL: httpUrl.default('http://localhost:4001/graphql'),
};

export type OrdersConfig = ConfigOf<typeof ordersEnv>;

/** Orders, their lines and their lifecycle. */
export const orders: SubgraphDescriptor<typeof ordersEnv, 'orders'> = {
  name: 'orders',
  defaultPort: 4002,
  env: ordersEnv,
  calls: { CUSTOMERS_URL: 'customers' },
  codegen: {
    context: 'OrdersContext',
    mappers: {
      Order: '../orders-repository.js#OrderRow',
      OrderLine: '../orders-repository.js#OrderLineRow',
      Customer: '../orders-repository.js#CustomerRef',
      OrderConnection: '../../../infra/db/pagination.js#Connection<OrderRow>',
      OrderEvent: '../../../infra/events/event.js#DomainEvent',
    },
  },
  start: async (env, deps) => (await import('./server.js')).start(loadConfig(ordersEnv, env), deps),
};
