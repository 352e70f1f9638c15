import { z } from 'zod';
import { port, postgresUrl, type ConfigOf } from '../infra/config.js';
import { routerEnv } from '../router/config.js';
import { SUBGRAPHS } from '../subgraphs/index.js';

/** `<NAME>_PORT`: where `npm start` runs a subgraph (CUSTOMERS_PORT). */
export function portVariable(subgraphName: string): string {
  return `${subgraphName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PORT`;
}

/**
 * What the subgraphs read besides PORT and the URLs of the subgraphs they call, which `npm start`
 * sets itself: checked up front, with the router's, so that a bad value stops the hub before
 * anything starts.
 */
const subgraphVariables: z.ZodRawShape = Object.assign(
  {},
  ...SUBGRAPHS.map(({ env, calls }) => Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'PORT' && !(calls && name in calls)))),
);

/** `npm start`: the whole hub in one process. Without DATABASE_URL it runs embedded PostgreSQL. */
export const hubEnv = {
  ...subgraphVariables,
  ...routerEnv,
  DATABASE_URL: postgresUrl.optional(),
  /** Where embedded PostgreSQL keeps its data, and the development JWT secret. */
  DATA_DIR: z.string().min(1).default('.data'),
  PORT: port(4000),
  ...Object.fromEntries(SUBGRAPHS.map((subgraph) => [portVariable(subgraph.name), port(subgraph.defaultPort)])),
};

export type HubConfig = ConfigOf<typeof hubEnv>;

/** Where `npm start` runs a subgraph: its <NAME>_PORT, checked by hubEnv. */
export function subgraphPort(config: HubConfig, subgraphName: string): number {
  return (config as unknown as Record<string, number>)[portVariable(subgraphName)]!;
}
