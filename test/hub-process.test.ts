import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startEmbeddedPostgres } from '../infra/db/embedded-postgres.js';
import { fromRoot } from '../infra/paths.js';
import { portVariable } from '../scripts/hub-config.js';
import { SUBGRAPHS } from '../subgraphs/index.js';
import { asRole, TEST_JWT_SECRET } from './support/tokens.js';

/**
 * `npm start` as a user runs it: the real hub process (scripts/start-hub.ts) with embedded
 * PostgreSQL in a temporary DATA_DIR, every port 0. One data folder serves every test, so that
 * PostgreSQL's cluster is created once.
 */
const SHUTDOWN_TIMEOUT_MS = 5_000;

type LogLine = Record<string, unknown> & { level?: string; msg?: string };

interface HubProcess {
  pid: number;
  /** The first JSON log line that `matches`; rejects if the process exits first or after `timeoutMs`. */
  line(matches: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  lines(): LogLine[];
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The signal to the hub's process alone, as `kill`, Docker or systemd send it. */
  signal(signal: NodeJS.Signals): void;
  /** The signal to every process of the hub's group, as a terminal's Ctrl-C sends it. */
  signalGroup(signal: NodeJS.Signals): void;
  kill(): void;
}

/** The parent's environment without what would configure the hub: it must run embedded PostgreSQL. */
function hubEnv(dataDir: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name === 'NODE_TEST_CONTEXT' || name === 'SUPERGRAPH_PATH' || /^SUBGRAPH_.+_URL$/.test(name)) delete env[name];
  }
  return {
    ...env,
    DATABASE_URL: '',
    REDIS_URL: '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    ...Object.fromEntries(SUBGRAPHS.map((subgraph) => [portVariable(subgraph.name), '0'])),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    JWT_SECRET: TEST_JWT_SECRET,
    SAP_SIMULATOR_PORT: '0',
  };
}

/** The hub as its own process group (as a shell starts it), so that a test can send what a terminal sends. */
function startHub(dataDir: string, env: Record<string, string> = {}): HubProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start-hub.ts'], {
    cwd: fromRoot(),
    env: { ...hubEnv(dataDir), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  const lines: LogLine[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (text) => {
    stdout += `${text}\n`;
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      // Not a log line; kept in stdout for failure messages.
    }
    for (const listener of listeners) listener();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
      for (const listener of listeners) listener();
    }),
  );
  return {
    pid: child.pid!,
    line(matches, timeoutMs = 40_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no such log line within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)), timeoutMs);
        const check = () => {
          const found = lines.find(matches);
          if (found) finish(undefined, found);
          else if (done) finish(new Error(`the hub exited first\nstdout: ${stdout}\nstderr: ${stderr}`));
        };
        const finish = (error?: Error, found?: LogLine) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(found!);
        };
        listeners.add(check);
        check();
      });
    },
    lines: () => lines,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    signal: (signal) => process.kill(child.pid!, signal),
    signalGroup: (signal) => process.kill(-child.pid!, signal),
    kill() {
      if (!done) process.kill(-child.pid!, 'SIGKILL');
    },
  };
}

/** How long `promise` took to settle, in ms. */
async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - started };
}

/**
 * Live processes with `databaseDir` in their arguments: the server (`postgres -D <dir>`) and initdb
 * (`--pgdata=<dir>`). Without /proc, the server PostgreSQL's own postmaster.pid names.
 */
function postgresProcesses(databaseDir: string): number[] {
  if (!existsSync('/proc/self/cmdline')) {
    const pidFile = join(databaseDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    try {
      process.kill(pid, 0);
      return [pid];
    } catch {
      return [];
    }
  }
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(databaseDir)) pids.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return pids;
}

const WARN_OR_WORSE = new Set(['warn', 'error', 'fatal']);
/** Fields of a pg Client that pino would write if one were logged whole. */
const PG_CLIENT_FIELDS = /"(connectionParameters|_queryQueue|_connectionTimeoutMillis)"/;

