import { ago, figure, h, Panel } from './dom.js';
import type { Alert, AlertConnection, AlertSeverity } from './operations.js';

const SEVERITY_ORDER: Record<AlertSeverity, number> = { CRITICAL: 0, WARNING: 1, INFO: 2 };

/**
 * Active alerts: the list `alerts(active: true)` returns, kept current between refreshes by
 * `alertRaised` (a raised alert is added at once, a resolved one removed).
 */
export class AlertsPanel {
  private readonly panel: Panel;
  private readonly active = new Map<string, Alert>();
  /** Alerts that arrived over the subscription since the last render, to be highlighted once. */
  private readonly arrived = new Set<string>();
  /** Firing alerts past the page the query returned. */
  private beyondPage = 0;

  constructor(element: HTMLElement) {
    this.panel = new Panel(element);
  }

  /** The whole list, from a query (its first page: beyond it only the count is shown). */
  show(alerts: AlertConnection): void {
    this.active.clear();
    for (const { node } of alerts.edges) if (node.state === 'FIRING') this.active.set(node.id, node);
    this.beyondPage = Math.max(0, alerts.totalCount - alerts.edges.length);
    this.render();
    this.panel.ok();
  }

  /** One alert from the subscription. */
  raised(alert: Alert): void {
    if (alert.state === 'FIRING') {
      this.active.set(alert.id, alert);
      this.arrived.add(alert.id);
    } else this.active.delete(alert.id);
    this.render();
  }

  failed(message: string): void {
    this.panel.failed(message);
  }

  private render(): void {
    const alerts = [...this.active.values()].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || Date.parse(b.raisedAt) - Date.parse(a.raisedAt));
    this.panel.element.querySelector('.alert-count')!.textContent = String(alerts.length + this.beyondPage);
    const list = this.panel.element.querySelector('ul')!;
    if (alerts.length === 0) {
      list.replaceChildren(h('li', { class: 'empty' }, 'No active alerts'));
      return;
    }
    list.replaceChildren(
      ...alerts.map((alert) =>
        h(
          'li',
          { 'data-alert-id': alert.id, 'data-severity': alert.severity, class: this.arrived.has(alert.id) ? 'alert arrived' : 'alert' },
          h('span', { class: 'badge', 'data-severity': alert.severity }, alert.severity),
          h(
            'div',
            { class: 'alert-body' },
            h('strong', {}, alert.rule),
            ' ',
            h('span', { class: 'muted' }, alert.component),
            h('p', {}, alert.message),
            h('small', { class: 'muted' }, alert.value !== null ? `${figure(alert.value, '', 2)} (threshold ${figure(alert.threshold, '', 2)}) · ` : '', `raised ${ago(alert.raisedAt)}`),
          ),
        ),
      ),
    );
    if (this.beyondPage > 0) list.append(h('li', { class: 'empty' }, `and ${this.beyondPage} more`));
    this.arrived.clear();
  }
}
