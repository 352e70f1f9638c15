import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subgraphUrlVariable } from '../infra/config.js';
import { startEmbeddedPostgres } from '../infra/db/embedded-postgres.js';
import type { Logger } from '../infra/logger.js';
import { SUBGRAPHS } from '../subgraphs/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/postgres.js';
import { spawnService, type ServiceProcess } from '../test/support/service-process.js';
import { routerSecurityEnv } from './bench-security.js';

/**
 * A fresh database for a bench: on DATABASE_URL's server, or on an embedded PostgreSQL in a
 * temporary folder when it is unset. `close` drops it and stops what was started.
 */
export async function benchDatabase(logger: Logger): Promise<{ database: TestDatabase; close(): Promise<void> }> {
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let dataDir: string | undefined;
  if (!process.env.DATABASE_URL) {
    dataDir = mkdtempSync(join(tmpdir(), 'interchange-bench-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir, logger, persistent: false });
    process.env.DATABASE_URL = embedded.url;
  }
  const database = await createTestDatabase();
  return {
    database,
    async close() {
      await database.drop();
      await embedded?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Every subgraph of subgraphs/index.ts as a process of its own, in the list's order (each with
 * the URLs of those it calls, and its Node flags), with `env`. Resolves with the processes and, for the router, a
 * SUBGRAPH_<NAME>_URL variable for each.
 */
export async function spawnSubgraphs(env: Record<string, string>): Promise<{ processes: Map<string, ServiceProcess>; routerEnv: Record<string, string> }> {
  const processes = new Map<string, ServiceProcess>();
  const urls: Record<string, string> = {};
  for (const subgraph of SUBGRAPHS) {
    const calls = Object.fromEntries(Object.entries(subgraph.calls ?? {}).map(([variable, name]) => [variable, urls[name]!]));
    const nodeArgs: readonly string[] = ('nodeArgs' in subgraph ? subgraph.nodeArgs : undefined) ?? [];
    const started = spawnService(`subgraphs/${subgraph.name}/index.ts`, { ...env, ...calls }, ['--import', 'tsx', ...nodeArgs, ...cpuProfileArgs(subgraph.name)]);
    processes.set(subgraph.name, started);
    urls[subgraph.name] = String((await started.logLine('subgraph listening')).url);
  }
  return { processes, routerEnv: Object.fromEntries(Object.entries(urls).map(([name, url]) => [subgraphUrlVariable(name), url])) };
}

/**
 * The router as a process of its own over `subgraphs` (spawnSubgraphs' result), as in production:
 * NODE_ENV=production, the bench's security settings and the hub's database (audit records, the
 * event follower), and `env` beside. Resolves once it listens.
 */
export async function spawnRouter(databaseUrl: string, subgraphs: { routerEnv: Record<string, string> }, env: Record<string, string> = {}): Promise<{ process: ServiceProcess; url: string }> {
  const router = spawnService('router/index.ts', {
    ...routerSecurityEnv,
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    ...subgraphs.routerEnv,
    ...env,
  }, ['--import', 'tsx', ...cpuProfileArgs('router')]);
  return { process: router, url: String((await router.logLine('router listening')).url) };
}

/** With BENCH_CPU_PROF=<folder>, each hub process writes V8 CPU profiles (one per thread) to a folder of its own there when it stops. */
export function cpuProfileArgs(name: string): string[] {
  const folder = process.env.BENCH_CPU_PROF;
  return folder ? ['--cpu-prof', `--cpu-prof-dir=${join(folder, name)}`] : [];
}

/** The core a measured process runs on, and the one for everything else (a 2-core machine). */
export const SERVER_CORE = '0';
export const CLIENT_CORE = '1';

/** Pins a process's main thread to `core`; without taskset, or on one core, it runs unpinned. */
export function pin(pid: number, core: string): void {
  try {
    execFileSync('taskset', ['-p', '-c', core, String(pid)], { stdio: 'ignore' });
  } catch {
    // No taskset, or one core: run unpinned.
  }
}

/** A process's resident memory now (VmRSS) or at its peak (VmHWM), in KB. */
export function memoryKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number(line?.split(/\s+/)[1] ?? 0);
}

/** CPU seconds (user + system) a process has used; 0 for one that is gone (or not on this machine). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The p-th percentile of ascending `sorted`; NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
