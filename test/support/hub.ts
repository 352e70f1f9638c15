import { commonEnv, loadConfig } from '../../infra/config.js';
import { routerEnv } from '../../router/config.js';
import { INTERNAL_TOKEN_HEADER, InternalTokenSigner } from '../../infra/auth/internal-token.js';
import type { Principal } from '../../infra/auth/principal.js';
import { HUB_SUBGRAPHS } from '../../infra/hub-subgraphs.js';
import { createDatabase, type Database } from '../../infra/db/database.js';
import { createLogger } from '../../infra/logger.js';
import { fromRoot } from '../../infra/paths.js';
import type { RunningSubgraph } from '../../infra/graphql/subgraph-server.js';
import { ServiceTokens } from '../../router/auth/service-token.js';
import * as router from '../../router/server.js';
import { SUBGRAPHS, type SubgraphName } from '../../subgraphs/index.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { TEST_JWT_SECRET, withCredentials } from './tokens.js';

/** The INTERNAL_TOKEN_SECRET the test hub's router and subgraphs share. */
export const TEST_INTERNAL_SECRET = 'interchange-test-internal-token-secret-0123456789';

const testSigner = new InternalTokenSigner(TEST_INTERNAL_SECRET);

/**
 * The signed internal header for a test that calls a subgraph directly (anonymous unless a
 * principal is given), for the subgraph `audience` names; by default one that every one of the
 * hub's subgraphs accepts (the router signs for one subgraph at a time).
 */
export async function internalHeaders(principal?: Principal, audience: string | readonly string[] = HUB_SUBGRAPHS): Promise<Record<string, string>> {
  return { [INTERNAL_TOKEN_HEADER]: await testSigner.token(principal, audience) };
}

export type { SubgraphName };

export interface GraphQLResponse<Data = any> {
  status: number;
  headers: Headers;
  body: { data?: Data; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[]; extensions?: Record<string, any> };
}

/**
 * POSTs a GraphQL operation as a browser app would, signed in as admin unless `headers` has an
 * `authorization` or `x-api-key` of its own (ANONYMOUS from ./tokens.js sends none).
 */
export async function graphql<Data = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<Data>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await withCredentials(headers)) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<Data>['body'] };
}

export interface TestHub {
  routerUrl: string;
  /** Each subgraph's URL, by name. */
  urls: Record<SubgraphName, string>;
  customersUrl: string;
  ordersUrl: string;
  accessUrl: string;
  database: TestDatabase;
  /** SQL statements sent by both subgraphs for requests since the last reset. */
  statements: { count(): number; reset(): void; list(): string[] };
  /** Runs an operation through the router (as admin unless `headers` carry other credentials; see graphql()) and fails the test on any GraphQL error. */
  query<Data = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<Data>;
  /** Runs an operation through the router (credentials as for query()) and returns the whole response, errors included. */
  request<Data = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<Data>>;
  /** Upstream subscriptions the current router has opened on subgraphs. */
  upstreamSubscriptionsOpened(): number;
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Stops a subgraph (unless stopped already) and starts it again on the same port. */
  restartSubgraph(name: SubgraphName): Promise<void>;
  /** Stops the router and starts a new one (on a new port: routerUrl changes). */
  restartRouter(): Promise<void>;
  /** Starts one more router over the same subgraphs, or some of them at other URLs (a proxy in front). */
  startRouter(urls?: Partial<Record<SubgraphName, string>>, env?: Record<string, string>): Promise<router.RunningRouter>;
  /** The current router's circuit breakers. */
  circuits(): ReturnType<router.RunningRouter['circuits']>;
  stop(): Promise<void>;
}

/** Every test router verifies TEST_JWT_SECRET tokens and has no rate limits unless a test sets them. */
const quiet = {
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  HOST: '127.0.0.1',
  NODE_ENV: 'test',
  JWT_SECRET: TEST_JWT_SECRET,
  RATE_LIMIT_PER_CLIENT: '0',
  // The queues' processors run only in the tests that ask for them (their loops would add to the counted statements).
  PROCESSORS: 'none',
  // The bundled SAP simulator on a free port (npm start's is 4100).
  SAP_SIMULATOR_PORT: '0',
  // The health subgraph checks the hub only when asked (a round on the first `health` query), unless a test sets a shorter interval:
  // its rounds call the router and read the queues, which would add to counted requests and statements.
  HEALTH_CHECK_INTERVAL_MS: '3600000',
};

/**
 * The whole hub on port 0 over a fresh database: the customers, orders and access subgraphs and
 * the router, each on its own port, sharing TEST_INTERNAL_SECRET.
 */
