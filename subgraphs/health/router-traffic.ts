import { DURATION_BUCKETS } from '../../infra/metrics/metrics-registry.js';

/**
 * The router's traffic, read from its /metrics (Prometheus text) at each round of checks: the
 * operations answered and failed, their answer times, and the response cache's hits and misses
 * since the round before. The router keeps totals; this keeps the last totals it read and
 * reports the difference (a total smaller than the last read means the router restarted: it
 * counts from zero again).
 */

/** Latency buckets of the stored checks, in ms: the router's DURATION_BUCKETS, then everything slower. */
export const LATENCY_BUCKETS_MS: readonly number[] = Object.freeze(DURATION_BUCKETS.map((seconds) => Math.round(seconds * 1000 * 1000) / 1000));

/** `status` values that count as a failure on the hub's side (as deploy/prometheus's rules count them). */
const SERVER_SIDE = new Set(['INTERNAL_SERVER_ERROR', 'DEPENDENCY_UNAVAILABLE', 'SUBGRAPH_UNAVAILABLE', 'TIMEOUT', 'CIRCUIT_OPEN', 'SAP_UNAVAILABLE', 'SAP_BAD_RESPONSE', 'error']);

interface Totals {
  requests: number;
  errors: number;
  /** Operations per LATENCY_BUCKETS_MS bucket (not cumulative), the last one slower than all. */
  hist: number[];
  cacheHits: number;
  cacheMisses: number;
}

export interface TrafficDelta extends Totals {
  /** Seconds since the read before. */
  seconds: number;
  /** p95 of the operations' answer times, interpolated within its bucket; null without operations. */
  p95Ms: number | null;
}

/** The prefix of the operations the health subgraph's checks send through the router (probes.ts). */
export const OWN_OPERATIONS = 'InterchangeHealth';

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Reads the totals out of the router's /metrics text; undefined when it serves none of them (metrics off). */
export function parseRouterTotals(text: string): Totals | undefined {
  const totals: Totals = { requests: 0, errors: 0, hist: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0), cacheHits: 0, cacheMisses: 0 };
  /** Cumulative counts per `le`, summed over operations. */
  const cumulative = new Map<number, number>();
  let seen = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('api_gateway_request') && !line.startsWith('interchange_response_cache_')) continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const [, name, labelText = '', valueText] = match;
    const value = Number(valueText);
    if (!Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const label of labelText.matchAll(LABEL)) labels[label[1]!] = label[2]!;
    // The health subgraph's own reads are not the hub's traffic.
    if (labels.operation?.startsWith(OWN_OPERATIONS)) continue;
    switch (name) {
      case 'api_gateway_requests_total':
        seen = true;
        totals.requests += value;
        if (SERVER_SIDE.has(labels.status ?? '')) totals.errors += value;
        break;
      case 'api_gateway_request_duration_seconds_bucket': {
        const le = labels.le === '+Inf' ? Infinity : Number(labels.le) * 1000;
        cumulative.set(le, (cumulative.get(le) ?? 0) + value);
        break;
      }
      case 'interchange_response_cache_hits_total':
        totals.cacheHits += value;
        break;
      case 'interchange_response_cache_misses_total':
        totals.cacheMisses += value;
        break;
    }
  }
  if (!seen) return undefined;
  // From cumulative counts per bound to counts per stored bucket (a bound is put in the first stored bucket that holds it).
  let below = 0;
  for (const [le, count] of [...cumulative].sort(([a], [b]) => a - b)) {
    const index = le === Infinity ? LATENCY_BUCKETS_MS.length : LATENCY_BUCKETS_MS.findIndex((bound) => bound >= le - 1e-9);
    totals.hist[index === -1 ? LATENCY_BUCKETS_MS.length : index]! += count - below;
    below = count;
  }
  return totals;
}

/** The p95 of counts per bucket, interpolated linearly within its bucket (as Prometheus's histogram_quantile); null when empty. */
export function p95OfHistogram(hist: readonly number[], quantile = 0.95): number | null {
  const total = hist.reduce((sum, count) => sum + count, 0);
  if (total <= 0) return null;
  const rank = quantile * total;
  let below = 0;
  for (let index = 0; index < hist.length; index++) {
    const count = hist[index]!;
    if (count > 0 && below + count >= rank) {
      // Slower than the last bound: the last bound is all that is known.
      if (index >= LATENCY_BUCKETS_MS.length) return LATENCY_BUCKETS_MS.at(-1)!;
      const lower = index === 0 ? 0 : LATENCY_BUCKETS_MS[index - 1]!;
      const upper = LATENCY_BUCKETS_MS[index]!;
      return Math.round((lower + ((upper - lower) * (rank - below)) / count) * 100) / 100;
    }
    below += count;
  }
  return LATENCY_BUCKETS_MS.at(-1)!;
}

/** One latency as a histogram of one count. */
export function histogramOf(latencyMs: number | null): number[] {
  const hist = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  if (latencyMs === null) return hist;
  const index = LATENCY_BUCKETS_MS.findIndex((bound) => latencyMs <= bound);
  hist[index === -1 ? LATENCY_BUCKETS_MS.length : index] = 1;
  return hist;
}

/** The differences between successive reads of the router's totals. */
export class RouterTraffic {
  private last: { totals: Totals; at: number } | undefined;

  /** The traffic since the last read; undefined on the first read (or after the metrics went missing). */
  next(totals: Totals | undefined, at = Date.now()): TrafficDelta | undefined {
    const last = this.last;
    this.last = totals && { totals, at };
    if (!totals || !last) return undefined;
    // A total below the last read: the router restarted and counts from zero.
    const restarted = totals.requests < last.totals.requests;
    const minus = (now: number, before: number) => (restarted ? now : Math.max(0, now - before));
    const hist = totals.hist.map((count, index) => minus(count, last.totals.hist[index] ?? 0));
    return {
      seconds: Math.max(0.001, (at - last.at) / 1000),
      requests: minus(totals.requests, last.totals.requests),
      errors: minus(totals.errors, last.totals.errors),
      hist,
      cacheHits: minus(totals.cacheHits, last.totals.cacheHits),
      cacheMisses: minus(totals.cacheMisses, last.totals.cacheMisses),
      p95Ms: p95OfHistogram(hist),
    };
  }
}
