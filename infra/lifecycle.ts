import { ConfigError } from './config.js';
import { createLogger, flushLogs, type Logger } from './logger.js';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Runs a service process: starts it, and on SIGTERM or SIGINT stops it (draining in-flight
 * work) and exits 0. A signal while it is still starting (waiting for PostgreSQL, say) exits 0
 * at once: it serves nothing yet. A bad configuration or a failed start exits 1 with the reason.
 * Every exit waits for the log lines written before it to reach stdout (they are buffered).
 */
export async function runService(name: string, logLevel: string | undefined, start: (logger: Logger) => Promise<Stoppable>): Promise<void> {
  const logger = createLogger(name, logLevel ?? 'info');
  let exiting = false;
  const exit = (code: number) => {
    if (exiting) return;
    exiting = true;
    void flushLogs().then(() => process.exit(code));
  };
  let shutdown: (signal: string) => void = (signal) => {
    logger.info({ signal }, 'stopped while starting');
    exit(0);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  let service: Stoppable;
  try {
    service = await start(logger);
  } catch (error) {
    if (error instanceof ConfigError) console.error(error.message);
    else logger.fatal({ err: error }, 'start failed');
    exit(1);
    return;
  }

  let stopping = false;
  shutdown = (signal) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
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
  };
}
