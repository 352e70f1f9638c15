import { AggregatorRegistry, collectDefaultMetrics, Counter, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

export { Registry };

/**
 * Metrics are kept per service, in a prom-client `Registry` of its own (never prom-client's global
 * default registry), so that the services of one process (`npm start`, the test hub) do not collide
 * and each series says which service it is from (the `service` label every series carries).
 * A service without a registry (METRICS=false) measures nothing: every instrumented place checks
 * for `undefined` once, when it is built, not per request.
 */
export function createMetricsRegistry(service: string, options: { processMetrics: boolean }): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // prom-client's process and Node.js runtime metrics (CPU, memory, event loop delay, GC, handles).
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Buckets, in seconds, for request durations: 1 ms to 10 s. */
export const DURATION_BUCKETS: readonly number[] = Object.freeze([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/** Buckets, in seconds, for calls out of the hub (SAP, webhook receivers): 5 ms to 60 s. */
export const OUTBOUND_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]);

export interface MirroredCounterOptions<Label extends string> {
  name: string;
  help: string;
  labelNames?: readonly Label[];
  /**
   * Reads the running totals (never decreasing) that some part of the service already keeps, at
   * each scrape: one entry per label set.
   */
  read(): Iterable<{ labels: Partial<Record<Label, string>>; value: number }>;
}

/**
 * A counter whose values are totals kept elsewhere (the response cache's counters, a circuit
 * breaker's transitions): copied in when /metrics is read, so the hot path pays nothing for it.
 */
export function mirroredCounter<Label extends string>(registry: Registry, options: MirroredCounterOptions<Label>): Counter<Label> {
  const seen = new Map<string, number>();
  return new Counter<Label>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames ?? [],
    registers: [registry],
    collect() {
      for (const { labels, value } of options.read()) {
        const key = JSON.stringify(labels);
        const before = seen.get(key) ?? 0;
        if (value > before) this.inc(labels, value - before);
        // A total that went down (its keeper was replaced) starts counting again from there.
        seen.set(key, value);
      }
    },
  });
}

/**
 * Values for one label, kept bounded: each distinct value admitted gets a series, up to `max` of
 * them; after that, values not yet seen are `overflow`. A value is cut to `maxLength` characters of
 * `[A-Za-z0-9_.-]` (anything else becomes `_`).
 */
export class BoundedLabel {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly max: number,
    private readonly overflow = 'other',
    private readonly maxLength = 64,
  ) {}

  /** The label for `value`; a value not seen before gets its own only when `admit` is true and there is room. */
  of(value: string, admit = true): string {
    const known = this.known.get(value);
    if (known !== undefined) return known;
    if (!admit || this.known.size >= this.max) return this.overflow;
    const label = value.slice(0, this.maxLength).replace(/[^A-Za-z0-9_.-]/g, '_') || '_';
    this.known.set(value, label);
    return label;
  }
}

/**
 * The expositions of several registries (the services of one process) as one: series of the same
 * name are listed under one HELP and TYPE, told apart by their `service` label.
 */
export async function mergedMetrics(registries: readonly Registry[]): Promise<string> {
  if (registries.length === 1) return registries[0]!.metrics();
  const all = await Promise.all(registries.map((registry) => registry.getMetricsAsJSON()));
  // No two registries have a series with the same labels (their `service` differs): "first" keeps each as it is.
  const keepEach = all.map((metrics) => metrics.map((metric: MetricObjectWithValues<MetricValue<string>>) => ({ ...metric, aggregator: 'first' as const })));
  return AggregatorRegistry.aggregate(keepEach).metrics();
}

/** The content type of the Prometheus text exposition. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
