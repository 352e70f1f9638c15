import type { Logger } from '../logger.js';

const HOUR_MS = 3_600_000;

/**
 * Removes rows past their retention with `prune(before)`: once at start, then every hour (every
 * replica may run it: deleting what another already deleted is harmless). Logs what it removed as
 * `what`, and a failure as a warning (the next hour tries again). Returns its stop.
 */
export function startRetention(what: string, retentionDays: number, prune: (before: Date) => Promise<number>, logger: Logger): () => void {
  const run = () =>
    prune(new Date(Date.now() - retentionDays * 86_400_000))
      .then((count) => count > 0 && logger.info({ count }, `pruned ${what} past retention`))
      .catch((error: unknown) => logger.warn({ err: error }, `pruning ${what} failed`));
  void run();
  const timer = setInterval(run, HOUR_MS);
  timer.unref();
  return () => clearInterval(timer);
}
