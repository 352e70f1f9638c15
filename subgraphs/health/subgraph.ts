import { z } from 'zod';
import type { Scope } from '../../infra/auth/principal.js';
import { domainSubgraphEnv, httpUrl, loadConfig, positiveInt, type ConfigOf } from '../../infra/config.js';
import type { SubgraphDescriptor } from '../../infra/graphql/subgraph-descriptor.js';
import { alertRulesSetting, slaTargetsSetting } from './health-rules.js';

/**
 * Who the health subgraph is at the router: it reads the router's readiness (`/ready`, with each
 * subgraph's circuit) and `/metrics`, and the queues, webhook endpoints and SAP systems through
 * the GraphQL API, as any operator would.
 */
export const HEALTH_CALLER = Object.freeze({
  subject: 'service:health',
  scopes: Object.freeze(['health:read', 'metrics:read', 'queues:read', 'sap:read'] satisfies Scope[]),
});

export const healthEnv = {
  ...domainSubgraphEnv(4006),
  /** How often the components are checked (by one replica at a time). */
  HEALTH_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  /** A check that takes longer counts as failed (DOWN). */
  HEALTH_CHECK_TIMEOUT_MS: positiveInt(5_000, 60_000),
  /** Checks and traffic points are kept this long (LAST_HOUR and LAST_DAY read them). */
  HEALTH_CHECK_RETENTION_DAYS: positiveInt(2, 365),
  /** Hourly roll-ups of the checks are kept this long (LAST_WEEK reads them). */
  HEALTH_ROLLUP_RETENTION_DAYS: z.coerce.number().int().min(7).max(3_650).default(35),
  /** Resolved alerts are removed this long after they resolved; firing ones are kept. */
  HEALTH_ALERT_RETENTION_DAYS: positiveInt(30, 3_650),
  /** The event store is DEGRADED when a durable consumer is this many events behind. */
  HEALTH_EVENT_LAG_DEGRADED: positiveInt(1_000, 100_000_000),
  /** The alert rules, as JSON (see health-rules.ts and the README); unset: the shipped rules. */
  HEALTH_ALERT_RULES: alertRulesSetting,
  /** SLA targets, as JSON: `{"default": {...}, "SAP_SYSTEM": {...}, "sap:ERP1": {...}}` (see health-rules.ts). */
  SLA_TARGETS: slaTargetsSetting,
  /** The router's GraphQL URL and an API key with HEALTH_CALLER's scopes, for a health subgraph run alone. */
  ROUTER_URL: httpUrl.optional(),
  ROUTER_API_KEY: z.string().optional(),
};

export type HealthConfig = ConfigOf<typeof healthEnv>;

/** The hub's own health: its components' checks, SLA reports, alerts and a tail of hub events. */
export const health: SubgraphDescriptor<typeof healthEnv, 'health'> = {
  name: 'health',
  defaultPort: 4006,
  env: healthEnv,
  callsRouter: HEALTH_CALLER,
  codegen: {
    context: 'HealthContext',
    mappers: {
      Health: '../health-repository.js#HealthView',
      HealthComponent: '../health-repository.js#ComponentRow',
      Alert: '../health-repository.js#AlertRow',
      AlertConnection: '../../../infra/db/pagination.js#Connection<AlertRow>',
      HealthChange: '../../../infra/events/event.js#DomainEvent',
      HubEventNotice: '../../../infra/events/event.js#DomainEvent',
    },
  },
  start: async (env, deps) => (await import('./server.js')).start(loadConfig(healthEnv, env), deps),
};
