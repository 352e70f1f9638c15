import { Migrator, type Kysely, type Migration } from 'kysely';
import type { Logger } from '../logger.js';

/**
 * Brings `schema` to its latest version. Safe when several processes start at once:
 * Kysely's PostgreSQL adapter holds an advisory lock for the whole run, so one process
 * applies the migrations and the others find them applied.
 */
export async function migrateToLatest(
  db: Kysely<any>,
  schema: string,
  migrations: Record<string, Migration>,
  logger: Logger,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  for (const result of results) {
    const entry = { schema, migration: result.migrationName, status: result.status };
    if (result.status === 'Error') logger.error(entry, 'migration failed');
    else logger.info(entry, 'migration applied');
  }
  if (error) throw new Error(`migrating schema ${schema} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
