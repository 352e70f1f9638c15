import type { z } from 'zod';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { RunningSubgraph } from './subgraph-server.js';

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
  /** For graphql-codegen: the context type in context.ts, and the TypeScript type each GraphQL type resolves from (paths from __generated__/). */
  codegen: { context: string; mappers: Readonly<Record<string, string>> };
  /**
   * Reads its configuration from `env` (a bad value throws ConfigError naming it), migrates its
   * schema and serves it (tests pass PORT 0 and a database of their own).
   */
  start(env: Readonly<Record<string, string | undefined>>, deps: { logger: Logger; database?: Database<any> }): Promise<RunningSubgraph>;
}