describe('the hub process (npm start) with embedded PostgreSQL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'interchange-hub-process-'));
  const databaseDir = join(dataDir, 'postgres');
  const hubs: HubProcess[] = [];
  const hub = (env?: Record<string, string>) => {
    const started = startHub(dataDir, env);
    hubs.push(started);
    return started;
  };

  after(() => {
    for (const started of hubs) started.kill();
    for (const pid of postgresProcesses(databaseDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops with code 0 within SHUTDOWN_TIMEOUT_MS, leaving no PostgreSQL, when SIGTERM arrives while embedded PostgreSQL is created', { timeout: 60_000 }, async () => {
    const starting = hub();
    await starting.line((line) => line.msg === 'initialising embedded PostgreSQL');
    starting.signal('SIGTERM');
    const { value: exit, ms } = await timed(starting.exited);
    assert.deepEqual(exit, { code: 0, signal: null }, starting.stdout() + starting.stderr());
    assert.ok(ms < SHUTDOWN_TIMEOUT_MS, `exited after ${Math.round(ms)} ms`);
    assert.ok(starting.lines().some((line) => line.msg === 'stopped while starting'));
    assert.deepEqual(postgresProcesses(databaseDir), []);
    assert.ok(!existsSync(join(dataDir, 'interchange.lock')), 'the data folder is released');
  });

  it('stops the same way when Ctrl-C arrives while the subgraphs start', { timeout: 60_000 }, async () => {
    const starting = hub();
    await starting.line((line) => line.msg === 'embedded PostgreSQL started');
    starting.signalGroup('SIGINT');
    const { value: exit, ms } = await timed(starting.exited);
    assert.deepEqual(exit, { code: 0, signal: null }, starting.stdout() + starting.stderr());
    assert.ok(ms < SHUTDOWN_TIMEOUT_MS, `exited after ${Math.round(ms)} ms`);
    assert.ok(starting.lines().some((line) => line.msg === 'stopping while starting'), 'the signal came before the hub was up');
    assert.deepEqual(postgresProcesses(databaseDir), []);
    assert.ok(!existsSync(join(dataDir, 'interchange.lock')), 'the data folder is released');
  });

  describe('while a hub runs', () => {
    let running: HubProcess;
    let routerUrl: string;

    before(async () => {
      running = hub();
      const listening = await running.line((line) => line.msg === 'router listening');
      routerUrl = String(listening.url);
      await running.line((line) => String(line.msg).startsWith('Interchange is up'));
    });

    it('refuses a second start on the same DATA_DIR at once, naming the folder and the process that holds it', { timeout: 60_000 }, async () => {
      const second = hub();
      const { value: exit, ms } = await timed(second.exited);
      assert.equal(exit.code, 1, second.stdout() + second.stderr());
      assert.match(second.stderr(), new RegExp(`DATA_DIR=${dataDir} is in use by process ${running.pid}`));
      assert.ok(!second.lines().some((line) => /PostgreSQL/.test(String(line.msg))), 'it did not touch PostgreSQL');
      // Node and tsx loading the hub's modules take most of it.
      assert.ok(ms < 20_000, `exited after ${Math.round(ms)} ms`);
      assert.equal((await fetch(new URL('/health', routerUrl))).status, 200, 'the first hub still serves');
    });

    it('answers SAP questions from the bundled simulator when no SAP system is configured', { timeout: 30_000 }, async () => {
      const response = await fetch(routerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await asRole('admin')) },
        body: JSON.stringify({ query: '{ sapSystems { id isDefault } businessPartner(id: "10000002") { id category } }' }),
      });
      const body = (await response.json()) as { data: { sapSystems: unknown[]; businessPartner: unknown } };
      assert.deepEqual(body.data, { sapSystems: [{ id: 'SIM', isDefault: true }], businessPartner: { id: '0010000002', category: 'ORGANIZATION' } });
    });

    it('on Ctrl-C stops the router, the subgraphs and then PostgreSQL, exits 0, and logs no warning', { timeout: 60_000 }, async () => {
      // Work first, so that pools, event relays and the events table are in use when the signal comes.
      const response = await fetch(routerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await asRole('admin')) },
        body: JSON.stringify({ query: 'mutation { createCustomer(input: { name: "Before Ctrl-C", email: "ctrl-c@example.com" }) { id } }' }),
      });
      const body = (await response.json()) as { data?: { createCustomer: { id: string } }; errors?: unknown };
      assert.ok(body.data?.createCustomer.id, JSON.stringify(body.errors));

      running.signalGroup('SIGINT');
      const exit = await running.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, running.stdout() + running.stderr());
      const messages = running.lines().map((line) => line.msg);
      assert.deepEqual(messages.slice(-2), ['shutting down', 'stopped']);
      const warnings = running.lines().filter((line) => WARN_OR_WORSE.has(String(line.level)));
      assert.deepEqual(warnings, []);
      assert.doesNotMatch(running.stdout() + running.stderr(), PG_CLIENT_FIELDS);
      assert.deepEqual(postgresProcesses(databaseDir), []);
      assert.ok(!existsSync(join(dataDir, 'interchange.lock')), 'the data folder is released');
    });
  });

  it('exits within SHUTDOWN_TIMEOUT_MS when a signal comes while a subgraph waits for a PostgreSQL that does not answer', { timeout: 60_000 }, async () => {
    const waiting = hub({
      // A port nothing listens on (port 1 needs root to bind; no PostgreSQL is there).
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      DB_CONNECT_TIMEOUT_MS: '500',
      SHUTDOWN_TIMEOUT_MS: '1500',
    });
    await waiting.line((line) => line.msg === 'waiting for PostgreSQL');
    waiting.signal('SIGTERM');
    const { value: exit, ms } = await timed(waiting.exited);
    // The wait cannot be cut short, so the deadline ends it: exit code 1, with a line that says so.
    assert.equal(exit.code, 1);
    assert.ok(ms < 1_500 + 1_000, `exited after ${Math.round(ms)} ms`);
    assert.ok(waiting.lines().some((line) => line.msg === 'did not stop in time; exiting'));
  });

  it('logs a dropped PostgreSQL connection without the pg Client that pg-pool attaches to its error', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL', timeout: 30_000 }, () => {
    // A pool of the real createDatabase whose idle connection PostgreSQL terminates: pg-pool
    // emits the error with `client` set, and database.ts logs it.
    const script = `
      import pg from 'pg';
      import { createDatabase } from './infra/db/database.js';
      import { createLogger, flushLogs } from './infra/logger.js';
      const url = process.env.DATABASE_URL;
      const database = createDatabase({ url, poolMax: 1, connectTimeoutMs: 5000, schema: 'hub_process_test', logger: createLogger('test') });
      await database.ping();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'interchange-hub_process_test'");
      await admin.end();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await database.close();
      await flushLogs();
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: fromRoot(), encoding: 'utf8', env: { ...hubEnv(dataDir), DATABASE_URL: process.env.DATABASE_URL } });
    assert.equal(run.status, 0, run.stderr);
    const lost = run.stdout.split('\n').filter((line) => line.includes('"msg":"idle PostgreSQL connection lost"'));
    assert.equal(lost.length, 1, run.stdout);
    assert.match(lost[0]!, /terminating connection due to administrator command/);
    assert.doesNotMatch(run.stdout, PG_CLIENT_FIELDS);
  });

  it('stops embedded PostgreSQL when the start is aborted while the server is starting', { timeout: 60_000 }, async () => {
    const controller = new AbortController();
    const logger = pino(
      { level: 'debug' },
      {
        // The server's first line on stderr: it runs and is not ready yet.
        write: (line: string) => {
          if (line.includes('"msg":"postgres"')) controller.abort();
        },
      },
    );
    await assert.rejects(startEmbeddedPostgres({ dataDir, logger, signal: controller.signal }), { name: 'AbortError' });
    assert.deepEqual(postgresProcesses(databaseDir), []);
    assert.ok(!existsSync(join(dataDir, 'interchange.lock')), 'the data folder is released');
  });

  it('takes over the lock of a process that no longer runs', { timeout: 60_000 }, async () => {
    const lockFile = join(dataDir, 'interchange.lock');
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(lockFile, `${gone}\n`);
    const postgres = await startEmbeddedPostgres({ dataDir, logger: pino({ level: 'silent' }) });
    try {
      assert.equal(readFileSync(lockFile, 'utf8'), `${process.pid}\n`);
    } finally {
      await postgres.stop();
    }
    assert.ok(!existsSync(lockFile), 'the data folder is released');
  });
});
