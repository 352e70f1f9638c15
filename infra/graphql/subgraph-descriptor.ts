import type { z } from 'zod';
import type { Scope } from '../auth/principal.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { Registry } from '../metrics/metrics-registry.js';
import type { RouterAccess } from './router-client.js';
import type { RunningSubgraph } from './subgraph-server.js';

/** What a hub that runs a subgraph gives its start(). */
export interface SubgraphDeps {
  logger: Logger;
  /** Scoped to the subgraph's schema; default: a new pool on its DATABASE_URL. */
  database?: Database<any>;
  /** The registry of the subgraph's metrics; default: its own when METRICS is true. */
  metrics?: Registry;
  /**
   * The router of the same hub and credentials for calling it, for a subgraph that declares
   * `callsRouter`: `npm start` and the test hub sign short-lived bearer tokens for its subject and
   * scopes. Absent when the subgraph runs alone (it reads its own settings then) or the hub cannot sign.
   */
  router?: RouterAccess;
}

/**
 * One domain subgraph as the rest of the hub sees it: everything `npm start`, the test hub,
 * codegen and the compose-file test need, in `subgraphs/<name>/subgraph.ts`, listed once in
 * `subgraphs/index.ts`.
 */
export interface SubgraphDescriptor<Shape extends z.ZodRawShape = z.ZodRawShape, Name extends string = string> {
  /** The supergraph's name for it; also its PostgreSQL schema and its SDL file, schema/<name>.graphql. */
  name: Name;
  /** Where it listens by default: PORT when run alone, <NAME>_PORT in `npm start`. */
  defaultPort: number;
  /** The environment it reads (PORT included). */
  env: Shape;
  /** Other hub subgraphs it calls, by the variable holding each one's URL: `{ CUSTOMERS_URL: 'customers' }`. */
  calls?: Readonly<Record<string, string>>;
  /**
   * Node's flags when it runs as a process of its own: the command of its compose service and
   * its Deployment (`node <flags> dist/subgraphs/<name>/index.js`, checked by their tests), and
   * the benches' processes. Command-line flags win over the image's NODE_OPTIONS.
   */
  nodeArgs?: readonly string[];
  /** For graphql-codegen: the context type in context.ts, and the TypeScript type each GraphQL type resolves from (paths from __generated__/). */
  codegen: { context: string; mappers: Readonly<Record<string, string>> };
  /**
   * Work that calls the router's GraphQL API as a caller (the queues' processors): the JWT subject
   * and the exact scopes a hub signs its `deps.router` tokens with.
   */
  callsRouter?: { subject: string; scopes: readonly Scope[] };
  /**
   * Reads its configuration from `env` (a bad value throws ConfigError naming it), migrates its
   * schema and serves it (tests pass PORT 0 and a database of their own).
   */
  start(env: Readonly<Record<string, string | undefined>>, deps: SubgraphDeps): Promise<RunningSubgraph>;
}
