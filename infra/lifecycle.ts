import { ConfigError } from './config.js';
import { createLogger, type Logger } from './logger.js';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Runs a service process: starts it, and on SIGTERM or SIGINT stops it (draining in-flight
 * work) and exits 0. A signal while it is still starting (waiting for PostgreSQL, say) exits 0
 * at once: it serves nothing yet. A bad configuration or a failed start exits 1 with the reason.
 */
export async function runService(name: string, logLevel: string | undefined, start: (logger: Logger) => Promise<Stoppable>): Promise<void> {
  const logger = createLogger(name, logLevel ?? 'info');
  let shutdown: (signal: string) => void = (signal) => {
    logger.info({ signal }, 'stopped while starting');
    process.exit(0);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  let service: Stoppable;
  try {
    service = await start(logger);
  } catch (error) {
    if (error instanceof ConfigError) console.error(error.message);
    else logger.fatal({ err: error }, 'start failed');
    process.exit(1);
  }

  let stopping = false;
  shutdown = (signal) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    service.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
}
