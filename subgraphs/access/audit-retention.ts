import type { Logger } from '../../infra/logger.js';
import type { AccessRepository } from './access-repository.js';

/** Prunes audit records older than `retentionDays`: once at start, then every hour. Returns its stop. */
export function startAuditRetention(repository: AccessRepository, retentionDays: number, logger: Logger): () => void {
  const prune = () =>
    repository
      .pruneAuditRecords(new Date(Date.now() - retentionDays * 86_400_000))
      .then((count) => count > 0 && logger.info({ count }, 'pruned audit records past retention'))
      .catch((error: unknown) => logger.warn({ err: error }, 'pruning audit records failed'));
  void prune();
  const timer = setInterval(prune, 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
