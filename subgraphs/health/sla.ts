import type { HealthRepository, WindowStats } from './health-repository.js';
import { slaTargetOf, type ComponentKind, type SlaTargets } from './health-rules.js';
import { p95OfHistogram } from './router-traffic.js';

export type SlaWindow = 'LAST_HOUR' | 'LAST_DAY' | 'LAST_WEEK';

export interface SlaReport {
  integration: string;
  kind: ComponentKind;
  window: SlaWindow;
  samples: number;
  availability: number | null;
  availabilityTarget: number;
  p95LatencyMs: number | null;
  p95LatencyTargetMs: number;
  errorRate: number | null;
  errorRateTarget: number;
  compliant: boolean;
  breaches: string[];
}

/** `part` of `whole` in percent, to three decimals; null of nothing. */
export const percentOf = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 100_000) / 1_000 : null);

/** Percent of checks that found the component not DOWN; null without checks. */
export function availabilityOf(stats: WindowStats): number | null {
  return percentOf(stats.up, stats.checks);
}

/** Failed operations (or deliveries) of all, where the component reported any; else failed checks of all checks. */
export function errorRateOf(stats: WindowStats): number | null {
  return stats.requests > 0 ? percentOf(stats.errors, stats.requests) : percentOf(stats.checks - stats.up, stats.checks);
}

export function p95Of(stats: WindowStats): number | null {
  return p95OfHistogram(stats.latencyHist);
}

/** Each integration with checks in the window, against its targets; a number that is null breaches nothing. */
export async function slaReports(repository: HealthRepository, targets: SlaTargets | undefined, window: SlaWindow): Promise<SlaReport[]> {
  return (await repository.slaStats(window)).map((stats) => {
    const target = slaTargetOf(targets, stats.component, stats.kind);
    const availability = availabilityOf(stats);
    const p95LatencyMs = p95Of(stats);
    const errorRate = errorRateOf(stats);
    const breaches = [
      ...(availability !== null && availability < target.availability ? ['availability'] : []),
      ...(p95LatencyMs !== null && p95LatencyMs > target.p95LatencyMs ? ['p95LatencyMs'] : []),
      ...(errorRate !== null && errorRate > target.errorRate ? ['errorRate'] : []),
    ];
    return {
      integration: stats.component,
      kind: stats.kind,
      window,
      samples: stats.checks,
      availability,
      availabilityTarget: target.availability,
      p95LatencyMs,
      p95LatencyTargetMs: target.p95LatencyMs,
      errorRate,
      errorRateTarget: target.errorRate,
      compliant: breaches.length === 0,
      breaches,
    };
  });
}
