import type { Kysely } from 'kysely';
import type { AlertRow, ComponentRow, HealthRepository, WindowStats } from './health-repository.js';
import { ruleCovers, type AlertMetric, type AlertRule } from './health-rules.js';
import { errorRateOf, p95Of } from './sla.js';

const STATUS_VALUE = { UP: 0, DEGRADED: 1, DOWN: 2 } as const;

const numberIn = (details: Record<string, unknown>, key: string): number | undefined => (typeof details[key] === 'number' ? details[key] : undefined);

/** What a rule's metric reads of a component; undefined where it does not apply (never fires). */
interface Measures {
  now: number;
  /** Each rule window's checks, by window minutes. */
  windows: Map<number, Map<string, WindowStats>>;
  /** When each component's circuit was first seen not closed, for circuits that do not say when they opened. */
  openSince: Map<string, number>;
  slaBreaches: Map<string, number>;
}

function measure(rule: AlertRule, component: ComponentRow, measures: Measures): number | undefined {
  const { details } = component;
  switch (rule.metric) {
    case 'status':
      return STATUS_VALUE[component.status];
    case 'circuitOpenSeconds': {
      if (!component.circuit || component.circuit.state === 'CLOSED') return undefined;
      const openedAt = component.circuit.openedAt ? Date.parse(component.circuit.openedAt) : measures.openSince.get(component.name);
      return openedAt === undefined ? 0 : Math.max(0, (measures.now - openedAt) / 1000);
    }
    case 'errorRate': {
      const stats = measures.windows.get(rule.windowMinutes)?.get(component.name);
      return stats ? (errorRateOf(stats) ?? undefined) : undefined;
    }
    case 'p95LatencyMs': {
      const stats = measures.windows.get(rule.windowMinutes)?.get(component.name);
      return stats ? (p95Of(stats) ?? undefined) : undefined;
    }
    case 'queueDepth':
      return component.kind === 'QUEUE' ? numberIn(details, 'depth') : undefined;
    case 'deadLetters':
      return component.kind === 'QUEUE' || component.kind === 'WEBHOOK_ENDPOINT' ? numberIn(details, 'deadLetters') : undefined;
    case 'consumerLagSeconds':
      return component.kind === 'QUEUE' ? numberIn(details, 'oldestAgeSeconds') : undefined;
    case 'eventLag':
      return component.kind === 'EVENT_STORE' ? numberIn(details, 'maxLag') : undefined;
    case 'slaBreaches':
      return measures.slaBreaches.get(component.name);
    default: {
      const unknown: never = rule.metric;
      throw new Error(`unknown alert metric ${String(unknown)}`);
    }
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

function describe(metric: AlertMetric, value: number, component: ComponentRow, rule: AlertRule): string {
  switch (metric) {
    case 'status':
      return `is ${component.status}`;
    case 'circuitOpenSeconds':
      return `circuit ${component.circuit?.state ?? 'OPEN'} for ${Math.round(value)} s`;
    case 'errorRate':
      return `error rate ${round(value)}% over ${rule.windowMinutes} min`;
    case 'p95LatencyMs':
      return `p95 ${round(value)} ms over ${rule.windowMinutes} min`;
    case 'queueDepth':
      return `${value} messages waiting`;
    case 'deadLetters':
      return `${value} dead letters`;
    case 'consumerLagSeconds':
      return `oldest message waiting ${value} s`;
    case 'eventLag':
      return `a consumer ${value} events behind`;
    case 'slaBreaches':
      return `misses ${value} SLA target${value === 1 ? '' : 's'} over the last hour`;
  }
}

/**
 * The alert rules applied to each round's components. A rule fires for a component once its
 * value has been above the threshold for `forSeconds` (counted from the first round that saw it
 * above; this is kept by the replica that runs the rounds, so a new one counts again); it
 * resolves at the first round that finds it at or below, or the component gone. Firing alerts
 * are rows, so they outlive restarts and a change of replica.
 */
export class AlertEngine {
  private readonly pending = new Map<string, number>();
  private readonly openSince = new Map<string, number>();
  private slaBreaches = new Map<string, number>();

  constructor(
    private readonly rules: readonly AlertRule[],
    private readonly repository: HealthRepository,
  ) {}

  /** The windows (minutes) the rules need checks of, read before each round's transaction. */
  windows(): number[] {
    return [...new Set(this.rules.filter((rule) => rule.metric === 'errorRate' || rule.metric === 'p95LatencyMs').map((rule) => rule.windowMinutes))];
  }

  /** Whether a rule reads the SLA (then the monitor refreshes it once a minute). */
  readsSla(): boolean {
    return this.rules.some((rule) => rule.metric === 'slaBreaches');
  }

  setSlaBreaches(breaches: Map<string, number>): void {
    this.slaBreaches = breaches;
  }

  /** Raises and resolves alerts in `trx` (with their events); returns what it raised and resolved. */
  async evaluate(trx: Kysely<any>, components: readonly ComponentRow[], windows: Map<number, Map<string, WindowStats>>, requestId: string, now = Date.now()): Promise<{ raised: AlertRow[]; resolved: AlertRow[] }> {
    for (const component of components) {
      const open = component.circuit && component.circuit.state !== 'CLOSED';
      if (!open) this.openSince.delete(component.name);
      else if (!this.openSince.has(component.name)) this.openSince.set(component.name, now);
    }
    const measures: Measures = { now, windows, openSince: this.openSince, slaBreaches: this.slaBreaches };
    const firing = new Map((await this.repository.firingAlerts(trx)).map((alert) => [`${alert.rule}\n${alert.component}`, alert]));
    const holding = new Set<string>();
    const raised: AlertRow[] = [];
    for (const rule of this.rules) {
      for (const component of components) {
        if (!ruleCovers(rule, component)) continue;
        const key = `${rule.name}\n${component.name}`;
        const value = measure(rule, component, measures);
        if (value === undefined || !(value > rule.above)) continue;
        holding.add(key);
        const since = this.pending.get(key) ?? now;
        this.pending.set(key, since);
        if (firing.has(key) || now - since < rule.forSeconds * 1000) continue;
        const alert = await this.repository.raise(
          trx,
          {
            rule: rule.name,
            severity: rule.severity,
            component: component.name,
            message: `${component.name} ${describe(rule.metric, value, component, rule)} (threshold ${rule.above}${rule.forSeconds > 0 ? ` for ${rule.forSeconds} s` : ''})`,
            value: round(value),
            threshold: rule.above,
          },
          requestId,
        );
        if (alert) raised.push(alert);
      }
    }
    for (const key of this.pending.keys()) if (!holding.has(key)) this.pending.delete(key);
    const resolved: AlertRow[] = [];
    // Firing alerts whose condition no longer holds, whose component is gone, or whose rule was removed from the configuration.
    for (const [key, alert] of firing) {
      if (holding.has(key)) continue;
      const done = await this.repository.resolve(trx, alert.id, requestId);
      if (done) resolved.push(done);
    }
    return { raised, resolved };
  }
}
