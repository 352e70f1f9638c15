import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Bytes of log lines held before they are written, and how long a line may wait at most. Lines
 * that come one at a time (the router's one per operation) would otherwise be one write(2) each,
 * handed to libuv's thread pool and back: about 20 µs of CPU per line.
 */
const BUFFER_BYTES = 4096;
const FLUSH_INTERVAL_MS = 100;

type StdoutDestination = DestinationStream & { flush(callback: (error?: Error) => void): void };

let stdout: StdoutDestination | undefined;
let flushTimer: NodeJS.Timeout | undefined;

/**
 * Standard output, buffered and written asynchronously, shared by every logger of the process so
 * that lines from several services in one process (`npm start`) keep their order and never split.
 * Pino's destination also writes what is buffered synchronously when the process exits.
 */
function stdoutDestination(): StdoutDestination {
  stdout ??= pino.destination({ dest: 1, sync: false, minLength: BUFFER_BYTES }) as StdoutDestination;
  return stdout;
}

/** Called with every line a logger writes: makes sure it is flushed within FLUSH_INTERVAL_MS (no timer while nothing is logged). */
function scheduleFlush(line: string): string {
  flushTimer ??= setTimeout(() => {
    flushTimer = undefined;
    stdout?.flush(() => {});
  }, FLUSH_INTERVAL_MS).unref();
  return line;
}

/**
 * An error as pino serialises it, without `client`: pg-pool puts the whole pg Client (its
 * connection, socket and prepared statements) on the error of a connection it drops.
 */
function serializeError(error: unknown): unknown {
  const serialized: unknown = pino.stdSerializers.err(error as Error);
  // A value that is not an error comes back as given: it is not ours to change.
  if (serialized !== error && serialized && typeof serialized === 'object') delete (serialized as { client?: unknown }).client;
  return serialized;
}

/** JSON logs on stdout, one line per event; `service` and, per request, `requestId` are on every line. */
export function createLogger(service: string, level: string = 'info'): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization'], remove: true },
      serializers: { err: serializeError },
      hooks: { streamWrite: scheduleFlush },
    },
    stdoutDestination(),
  );
}

/**
 * Resolves once every log line written so far has reached stdout (or after `timeoutMs`, so that
 * a stuck reader cannot hold up an exit). Call it before `process.exit`.
 */
export function flushLogs(timeoutMs = 2_000): Promise<void> {
  const destination = stdout;
  if (!destination) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    // The callback's error (stdout is a pipe or a terminal, which cannot fsync) does not matter here.
    destination.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
