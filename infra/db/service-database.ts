import type { Migration } from 'kysely';
import type { Logger } from '../logger.js';
import { createDatabase, type Database } from './database.js';
import { migrateToLatest } from './migrate.js';

export interface ServiceDatabaseConfig {
  DATABASE_URL: string;
  DB_POOL_MAX: number;
  DB_CONNECT_TIMEOUT_MS: number;
  DB_STARTUP_TIMEOUT_MS: number;
}

/** Start-up does not depend on order: a service started before PostgreSQL waits for it, with backoff. */
async function waitForPostgres(database: Pick<Database<unknown>, 'ping'>, timeoutMs: number, logger: Logger): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      await database.ping();
      return;
    } catch (error) {
      if (Date.now() + delay > deadline) throw new Error(`PostgreSQL did not answer within ${timeoutMs} ms`, { cause: error });
      logger.warn({ err: error, retryInMs: delay }, 'waiting for PostgreSQL');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export interface ServiceDatabase<DB> {
  database: Database<DB>;
  /** Closes the pool if this call opened it; a database passed in belongs to the caller. */
  release(): Promise<void>;
}

/** A subgraph's own schema, brought to its latest migration: the pool given (tests), or a new one. */
export async function openServiceDatabase<DB>(options: {
  config: ServiceDatabaseConfig;
  schema: string;
  migrations: Record<string, Migration>;
  logger: Logger;
  given?: Database<DB>;
}): Promise<ServiceDatabase<DB>> {
  const database =
    options.given ??
    createDatabase<DB>({
      url: options.config.DATABASE_URL,
      poolMax: options.config.DB_POOL_MAX,
      connectTimeoutMs: options.config.DB_CONNECT_TIMEOUT_MS,
      schema: options.schema,
      logger: options.logger,
    });
  try {
    await waitForPostgres(database, options.config.DB_STARTUP_TIMEOUT_MS, options.logger);
    await migrateToLatest(database.db, options.schema, options.migrations, options.logger);
  } catch (error) {
    if (!options.given) await database.close();
    throw error;
  }
  return { database, release: async () => (options.given ? undefined : database.close()) };
}