export async function startTestHub(options: { env?: Record<string, string>; database?: TestDatabase } = {}): Promise<TestHub> {
  // A hub given another hub's database is a second set of replicas; it leaves the database to its owner.
  const database = options.database ?? (await createTestDatabase());
  const env = { ...quiet, INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET, ...options.env, DATABASE_URL: database.url, PORT: '0' };
  const common = loadConfig(commonEnv, env);
  const sql: string[] = [];
  // The event relay reads the store in the background (on a timer and on notifications):
  // those reads belong to no request, so they are not counted.
  // Nor are the retention's deletes of old idempotency keys, at start and hourly, nor the import
  // runner's looks for waiting jobs (every 2 s) and its retention.
  const onQuery = (statement: string) => {
    if (!/from events\.events|^delete from "\w+"\."idempotency_keys"|"queues"\."import_|queues\.import_/.test(statement)) sql.push(statement);
  };

  // Not counted in `statements`: the access, sap and health subgraphs take no part in the domain queries that tests count
  // (and sap reads IDoc statuses in the background, health checks the hub).
  const databases = new Map<string, Database<any>>(
    SUBGRAPHS.map(({ name }) => [
      name,
      createDatabase({ url: database.url, poolMax: 5, connectTimeoutMs: 5_000, schema: name, logger: createLogger(name, common.LOG_LEVEL), ...(name === 'access' || name === 'sap' || name === 'health' ? {} : { onQuery }) }),
    ]),
  );
  const servers = {} as Record<SubgraphName, RunningSubgraph>;
  /** The current router's URL, for subgraphs that call the router (undefined until it is up and once it stops). */
  let liveRouterUrl: string | undefined;
  /** Starts a subgraph of the list on `port`, with the URLs of the subgraphs it calls, and the router's with bearer tokens as npm start gives them. */
  const startSubgraph = (name: SubgraphName, port: string) => {
    const subgraph = SUBGRAPHS.find((candidate) => candidate.name === name)!;
    const calls = Object.fromEntries(Object.entries(subgraph.calls ?? {}).map(([variable, called]) => [variable, servers[called as SubgraphName].url]));
    const tokens = subgraph.callsRouter && new ServiceTokens({ secret: env.JWT_SECRET, ...subgraph.callsRouter });
    const routerAccess = tokens && { url: () => liveRouterUrl, headers: () => tokens.headers() };
    return subgraph.start({ ...env, PORT: port, ...calls }, { logger: createLogger(name, common.LOG_LEVEL), database: databases.get(name), router: routerAccess });
  };
  for (const { name } of SUBGRAPHS) servers[name] = await startSubgraph(name, '0');
  const subgraphUrls = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.url]));
  const startRouter = (urls: Partial<Record<SubgraphName, string>> = {}, extraEnv: Record<string, string> = {}) =>
    router.start(loadConfig(routerEnv, { ...env, ...extraEnv, SUPERGRAPH_PATH: fromRoot('schema/supergraph.graphql') }), {
      logger: createLogger('router', common.LOG_LEVEL),
      subgraphUrls: { ...subgraphUrls, ...urls },
    });
  let routerServer = await startRouter();
  liveRouterUrl = routerServer.url;
  const extraRouters: router.RunningRouter[] = [];

  const stopped = new Set<string>();
  const request = <Data>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) =>
    graphql<Data>(routerServer.url, query, variables, headers);

  const hub: TestHub = {
    routerUrl: routerServer.url,
    urls: subgraphUrls as Record<SubgraphName, string>,
    customersUrl: servers.customers.url,
    ordersUrl: servers.orders.url,
    accessUrl: servers.access.url,
    database,
    statements: { count: () => sql.length, reset: () => void sql.splice(0), list: () => [...sql] },
    request,
    async query<Data>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
      const response = await request<Data>(query, variables, headers);
      if (response.body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.body.errors, null, 2)}`);
      return response.body.data as Data;
    },
    upstreamSubscriptionsOpened: () => routerServer.upstreamSubscriptionsOpened(),
    async stopSubgraph(name) {
      stopped.add(name);
      await servers[name].stop(1_000);
    },
    async restartSubgraph(name) {
      const port = new URL(servers[name].url).port;
      if (!stopped.delete(name)) await servers[name].stop(1_000);
      servers[name] = await startSubgraph(name, port);
    },
    async restartRouter() {
      liveRouterUrl = undefined;
      await routerServer.stop(1_000);
      routerServer = await startRouter();
      hub.routerUrl = liveRouterUrl = routerServer.url;
    },
    circuits: () => routerServer.circuits(),
    async startRouter(urls, extraEnv) {
      const extra = await startRouter(urls, extraEnv);
      extraRouters.push(extra);
      return extra;
    },
    async stop() {
      for (const extra of extraRouters) await extra.stop(1_000);
      liveRouterUrl = undefined;
      await routerServer.stop(1_000);
      for (const [name, server] of Object.entries(servers)) if (!stopped.has(name)) await server.stop(1_000);
      await Promise.all([...databases.values()].map((db) => db.close()));
      if (!options.database) await database.drop();
    },
  };
  return hub;
}
