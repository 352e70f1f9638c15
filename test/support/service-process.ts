import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fromRoot } from '../../infra/paths.js';

const START_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 15_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  /** Resolves with the first JSON log line on stdout whose `msg` is `msg`; rejects if the process exits first. */
  logLine(msg: string): Promise<Record<string, unknown>>;
  pid: number;
  exited(): Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** SIGKILLs the process unless it has exited, and waits for it. */
  kill(): Promise<void>;
  signal(signal: NodeJS.Signals): void;
}

function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The parent's environment without what would leak into the child's configuration. */
function baseEnv(): Record<string, string | undefined> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name === 'NODE_TEST_CONTEXT' || name === 'SUPERGRAPH_PATH' || /^SUBGRAPH_.+_URL$/.test(name)) delete env[name];
  }
  return env;
}

/**
 * Runs `entry` (relative to the repository) as its own Node process, configured by `env` alone;
 * through tsx unless `nodeArgs` says otherwise (a compiled entry under dist/ needs none).
 */
export function spawnService(entry: string, env: Record<string, string>, nodeArgs: readonly string[] = ['--import', 'tsx']): ServiceProcess {
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: fromRoot(),
    env: { ...baseEnv(), NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exit: Exit | undefined;
  const lines: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());

  createInterface({ input: child.stdout }).on('line', (line) => {
    stdout += `${line}\n`;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Not a log line (tsx or node may print plain text); kept in stdout for failure messages.
    }
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // 'close' comes after stdout and stderr have ended, so both are complete when it resolves.
  const closed = new Promise<Exit>((resolveExit) => {
    child.on('close', (code, signal) => {
      exit = { code, signal };
      resolveExit(exit);
      notify();
    });
  });

  return {
    pid: child.pid!,
    logLine(msg) {
      const found = new Promise<Record<string, unknown>>((resolveLine, reject) => {
        const check = () => {
          const line = lines.find((candidate) => candidate.msg === msg);
          if (!line && !exit) return;
          listeners.delete(check);
          if (line) resolveLine(line);
          else reject(new Error(`the process exited (${JSON.stringify(exit)}) before logging "${msg}"\nstderr: ${stderr}\nstdout: ${stdout}`));
        };
        listeners.add(check);
        check();
      });
      return within(found, START_TIMEOUT_MS, `${entry} to log "${msg}"\nstderr: ${stderr}`);
    },
    exited: () => within(closed, EXIT_TIMEOUT_MS, `${entry} to exit`),
    stdout: () => stdout,
    stderr: () => stderr,
    signal(signal) {
      child.kill(signal);
    },
    async kill() {
      if (!exit) child.kill('SIGKILL');
      await closed;
    },
  };
}

