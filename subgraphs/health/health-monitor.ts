import { randomUUID } from 'node:crypto';
import type { Logger } from '../../infra/logger.js';
import type { AlertEngine } from './alert-engine.js';
import type { HealthRepository, HealthView, WindowStats } from './health-repository.js';
import type { SlaTargets } from './health-rules.js';
import type { Probes } from './probes.js';
import { slaReports } from './sla.js';

const MINUTE_MS = 60_000;

export interface HealthMonitorOptions {
  repository: HealthRepository;
  probes: Probes;
  alerts: AlertEngine;
  slaTargets: SlaTargets | undefined;
  /** Called after a round committed (its events are in the store). */
  committed: () => void;
  intervalMs: number;
  timeoutMs: number;
  logger: Logger;
}

/**
 * Runs the rounds of checks: every interval, on the replica that holds the lease (each replica
 * tries; one wins and renews it while it lives), a round probes every component, then stores
 * the checks, the components' state, the status changes and the alerts raised and resolved, with
 * their events, in one transaction. Once a minute it also rolls the checks up by hour and, when
 * a rule reads it, refreshes the SLA report the rules compare.
 */
export class HealthMonitor {
  private readonly holder = `health:${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastMinute = 0;
  private stopped = false;

  constructor(private readonly options: HealthMonitorOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    await this.options.repository.releaseLease(this.holder).catch(() => {});
  }

  /**
   * The stored state; when there is none or it is older than two intervals (no replica has run a
   * round: just started, or the one holding the lease died), a round first, if this replica can take the lease.
   */
  async current(): Promise<HealthView | undefined> {
    const view = await this.options.repository.view();
    const staleAfter = 2 * this.options.intervalMs + this.options.timeoutMs;
    if (view && Date.now() - view.checkedAt.getTime() < staleAfter) return view;
    await this.tick();
    return (await this.options.repository.view()) ?? view;
  }

  /** One round unless one is running (then that one); skipped while another replica holds the lease. */
  tick(): Promise<void> {
    this.running ??= this.round()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'a round of health checks failed'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async round(): Promise<void> {
    const { repository, probes, alerts, logger } = this.options;
    if (this.stopped) return;
    // The lease outlives a missed round or two, so that a slow round does not hand it over.
    if (!(await repository.takeLease(this.holder, 3 * this.options.intervalMs + this.options.timeoutMs))) return;
    const found = await probes.run();
    if (Date.now() - this.lastMinute >= MINUTE_MS) {
      this.lastMinute = Date.now();
      // The past hour's roll-up is final once this hour's first minute has run; LAST_WEEK reads this hour from the checks.
      await repository.rollUp();
      if (alerts.readsSla()) {
        const reports = await slaReports(repository, this.options.slaTargets, 'LAST_HOUR');
        alerts.setSlaBreaches(new Map(reports.map((report) => [report.integration, report.breaches.length])));
      }
    }
    const at = new Date();
    const requestId = `health:${at.toISOString()}`;
    const outcome = await repository.transaction(async (trx) => {
      const { components, changes } = await repository.saveRound(trx, { ...found, at }, requestId);
      // Read in the transaction, after this round's checks: the windows include them.
      const windows = new Map<number, Map<string, WindowStats>>();
      for (const minutes of alerts.windows()) windows.set(minutes, await repository.windowStats(minutes, trx));
      return { changes, ...(await alerts.evaluate(trx, components, windows, requestId, at.getTime())) };
    });
    if (outcome.changes.length + outcome.raised.length + outcome.resolved.length > 0) this.options.committed();
    for (const change of outcome.changes) logger.info({ component: change.component ?? 'hub', status: change.status, previous: change.previousStatus }, 'health status changed');
    for (const alert of outcome.raised) logger.warn({ alert: alert.rule, component: alert.component, severity: alert.severity }, alert.message);
  }
}
