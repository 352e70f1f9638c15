import type { Metric, MetricObjectWithValues, MetricValue, MetricValueWithName } from 'prom-client';
import type { Registry } from './metrics-registry.js';

/**
 * Counters and histograms for the hot path: each series is a cell of plain numbers that the code
 * holds on to, and prom-client only formats them when /metrics is read. prom-client's own label
 * children validate and hash their labels again on every call, an allocation or two per request;
 * these cost an addition (a counter) or a short scan of the buckets (a histogram).
 */

/** One counter series. */
export class CounterCell {
  value = 0;

  inc(by = 1): void {
    this.value += by;
  }

  reset(): void {
    this.value = 0;
  }
}

/** One histogram series: counts per bucket (not cumulative; the last one is +Inf), sum and count. */
export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket++;
    this.counts[bucket]! += 1;
    this.sum += value;
    this.count += 1;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

interface LightMetricOptions<Label extends string> {
  name: string;
  help: string;
  labelNames: readonly Label[];
}

/** What prom-client's Registry needs of a metric: its name, help and type, `get()` and `reset()`. */
abstract class LightMetric<Label extends string, Cell extends { reset(): void }> {
  readonly name: string;
  readonly help: string;
  abstract readonly type: 'counter' | 'histogram';
  readonly aggregator = 'sum' as const;
  protected readonly cells = new Map<string, { labels: Readonly<Record<Label, string>>; cell: Cell }>();

  constructor(registry: Registry, options: LightMetricOptions<Label>) {
    this.name = options.name;
    this.help = options.help;
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series with these labels (made on first use): hold on to it rather than asking per request. */
  cell(labels: Readonly<Record<Label, string>>): Cell {
    const key = JSON.stringify(labels);
    let entry = this.cells.get(key);
    if (!entry) this.cells.set(key, (entry = { labels, cell: this.newCell() }));
    return entry.cell;
  }

  protected abstract newCell(): Cell;

  protected abstract values(): MetricValue<string>[];

  async get(): Promise<MetricObjectWithValues<MetricValue<string>>> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values() } as unknown as MetricObjectWithValues<MetricValue<string>>;
  }

  reset(): void {
    for (const { cell } of this.cells.values()) cell.reset();
  }
}

/** A counter whose series are CounterCells. */
export class LightCounter<Label extends string> extends LightMetric<Label, CounterCell> {
  readonly type = 'counter' as const;

  protected newCell(): CounterCell {
    return new CounterCell();
  }

  protected values(): MetricValue<string>[] {
    return [...this.cells.values()].map(({ labels, cell }) => ({ labels, value: cell.value }));
  }
}

/** A histogram whose series are HistogramCells. */
export class LightHistogram<Label extends string> extends LightMetric<Label, HistogramCell> {
  readonly type = 'histogram' as const;
  private readonly bounds: readonly number[];

  constructor(registry: Registry, options: LightMetricOptions<Label> & { buckets: readonly number[] }) {
    super(registry, options);
    this.bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected newCell(): HistogramCell {
    return new HistogramCell(this.bounds);
  }

  protected values(): MetricValue<string>[] {
    const values: MetricValueWithName<string>[] = [];
    for (const { labels, cell } of this.cells.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += cell.counts[index]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: cell.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: cell.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: cell.count });
    }
    return values;
  }
}
