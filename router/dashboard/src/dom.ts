/**
 * DOM helpers. Everything the hub sends (event types, alert messages, component details) is put
 * in as text, never as markup.
 */

type Child = Node | string | number | null | undefined | false;

/** An element with attributes (`class`, `data-*`, `title`, ...) and children; text children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string | number | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, String(value));
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(typeof child === 'number' ? String(child) : child);
  return element;
}

/** The element with `id`; the page's markup (index.html) has every one the code asks for. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no #${id}`);
  return element as T;
}

/**
 * One panel of the page: its content, its error line and its "updated" time. A panel's error
 * stays in the panel, so one failing field leaves the others showing.
 */
export class Panel {
  private readonly error: HTMLElement;
  private readonly updated: HTMLElement | null;

  constructor(readonly element: HTMLElement) {
    this.error = element.querySelector<HTMLElement>('.panel-error') ?? element.appendChild(h('p', { class: 'panel-error', role: 'status' }));
    this.updated = element.querySelector<HTMLElement>('.panel-updated');
  }

  /** The panel shows current data: its error goes away. */
  ok(at: Date = new Date()): void {
    this.element.dataset.state = 'ok';
    this.error.hidden = true;
    this.error.textContent = '';
    if (this.updated) {
      this.updated.textContent = `updated ${clock(at)}`;
      this.updated.setAttribute('datetime', at.toISOString());
    }
  }

  /** The panel could not get its data; what it showed before stays, marked stale. */
  failed(message: string): void {
    this.element.dataset.state = 'error';
    this.error.hidden = false;
    this.error.textContent = message;
  }
}

/** hh:mm:ss in the operator's time zone. */
export function clock(at: Date | string): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** "12 s ago", "3 min ago", or the time of day for anything older than an hour. */
export function ago(at: Date | string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - new Date(at).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return clock(at);
}

/** A number with at most `digits` decimals and the unit, or an en dash when it was not measured. */
export function figure(value: number | null | undefined, unit = '', digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${value.toLocaleString(undefined, { maximumFractionDigits: digits })}${unit}`;
}
