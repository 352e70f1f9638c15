import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { clock, figure, Panel } from './dom.js';
import type { TrafficPoint } from './operations.js';

type Measure = Exclude<keyof TrafficPoint, 'at'>;

interface ChartSpec {
  measure: Measure;
  unit: string;
  digits: number;
  /** A CSS custom property of style.css, so the charts follow the page's light or dark colours. */
  color: string;
}

/** One chart per measure of `traffic`; each draws into the `figure[data-chart=<measure>]` of index.html. */
const CHARTS: readonly ChartSpec[] = [
  { measure: 'requestRate', unit: '/s', digits: 2, color: '--chart-rate' },
  { measure: 'p95LatencyMs', unit: ' ms', digits: 1, color: '--chart-latency' },
  { measure: 'errorRate', unit: ' %', digits: 2, color: '--chart-errors' },
  { measure: 'cacheHitRatio', unit: ' %', digits: 1, color: '--chart-cache' },
];

const HEIGHT = 150;

interface Chart {
  spec: ChartSpec;
  plot: uPlot;
  /** The element uPlot draws into; its width is the chart's. */
  frame: HTMLElement;
  /** The caption's figure: the newest value, or the one under the pointer. */
  figure: HTMLElement;
  latest: string;
}

function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888888';
}

/** Every point of the last hour, oldest first, as uPlot's columns: seconds, then values (null where nothing was measured). */
function columns(points: readonly TrafficPoint[], measure: Measure): [number[], (number | null)[]] {
  const sorted = [...points].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return [sorted.map((point) => Date.parse(point.at) / 1000), sorted.map((point) => point[measure])];
}

/** Time ticks as hh:mm, or hh:mm:ss while the chart spans less than ten minutes (a hub just started). */
function timeTicks(plot: uPlot, splits: number[]): string[] {
  const { min = 0, max = 0 } = plot.scales.x ?? {};
  const options: Intl.DateTimeFormatOptions = max - min < 600 ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false } : { hour: '2-digit', minute: '2-digit', hour12: false };
  return splits.map((seconds) => new Date(seconds * 1000).toLocaleTimeString(undefined, options));
}

/**
 * The traffic charts (request rate, p95 latency, error rate, cache hit ratio) drawn with uPlot.
 * Each chart follows its container's width (ResizeObserver), so the page can be narrow, and says
 * how many points it holds in `data-points`, which the browser test reads. Its caption shows the
 * newest value, or the value under the pointer with its time.
 */
export class TrafficCharts {
  private readonly charts: Chart[] = [];
  private readonly resizes: ResizeObserver;

  constructor(
    private readonly panels: readonly Panel[],
    root: ParentNode,
  ) {
    this.resizes = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const chart = this.charts.find((candidate) => candidate.frame === entry.target);
        const width = Math.floor(entry.contentRect.width);
        if (chart && width > 0 && width !== chart.plot.width) chart.plot.setSize({ width, height: HEIGHT });
      }
    });
    for (const spec of CHARTS) {
      const container = root.querySelector<HTMLElement>(`[data-chart="${spec.measure}"]`);
      if (container) this.charts.push(this.chart(spec, container));
    }
  }

  show(points: readonly TrafficPoint[]): void {
    for (const chart of this.charts) {
      const data = columns(points, chart.spec.measure);
      chart.plot.setData(data);
      chart.frame.parentElement!.dataset.points = String(data[0].length);
      chart.latest = figure(data[1].findLast((value) => value !== null), chart.spec.unit, chart.spec.digits);
      if (chart.plot.cursor.idx === null || chart.plot.cursor.idx === undefined) chart.figure.textContent = chart.latest;
    }
    for (const panel of this.panels) panel.ok();
  }

  failed(message: string): void {
    for (const panel of this.panels) panel.failed(message);
  }

  private chart(spec: ChartSpec, container: HTMLElement): Chart {
    const frame = container.querySelector<HTMLElement>('.plot')!;
    const axis = cssColor('--chart-axis');
    const grid = cssColor('--chart-grid');
    const color = cssColor(spec.color);
    const chart: Chart = { spec, frame, figure: container.querySelector<HTMLElement>('.latest')!, latest: '–', plot: undefined! };
    chart.plot = new uPlot(
      {
        width: Math.max(frame.clientWidth, 200),
        height: HEIGHT,
        // The caption is the legend: one value, no table under each chart.
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
        axes: [
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, space: 72, values: timeTicks },
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 52, values: (_plot, splits) => splits.map((value) => figure(value, '', spec.digits)) },
        ],
        series: [{}, { stroke: color, fill: `${color}22`, width: 2, points: { size: 4 } }],
        hooks: {
          setCursor: [
            (plot) => {
              const index = plot.cursor.idx;
              const at = index === null || index === undefined ? undefined : plot.data[0][index];
              chart.figure.textContent = at === undefined ? chart.latest : `${figure(plot.data[1]![index!], spec.unit, spec.digits)} at ${clock(new Date(at * 1000))}`;
            },
          ],
        },
      },
      [[], []],
      frame,
    );
    this.resizes.observe(frame);
    return chart;
  }
}
