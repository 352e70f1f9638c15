import { ago, figure, h, Panel } from './dom.js';
import type { Health, HealthComponent, HealthStatus } from './operations.js';

/** Worst first, so that what needs a look is at the top. */
const STATUS_ORDER: Record<HealthStatus, number> = { DOWN: 0, DEGRADED: 1, UP: 2 };

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: 'badge', 'data-status': status }, status);
}

/** A few of the check's findings as `key: value` (only plain values; the full object is in the row's title). */
function detailSummary(details: HealthComponent['details']): string {
  if (!details || typeof details !== 'object') return '';
  return Object.entries(details)
    .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
    .slice(0, 4)
    .map(([key, value]) => `${key}: ${String(value).slice(0, 80)}`)
    .join(' · ');
}

function circuitText(circuit: HealthComponent['circuit']): string {
  if (!circuit) return '–';
  const failures = circuit.failures ? `, ${circuit.failures} failures` : '';
  const opened = circuit.openedAt ? `, opened ${ago(circuit.openedAt)}` : '';
  return `${circuit.state.replace('_', '-').toLowerCase()}${failures}${opened}`;
}

/** A number from a check's details (queues report `depth` and `deadLetters`), or null. */
function count(details: HealthComponent['details'], key: string): number | null {
  const value = details?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The health panel (the hub's status and each component's) and the queues panel (each queue
 * component's depth and dead letters): both come from one `health` query.
 */
export class HealthPanels {
  private readonly health: Panel;
  private readonly queues: Panel;

  constructor(
    healthElement: HTMLElement,
    queuesElement: HTMLElement,
    private readonly overall: HTMLElement,
  ) {
    this.health = new Panel(healthElement);
    this.queues = new Panel(queuesElement);
  }

  show(health: Health): void {
    this.overall.textContent = health.status;
    this.overall.dataset.status = health.status;
    const components = [...health.components].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name));
    const summary = this.health.element.querySelector('.health-summary')!;
    const down = components.filter((component) => component.status !== 'UP').length;
    summary.replaceChildren(statusBadge(health.status), ` ${components.length} components, ${down} not up · checked ${ago(health.checkedAt)}`);
    this.health.element.querySelector('tbody')!.replaceChildren(
      ...components.map((component) =>
        h(
          'tr',
          { 'data-component': component.name, 'data-status': component.status },
          h('td', { 'data-label': 'Status' }, statusBadge(component.status)),
          h('td', { 'data-label': 'Component', class: 'name' }, component.name, h('small', {}, component.kind.replace(/_/g, ' ').toLowerCase())),
          h('td', { 'data-label': 'Latency', class: 'number' }, figure(component.latencyMs, ' ms')),
          h('td', { 'data-label': 'Circuit' }, circuitText(component.circuit)),
          h('td', { 'data-label': 'Details', class: 'details', title: JSON.stringify(component.details ?? {}) }, detailSummary(component.details)),
        ),
      ),
    );
    this.health.ok();
    this.showQueues(components.filter((component) => component.kind === 'QUEUE'));
  }

  private showQueues(queues: HealthComponent[]): void {
    const rows = queues
      .map((queue) => ({ queue, depth: count(queue.details, 'depth'), dead: count(queue.details, 'deadLetters') }))
      .sort((a, b) => (b.dead ?? 0) - (a.dead ?? 0) || (b.depth ?? 0) - (a.depth ?? 0) || a.queue.name.localeCompare(b.queue.name));
    const waiting = rows.reduce((sum, row) => sum + (row.depth ?? 0), 0);
    const dead = rows.reduce((sum, row) => sum + (row.dead ?? 0), 0);
    this.queues.element.querySelector('.queue-totals')!.replaceChildren(
      h('span', { class: 'stat' }, h('strong', {}, figure(rows.length, '', 0)), ' queues'),
      h('span', { class: 'stat' }, h('strong', {}, figure(waiting, '', 0)), ' waiting'),
      h('span', { class: 'stat', 'data-alarm': dead > 0 ? 'true' : undefined }, h('strong', {}, figure(dead, '', 0)), ' dead letters'),
    );
    const body = this.queues.element.querySelector('tbody')!;
    if (rows.length === 0) body.replaceChildren(h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No queues')));
    else
      body.replaceChildren(
        ...rows.map(({ queue, depth, dead }) =>
          h(
            'tr',
            { 'data-queue': queue.name },
            h('td', { class: 'name' }, queue.name.replace(/^queue:/, '')),
            h('td', { class: 'number' }, figure(depth, '', 0)),
            h('td', { class: 'number', 'data-alarm': dead ? 'true' : undefined }, figure(dead, '', 0)),
            h('td', {}, statusBadge(queue.status)),
          ),
        ),
      );
    this.queues.ok();
  }

  failed(message: string): void {
    this.health.failed(message);
    this.queues.failed(message);
    this.overall.textContent = '?';
    this.overall.dataset.status = 'UNKNOWN';
  }
}
