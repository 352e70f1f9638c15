import { commonEnv, ConfigError, loadConfig } from './config.js';
import { createLogger, flushLogs, type Logger } from './logger.js';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface RunServiceOptions {
  /**
   * `start` watches its `signal`: once a signal aborts it, it stops what it has started and
   * rejects (the hub stops its embedded PostgreSQL so). The process exits when it has, at most
   * SHUTDOWN_TIMEOUT_MS after the signal. Default false: a signal while starting exits 0 at once,
   * which suits a service that holds nothing outliving the process until it is up.
   */
  abortableStart?: boolean;
}

/** After requests have drained (SHUTDOWN_TIMEOUT_MS), how long closing pools and servers may take. */
const CLOSE_GRACE_MS = 5_000;

/** SIGHUP: the terminal the service runs in was closed. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * Runs a service process: starts it, and on SIGTERM, SIGINT or SIGHUP stops it (draining in-flight
 * work, up to SHUTDOWN_TIMEOUT_MS, then CLOSE_GRACE_MS to close pools) and exits 0; a stop that
 * takes longer exits 1. A signal while it is still starting exits 0 at once, or, with
 * `abortableStart`, once the start has wound down. Signals while stopping are ignored: under npm a
 * terminal's Ctrl-C arrives twice (from the terminal, and forwarded by npm).
 *
 * A bad configuration or a failed start exits 1 with the reason. Every exit waits for the log lines
 * written before it to reach stdout (they are buffered).
 */
export async function runService(
  name: string,
  logLevel: string | undefined,
  start: (logger: Logger, signal: AbortSignal) => Promise<Stoppable>,
  options: RunServiceOptions = {},
): Promise<void> {
  const logger = createLogger(name, logLevel ?? 'info');
  let exiting = false;
  const exit = (code: number) => {
    if (exiting) return;
    exiting = true;
    void flushLogs().then(() => process.exit(code));
  };
  const stop = (service: Stoppable) =>
    service.stop().then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  const exitAfter = (deadlineMs: number, signal: NodeJS.Signals) =>
    setTimeout(() => {
      logger.error({ signal, deadlineMs }, 'did not stop in time; exiting');
      exit(1);
    }, deadlineMs).unref();

  let shutdownTimeoutMs = 0;
  let service: Stoppable | undefined;
  const starting = new AbortController();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    if (service) {
      logger.info({ signal }, 'shutting down');
      exitAfter(shutdownTimeoutMs + CLOSE_GRACE_MS, signal);
      void stop(service);
    } else if (options.abortableStart) {
      logger.info({ signal }, 'stopping while starting');
      exitAfter(shutdownTimeoutMs, signal);
      starting.abort();
    } else {
      logger.info({ signal }, 'stopped while starting');
      exit(0);
    }
  };

  try {
    shutdownTimeoutMs = loadConfig({ SHUTDOWN_TIMEOUT_MS: commonEnv.SHUTDOWN_TIMEOUT_MS }).SHUTDOWN_TIMEOUT_MS;
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    service = await start(logger, starting.signal);
  } catch (error) {
    if (starting.signal.aborted) {
      logger.info('stopped while starting');
      exit(0);
    } else if (error instanceof ConfigError) {
      console.error(error.message);
      exit(1);
    } else {
      logger.fatal({ err: error }, 'start failed');
      exit(1);
    }
    return;
  }
  // A signal while starting: an abortable start that completed all the same is stopped.
  if (stopping && !exiting) void stop(service);
}
