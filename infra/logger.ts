import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout, one line per event; `service` and, per request, `requestId` are on every line. */
export function createLogger(service: string, level: string = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization'], remove: true },
  });
}
