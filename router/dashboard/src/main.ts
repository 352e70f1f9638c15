import { AlertsPanel } from './alerts-panel.js';
import { credentialHeaders, storedToken, storeToken, takeTokenFromFragment } from './credentials.js';
import { byId, Panel } from './dom.js';
import { EventsTail } from './events-tail.js';
import { HealthPanels } from './health-panel.js';
import { HubClient, HubProblem } from './hub-client.js';
import * as operations from './operations.js';
import type { Alert, AlertConnection, Health, HubEventNotice, TrafficPoint } from './operations.js';
import { TrafficCharts } from './traffic-charts.js';

/** How often the panels ask again; a health change asks at once. */
const REFRESH_MS = 5_000;

/**
 * The operator dashboard: a sign-in form, then panels fed by the hub's GraphQL API with the
 * operator's token (see operations.ts). The panels are made once; signing in starts a session
 * (a client, a refresh timer, three subscriptions) and signing out, or a refused token, ends it.
 */
class Dashboard {
  private readonly signIn = byId<HTMLFormElement>('sign-in');
  private readonly signInMessage = byId('sign-in-message');
  private readonly panels = byId('panels');
  private readonly connection = byId('connection');
  private readonly health = new HealthPanels(byId('health-panel'), byId('queues-panel'), byId('overall'));
  private readonly traffic = new TrafficCharts([new Panel(byId('traffic-panel')), new Panel(byId('cache-panel'))], document);
  private readonly alerts = new AlertsPanel(byId('alerts-panel'));
  private readonly tail = new EventsTail(byId('events-panel'));
  /** Ends the running session; undefined while signed out. */
  private stopSession: (() => void) | undefined;

  constructor() {
    this.signIn.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = byId<HTMLInputElement>('token').value.trim();
      if (!token) return this.askForToken('Paste a bearer token or an API key.');
      byId<HTMLInputElement>('token').value = '';
      storeToken(token);
      this.start(token);
    });
    byId('sign-out').addEventListener('click', () => {
      this.end();
      storeToken(undefined);
      this.askForToken('Signed out.');
    });
  }

  open(): void {
    const token = takeTokenFromFragment() ?? storedToken();
    if (!token) return this.askForToken();
    storeToken(token);
    this.start(token);
  }

  private askForToken(message = ''): void {
    this.panels.hidden = true;
    byId('sign-out').hidden = true;
    this.signIn.hidden = false;
    this.signInMessage.textContent = message;
    this.signInMessage.hidden = !message;
    byId<HTMLInputElement>('token').focus();
  }

  private start(token: string): void {
    this.end();
    this.signIn.hidden = true;
    this.panels.hidden = false;
    byId('sign-out').hidden = false;
    const client = new HubClient(credentialHeaders(token), (open) => {
      this.connection.dataset.state = open ? 'open' : 'closed';
      this.connection.textContent = open ? 'live' : 'reconnecting…';
      if (open) this.tail.listening();
    });
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let healthSoon: ReturnType<typeof setTimeout> | undefined;
    /** Every failure goes through here: refused credentials end the session; the rest stay in their panel. */
    const problem = (show: (message: string) => void) => (error: unknown) => {
      if (stopped) return;
      const cause = error instanceof HubProblem ? error : new HubProblem(String(error), 'failed');
      if (cause.kind !== 'credentials') return show(cause.message);
      this.end();
      storeToken(undefined);
      this.askForToken(cause.message);
    };
    /** Runs a query and hands its data to `show` unless the session ended meanwhile. */
    const load = <Data>(operation: string, show: (data: Data) => void, failed: (message: string) => void) =>
      client.query<Data>(operation).then((data) => {
        if (!stopped) show(data);
      }, problem(failed));
    const refreshHealth = () => load<{ health: Health }>(operations.HEALTH, ({ health }) => this.health.show(health), (message) => this.health.failed(message));
    const refresh = async () => {
      // A tab in the background does not poll; it asks again when it is shown.
      if (!document.hidden)
        await Promise.all([
          refreshHealth(),
          load<{ traffic: TrafficPoint[] }>(operations.TRAFFIC, ({ traffic }) => this.traffic.show(traffic), (message) => this.traffic.failed(message)),
          load<{ alerts: AlertConnection }>(operations.ACTIVE_ALERTS, ({ alerts }) => this.alerts.show(alerts), (message) => this.alerts.failed(message)),
        ]);
      if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
    };
    const onVisible = () => {
      if (document.hidden || stopped) return;
      clearTimeout(timer);
      void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    const unsubscribe = [
      // A change is a reason to read the whole picture again (at most every 250 ms), not a patch to apply.
      client.live(operations.HEALTH_CHANGED, () => ({}), {
        next: () => {
          healthSoon ??= setTimeout(() => {
            healthSoon = undefined;
            void refreshHealth();
          }, 250);
        },
        problem: problem((message) => this.health.failed(message)),
      }),
      client.live<{ alertRaised: Alert }>(operations.ALERT_RAISED, () => ({}), {
        next: ({ alertRaised }) => this.alerts.raised(alertRaised),
        problem: problem((message) => this.alerts.failed(message)),
      }),
      client.live<{ hubEvents: HubEventNotice }>(operations.HUB_EVENTS, () => this.tail.variables(), {
        next: ({ hubEvents }) => this.tail.add(hubEvents),
        problem: problem((message) => this.tail.failed(message)),
      }),
    ];
    void refresh();
    this.stopSession = () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(healthSoon);
      document.removeEventListener('visibilitychange', onVisible);
      for (const stop of unsubscribe) stop();
      void client.close();
      this.connection.dataset.state = 'closed';
      this.connection.textContent = 'offline';
    };
  }

  private end(): void {
    this.stopSession?.();
    this.stopSession = undefined;
  }
}

new Dashboard().open();
