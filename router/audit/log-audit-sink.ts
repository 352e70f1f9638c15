import type { AuditRecord, AuditSink } from './audit.js';
import type { Logger } from '../../infra/logger.js';

/** Audit records as log lines (`msg: "audit"`), for a router without a database. */
export class LogAuditSink implements AuditSink {
  constructor(private readonly logger: Logger) {}

  record(entry: AuditRecord): void {
    this.logger.info({ audit: { ...entry, at: entry.at.toISOString() } }, 'audit');
  }

  async close(): Promise<void> {}
}
