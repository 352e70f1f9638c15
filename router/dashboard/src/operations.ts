/**
 * What the dashboard asks the hub, and the shapes of the answers (schema/health.graphql). Every
 * field needs the `health:read` scope. Each panel has its own operation, so a field the router
 * does not serve, or an error in one, costs that panel only.
 */

export type HealthStatus = 'UP' | 'DEGRADED' | 'DOWN';
export type AlertSeverity = 'CRITICAL' | 'WARNING' | 'INFO';

export interface HealthComponent {
  name: string;
  kind: string;
  status: HealthStatus;
  latencyMs: number | null;
  checkedAt: string;
  details: Record<string, unknown> | null;
  circuit: { state: string; failures: number | null; openedAt: string | null } | null;
}

export interface Health {
  status: HealthStatus;
  checkedAt: string;
  components: HealthComponent[];
}

export const HEALTH = /* GraphQL */ `
  query DashboardHealth {
    health {
      status
      checkedAt
      components { name kind status latencyMs checkedAt details circuit { state failures openedAt } }
    }
  }
`;

export interface TrafficPoint {
  at: string;
  requestRate: number;
  p95LatencyMs: number | null;
  errorRate: number | null;
  cacheHitRatio: number | null;
}

export const TRAFFIC = /* GraphQL */ `
  query DashboardTraffic {
    traffic(minutes: 60) { at requestRate p95LatencyMs errorRate cacheHitRatio }
  }
`;

export interface Alert {
  id: string;
  rule: string;
  severity: AlertSeverity;
  state: 'FIRING' | 'RESOLVED';
  component: string;
  message: string;
  value: number | null;
  threshold: number | null;
  raisedAt: string;
  resolvedAt: string | null;
}

const ALERT_FIELDS = 'id rule severity state component message value threshold raisedAt resolvedAt';

/** The firing alerts, newest first: the first 100 (the most a page holds) and how many there are. */
export const ACTIVE_ALERTS = /* GraphQL */ `
  query DashboardAlerts {
    alerts(active: true, first: 100) { totalCount edges { node { ${ALERT_FIELDS} } } }
  }
`;

export interface AlertConnection {
  totalCount: number;
  edges: { node: Alert }[];
}

/** Raised and resolved alerts: a resolved one leaves the list without waiting for the next refresh. */
export const ALERT_RAISED = /* GraphQL */ `
  subscription DashboardAlertRaised {
    alertRaised(resolved: true) { ${ALERT_FIELDS} }
  }
`;

export const HEALTH_CHANGED = /* GraphQL */ `
  subscription DashboardHealthChanged {
    healthChanged { id component status overall at }
  }
`;

export interface HubEventNotice {
  id: string;
  type: string;
  source: string;
  subjectType: string;
  subjectId: string;
  occurredAt: string;
}

/** With `after`, a reconnected tail first gets what it missed. */
export const HUB_EVENTS = /* GraphQL */ `
  subscription DashboardHubEvents($after: ID) {
    hubEvents(after: $after) { id type source subjectType subjectId occurredAt }
  }
`;
