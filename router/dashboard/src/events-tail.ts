import { clock, h, Panel } from './dom.js';
import type { HubEventNotice } from './operations.js';

/** Rows the tail keeps; older ones drop off the bottom. */
const MAX_ROWS = 100;

/**
 * The live tail of hub events (`hubEvents`), newest on top. It remembers the last event's id so
 * that a subscription started again after a lost connection resumes after it, and ignores an
 * event it already shows.
 */
export class EventsTail {
  private readonly panel: Panel;
  private readonly body: HTMLTableSectionElement;
  private readonly shown = new Set<string>();
  private lastId: string | undefined;

  constructor(element: HTMLElement) {
    this.panel = new Panel(element);
    this.body = element.querySelector('tbody')!;
    this.body.replaceChildren(this.placeholder());
  }

  /** The subscription's variables: after the last event shown, if any. */
  variables(): Record<string, unknown> {
    return this.lastId === undefined ? {} : { after: this.lastId };
  }

  add(event: HubEventNotice): void {
    this.panel.ok();
    if (this.shown.has(event.id)) return;
    this.lastId = event.id;
    this.shown.add(event.id);
    this.body.querySelector('.empty')?.closest('tr')?.remove();
    this.body.prepend(
      h(
        'tr',
        { 'data-event-id': event.id, 'data-type': event.type, 'data-subject-id': event.subjectId },
        h('td', { class: 'time' }, h('time', { datetime: event.occurredAt }, clock(event.occurredAt))),
        h('td', { class: 'type' }, h('code', {}, event.type)),
        h('td', { class: 'subject' }, `${event.subjectType} `, h('span', { class: 'muted' }, event.subjectId)),
        h('td', { class: 'source muted' }, event.source),
      ),
    );
    while (this.body.rows.length > MAX_ROWS) {
      const oldest = this.body.rows[this.body.rows.length - 1]!;
      this.shown.delete(oldest.dataset.eventId ?? '');
      oldest.remove();
    }
  }

  /** The socket is open (again): an error about losing it goes. */
  listening(): void {
    this.panel.ok();
  }

  failed(message: string): void {
    this.panel.failed(message);
  }

  private placeholder(): HTMLTableRowElement {
    return h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'Waiting for events…'));
  }
}
