import { unlinkSync } from 'node:fs';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../config.js';

/** The data folder is in use by a live process; the message names the folder, the process and the way out. */
export class DataDirInUseError extends ConfigError {
  override name = 'DataDirInUseError';
}

export interface DataDirLock {
  /** Removes the lock file; calling it again does nothing. The process's exit removes it too. */
  release(): Promise<void>;
}

const LOCK_FILE = 'interchange.lock';

/** Lock files this process holds. A lock file naming this pid but not held here is from an earlier process (a restarted container reuses pids). */
const held = new Set<string>();

/**
 * Takes `<dir>/interchange.lock`, a file holding this process's pid, or fails at once with a
 * DataDirInUseError when a live process holds it. A lock whose process is gone (killed, or the
 * machine restarted) is taken over. The file appears with its pid in one step (a hard link to a
 * file written beforehand), so no one ever reads it empty. Two processes taking over the same
 * stale lock at the same instant could both succeed; PostgreSQL's own postmaster.pid then stops
 * the second server.
 */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  const path = join(dir, LOCK_FILE);
  if (held.has(path)) throw inUse(dir, process.pid);
  const draft = `${path}.${process.pid}`;
  await writeFile(draft, `${process.pid}\n`);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await link(draft, path);
        break;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST' || attempt === 3) throw error;
      }
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (holder > 0 && holder !== process.pid && isAlive(holder)) throw inUse(dir, holder);
      await unlink(path).catch((error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw error;
      });
    }
  } finally {
    await unlink(draft).catch(() => {});
  }

  held.add(path);
  const releaseOnExit = () => {
    if (held.delete(path)) unlinkSilently(path);
  };
  process.on('exit', releaseOnExit);
  return {
    async release() {
      process.off('exit', releaseOnExit);
      if (held.delete(path)) await unlink(path).catch(() => {});
    },
  };
}

function inUse(dir: string, pid: number): DataDirInUseError {
  return new DataDirInUseError(
    `DATA_DIR=${dir} is in use by process ${pid} (another \`npm start\`?): stop that process, or set DATA_DIR to another folder`,
  );
}

/** Signal 0 checks that the process exists; EPERM means it does, under another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

function unlinkSilently(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing to release.
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
