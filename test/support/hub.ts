import { commonEnv, customersEnv, loadConfig, ordersEnv, routerEnv } from '../../infra/config.js';
import { createDatabase, type Database } from '../../infra/db/database.js';
import { createLogger } from '../../infra/logger.js';
import { fromRoot } from '../../infra/paths.js';
import * as customers from '../../subgraphs/customers/server.js';
import type { CustomersTables } from '../../subgraphs/customers/customers-repository.js';
import * as orders from '../../subgraphs/orders/server.js';
import type { OrdersTables } from '../../subgraphs/orders/orders-repository.js';
import * as router from '../../router/server.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export interface GraphQLResponse<Data = any> {
  status: number;
  headers: Headers;
  body: { data?: Data; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] };
}

/** POSTs a GraphQL operation as a browser app would. */
export async function graphql<Data = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<Data>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<Data>['body'] };
}

export interface TestHub {
  routerUrl: string;
  customersUrl: string;
  ordersUrl: string;
  database: TestDatabase;
  /** SQL statements sent by both subgraphs for requests since the last reset. */
  statements: { count(): number; reset(): void; list(): string[] };
  /** Runs an operation through the router and fails the test on any GraphQL error. */
  query<Data = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<Data>;
  /** Runs an operation through the router and returns the whole response, errors included. */
  request<Data = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<Data>>;
  stopSubgraph(name: 'customers' | 'orders'): Promise<void>;
  stop(): Promise<void>;
}

const quiet = { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', HOST: '127.0.0.1', NODE_ENV: 'test' };

/** The whole hub on port 0 over a fresh database: both subgraphs and the router, each on its own port. */
export async function startTestHub(options: { env?: Record<string, string> } = {}): Promise<TestHub> {
  const database = await createTestDatabase();
  const env = { ...quiet, ...options.env, DATABASE_URL: database.url, PORT: '0' };
  const common = loadConfig(commonEnv, env);
  const sql: string[] = [];
  // The event relay reads the store in the background (on a timer and on notifications):
  // those reads belong to no request, so they are not counted.
  const onQuery = (statement: string) => {
    if (!/from events\.events/.test(statement)) sql.push(statement);
  };

  const open = <DB>(schema: string): Database<DB> =>
    createDatabase<DB>({ url: database.url, poolMax: 5, connectTimeoutMs: 5_000, schema, logger: createLogger(schema, common.LOG_LEVEL), onQuery });
  const customersDb = open<CustomersTables>('customers');
  const ordersDb = open<OrdersTables>('orders');

  const customersServer = await customers.start(loadConfig(customersEnv, env), { logger: createLogger('customers', common.LOG_LEVEL), database: customersDb });
  const ordersServer = await orders.start(loadConfig(ordersEnv, { ...env, CUSTOMERS_URL: customersServer.url }), {
    logger: createLogger('orders', common.LOG_LEVEL),
    database: ordersDb,
  });
  const routerServer = await router.start(loadConfig(routerEnv, { ...env, SUPERGRAPH_PATH: fromRoot('schema/supergraph.graphql') }), {
    logger: createLogger('router', common.LOG_LEVEL),
    subgraphUrls: { customers: customersServer.url, orders: ordersServer.url },
  });

  const stopped = new Set<string>();
  const servers = { customers: customersServer, orders: ordersServer };
  const request = <Data>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) =>
    graphql<Data>(routerServer.url, query, variables, headers);

  return {
    routerUrl: routerServer.url,
    customersUrl: customersServer.url,
    ordersUrl: ordersServer.url,
    database,
    statements: { count: () => sql.length, reset: () => void sql.splice(0), list: () => [...sql] },
    request,
    async query<Data>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
      const response = await request<Data>(query, variables, headers);
      if (response.body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.body.errors, null, 2)}`);
      return response.body.data as Data;
    },
    async stopSubgraph(name) {
      stopped.add(name);
      await servers[name].stop(1_000);
    },
    async stop() {
      await routerServer.stop(1_000);
      for (const [name, server] of Object.entries(servers)) if (!stopped.has(name)) await server.stop(1_000);
      await Promise.all([customersDb.close(), ordersDb.close()]);
      await database.drop();
    },
  };
}
