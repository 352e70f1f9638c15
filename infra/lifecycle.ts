import { ConfigError } from './config.js';
import { createLogger, type Logger } from './logger.js';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Runs a service process: starts it, and on SIGTERM or SIGINT stops it (draining in-flight
 * work) and exits 0. A bad configuration or a failed start exits 1 with the reason.
 */
export async function runService(name: string, logLevel: string | undefined, start: (logger: Logger) => Promise<Stoppable>): Promise<void> {
  const logger = createLogger(name, logLevel ?? 'info');
  let service: Stoppable;
  try {
    service = await start(logger);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
    } else {
      logger.fatal({ err: error }, 'start failed');
    }
    process.exit(1);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await service.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
