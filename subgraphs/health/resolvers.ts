import { badUserInput, dependencyUnavailable } from '../../infra/errors.js';
import { connectionResolvers, pageRequest, toConnection } from '../../infra/db/pagination.js';
import type { DomainEvent } from '../../infra/events/event.js';
import { DateTimeScalar, JSONScalar } from '../../infra/graphql/scalars.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { AlertRow } from './health-repository.js';
import { SEVERITIES, type Severity } from './health-rules.js';
import { percentOf, slaReports } from './sla.js';


/** The events of `stream` that `keep` accepts. */
async function* filtered(stream: AsyncGenerator<DomainEvent>, keep: (event: DomainEvent) => boolean): AsyncGenerator<DomainEvent> {
  for await (const event of stream) if (keep(event)) yield event;
}

/** An alert as its event carries it (see HealthRepository.raise). */
function alertOf(event: DomainEvent): AlertRow {
  const data = event.data as Omit<AlertRow, 'createdAt' | 'resolvedAt'> & { raisedAt: string; resolvedAt: string | null };
  const { raisedAt, resolvedAt, ...alert } = data;
  return { ...alert, createdAt: new Date(raisedAt), resolvedAt: resolvedAt ? new Date(resolvedAt) : null };
}

/** `order.placed` matches itself; a trailing `*` matches a prefix (`order.*`, `health.alert_*`); `*` alone every type. */
function typeMatcher(patterns: readonly string[] | null | undefined): (type: string) => boolean {
  if (!patterns || patterns.length === 0 || patterns.includes('*')) return () => true;
  patterns.forEach((pattern, index) => {
    if (!/^[a-z0-9_.-]+\*?$/i.test(pattern)) throw badUserInput([{ field: `types.${index}`, message: 'must be an event type, or a prefix ending in `*`' }]);
  });
  const exact = new Set(patterns.filter((pattern) => !pattern.endsWith('*')));
  const prefixes = patterns.filter((pattern) => pattern.endsWith('*')).map((pattern) => pattern.slice(0, -1));
  return (type) => exact.has(type) || prefixes.some((prefix) => type.startsWith(prefix));
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  AlertConnection: connectionResolvers,
  Query: {
    health: async (_parent, _args, { monitor }) => {
      const view = await monitor.current();
      if (!view) throw dependencyUnavailable('health checks');
      return view;
    },
    slaCompliance: (_parent, { window }, { repository, slaTargets }) => slaReports(repository, slaTargets, window),
    alerts: async (_parent, { active, first, after }, { repository }) => {
      const page = pageRequest({ first, after });
      const rows = await repository.alertsPage(active ?? null, page);
      return toConnection(rows, page.first, () => repository.countAlerts(active ?? null));
    },
    traffic: async (_parent, { minutes }, { repository }) => {
      const window = minutes ?? 60;
      if (!Number.isInteger(window) || window < 1 || window > 1_440) throw badUserInput([{ field: 'minutes', message: 'must be between 1 and 1440' }]);
      return (await repository.traffic(window)).map((point) => ({
        at: point.at,
        requestRate: Math.round((point.requests / point.seconds) * 1000) / 1000,
        p95LatencyMs: point.p95Ms,
        errorRate: percentOf(point.errors, point.requests),
        cacheHitRatio: percentOf(point.cacheHits, point.cacheHits + point.cacheMisses),
      }));
    },
  },
  Alert: {
    raisedAt: (alert) => alert.createdAt,
  },
  HealthChange: {
    id: (event) => event.id,
    component: (event) => (event.data.component as string | null) ?? null,
    kind: (event) => (event.data.kind as never) ?? null,
    status: (event) => event.data.status as never,
    previousStatus: (event) => (event.data.previousStatus as never) ?? null,
    overall: (event) => event.data.overall as never,
    at: (event) => event.occurredAt,
  },
  HubEventNotice: {
    subjectType: (event) => event.subject.typename,
    subjectId: (event) => event.subject.id,
  },
  Subscription: {
    healthChanged: {
      subscribe: (_parent, { after }, { events }) => events.stream({ types: ['health.status_changed'] }, after),
      resolve: (event: DomainEvent) => event,
    },
    alertRaised: {
      subscribe: (_parent, { minSeverity, resolved }, { events }) => {
        // CRITICAL is the first of SEVERITIES: an alert passes when it is at least as severe.
        const worst = SEVERITIES.indexOf((minSeverity ?? 'INFO') as Severity);
        const types = resolved ? ['health.alert_raised', 'health.alert_resolved'] : ['health.alert_raised'];
        return filtered(events.stream({ types }), (event) => SEVERITIES.indexOf(event.data.severity as Severity) <= worst);
      },
      resolve: (event: DomainEvent) => alertOf(event),
    },
    hubEvents: {
      subscribe: (_parent, { types, after }, { events }) => {
        const keep = typeMatcher(types);
        return filtered(events.stream({}, after), (event) => keep(event.type));
      },
      resolve: (event: DomainEvent) => event,
    },
  },
};
