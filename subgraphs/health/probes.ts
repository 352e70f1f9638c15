import { sql, type Kysely } from 'kysely';
import { Redis } from 'ioredis';
import type { RouterAccess, RouterClient } from '../../infra/graphql/router-client.js';
import type { Logger } from '../../infra/logger.js';
import type { ComponentKind } from './health-rules.js';
import { parseRouterTotals, RouterTraffic, type TrafficDelta } from './router-traffic.js';

export type Status = 'UP' | 'DEGRADED' | 'DOWN';
export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN' | 'ISOLATED';

export interface Circuit {
  state: CircuitState;
  failures: number | null;
  openedAt: string | null;
}

/** What one check found. */
export interface ComponentCheck {
  name: string;
  kind: ComponentKind;
  status: Status;
  latencyMs: number | null;
  details: Record<string, unknown>;
  circuit: Circuit | null;
  /** Operations or deliveries since the round before, and how many failed (where the component reports them). */
  requests?: number;
  errors?: number;
  /** The router's operations per latency bucket (else the check's own latency counts). */
  latencyHist?: number[];
}

/**
 * One round's findings: the checks, and the kinds whose source answered. A component of a kind
 * whose source did not answer (the router unreachable, say) keeps its last stored state; one of
 * a kind whose source answered without it is gone (a deleted queue).
 */
export interface Round {
  checks: ComponentCheck[];
  answered: Set<ComponentKind>;
  traffic: TrafficDelta | undefined;
}

export interface ProbeDeps {
  db: Kysely<any>;
  router: RouterAccess | undefined;
  routerClient: RouterClient | undefined;
  redisUrl: string | undefined;
  timeoutMs: number;
  eventLagDegraded: number;
  logger: Logger;
}

const circuitOf = (state: string | undefined): CircuitState => {
  switch (state) {
    case 'open':
    case 'OPEN':
      return 'OPEN';
    case 'half-open':
    case 'HALF_OPEN':
      return 'HALF_OPEN';
    case 'isolated':
    case 'ISOLATED':
      return 'ISOLATED';
    default:
      return 'CLOSED';
  }
};

const round1 = (ms: number) => Math.round(ms * 10) / 10;

/** Runs `work` within `timeoutMs`; its time and its outcome, never a throw. */
async function timed<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<{ ms: number; value?: T; error?: string }> {
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const value = await Promise.race([
      work(signal),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs} ms`)), { once: true })),
    ]);
    return { ms: round1(performance.now() - started), value };
  } catch (error) {
    return { ms: round1(performance.now() - started), error: error instanceof Error ? error.message : String(error) };
  }
}

interface ReadySubgraph {
  name: string;
  ready: boolean;
  latencyMs?: number;
  error?: string;
  circuit?: string;
  circuitFailures?: number;
  circuitOpenedAt?: string;
}

interface QueueView {
  name: string;
  depth: number;
  inFlight: number;
  delayed: number;
  failed: number;
  deadLetters: number;
  oldestAgeSeconds: number;
  processedPerMinute: number;
  maxSize: number;
}

interface EndpointView {
  id: string;
  host: string;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  stats: { delivered: number; failed: number; pending: number; lastSuccessAt: string | null; lastFailureAt: string | null };
}

interface SapSystemView {
  id: string;
  type: string;
  reachable: boolean | null;
  circuit: string;
  poolSize: number;
  poolInUse: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastSuccessAt: string | null;
}

/** A GraphQL field the supergraph does not have (a hub composed without the queues or sap subgraph): no components of that kind. */
const NOT_IN_SUPERGRAPH = 'GRAPHQL_VALIDATION_FAILED';

/**
 * The checks of one round, all at once, each within the timeout. The router is asked for its
 * readiness (each subgraph's answer and circuit), its metrics (traffic), and through its GraphQL
 * API for queues, webhook endpoints and SAP systems; PostgreSQL, Redis and the event store are
 * asked directly.
 */
export class Probes {
  private readonly traffic = new RouterTraffic();
  private readonly redis: Redis | undefined;
  /** Webhook endpoints' delivered and failed totals at the round before, for their error rate. */
  private readonly endpointTotals = new Map<string, { delivered: number; failed: number }>();

  constructor(private readonly deps: ProbeDeps) {
    this.redis = deps.redisUrl
      ? new Redis(deps.redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: deps.timeoutMs, retryStrategy: () => 1_000 })
      : undefined;
    this.redis?.on('error', () => {
      // Reported by the check (DOWN with its error); not logged every second.
    });
  }

  async run(): Promise<Round> {
    const answered = new Set<ComponentKind>();
    const checks: ComponentCheck[] = [];
    const add = (kind: ComponentKind, found: ComponentCheck[] | undefined) => {
      if (!found) return;
      answered.add(kind);
      checks.push(...found);
    };
    const [router, metrics, postgres, redis, events, queues, endpoints, sap] = await Promise.all([
      this.routerAndSubgraphs(),
      this.routerMetrics(),
      this.postgres(),
      this.redisCheck(),
      this.eventStore(),
      this.graphql<{ queues: QueueView[] }>('query InterchangeHealthQueues { queues { name depth inFlight delayed failed deadLetters oldestAgeSeconds processedPerMinute maxSize } }'),
      this.graphql<{ webhookEndpoints: EndpointView[] }>(
        'query InterchangeHealthWebhookEndpoints { webhookEndpoints { id host enabled disabledReason failingSince stats { delivered failed pending lastSuccessAt lastFailureAt } } }',
      ),
      this.graphql<{ sapSystems: SapSystemView[] }>('query InterchangeHealthSapSystems { sapSystems { id type reachable circuit poolSize poolInUse lastError lastErrorAt lastSuccessAt } }'),
    ]);
    const traffic = this.traffic.next(metrics);
    if (router) {
      if (traffic) {
        Object.assign(router.router, { requests: traffic.requests, errors: traffic.errors, latencyHist: traffic.hist, latencyMs: traffic.p95Ms });
        router.router.details.requestRate = Math.round((traffic.requests / traffic.seconds) * 100) / 100;
      }
      add('ROUTER', [router.router]);
      add('SUBGRAPH', router.subgraphs);
    }
    add('POSTGRESQL', [postgres]);
    if (redis) add('REDIS', [redis]);
    add('EVENT_STORE', [events]);
    if (queues) add('QUEUE', queues.queues.filter((queue) => !queue.name.startsWith('webhook.')).map(queueCheck));
    if (endpoints) add('WEBHOOK_ENDPOINT', endpoints.webhookEndpoints.map((endpoint) => this.endpointCheck(endpoint)));
    if (sap) add('SAP_SYSTEM', sap.sapSystems.map(sapCheck));
    return { checks, answered, traffic };
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
  }

  private routerOrigin(): string | undefined {
    const url = this.deps.router?.url();
    return url && new URL(url).origin;
  }

  /**
   * The router's /ready, with each subgraph's readiness and circuit (the health:read view);
   * no subgraphs when it could not be asked or its answer has no subgraphs' part.
   */
  private async routerAndSubgraphs(): Promise<{ router: ComponentCheck; subgraphs?: ComponentCheck[] } | undefined> {
    const origin = this.routerOrigin();
    if (!origin || !this.deps.router) return undefined;
    const router = this.deps.router;
    const answer = await timed(async (signal) => {
      const response = await fetch(`${origin}/ready`, { headers: await router.headers(), signal });
      return (await response.json()) as { status?: string; subgraphs?: ReadySubgraph[] };
    }, this.deps.timeoutMs);
    if (answer.error !== undefined || !answer.value) {
      return { router: { name: 'router', kind: 'ROUTER', status: 'DOWN', latencyMs: null, details: { error: answer.error ?? 'no answer' }, circuit: null } };
    }
    const readiness = answer.value;
    const routerCheck: ComponentCheck = {
      name: 'router',
      kind: 'ROUTER',
      status: 'UP',
      latencyMs: null,
      details: { ready: readiness.status === 'ready', readinessMs: answer.ms },
      circuit: null,
    };
    const subgraphs = readiness.subgraphs?.map((subgraph): ComponentCheck => {
      const state = circuitOf(subgraph.circuit);
      const status: Status = !subgraph.ready ? 'DOWN' : state === 'CLOSED' ? 'UP' : 'DEGRADED';
      return {
        name: `subgraph:${subgraph.name}`,
        kind: 'SUBGRAPH',
        status,
        latencyMs: subgraph.latencyMs ?? null,
        details: { subgraph: subgraph.name, ...(subgraph.error !== undefined && { error: subgraph.error }) },
        circuit: { state, failures: subgraph.circuitFailures ?? null, openedAt: subgraph.circuitOpenedAt ?? null },
      };
    });
    return { router: routerCheck, subgraphs };
  }

  /** The router's /metrics as totals; undefined when it cannot be read (metrics off, no metrics:read). */
  private async routerMetrics() {
    const origin = this.routerOrigin();
    if (!origin || !this.deps.router) return undefined;
    const router = this.deps.router;
    const answer = await timed(async (signal) => {
      const response = await fetch(`${origin}/metrics`, { headers: await router.headers(), signal });
      return response.ok ? response.text() : undefined;
    }, this.deps.timeoutMs);
    return answer.value === undefined ? undefined : parseRouterTotals(answer.value);
  }

  private async postgres(): Promise<ComponentCheck> {
    const answer = await timed(async () => {
      const { rows } = await sql<{ version: string; connections: number; maxConnections: number }>`
        select current_setting('server_version') as version,
          (select count(*)::int from pg_stat_activity) as connections,
          current_setting('max_connections')::int as max_connections`.execute(this.deps.db);
      return rows[0]!;
    }, this.deps.timeoutMs);
    if (!answer.value) return { name: 'postgresql', kind: 'POSTGRESQL', status: 'DOWN', latencyMs: null, details: { error: answer.error }, circuit: null };
    const { version, connections, maxConnections } = answer.value;
    // Near its connection limit new connections are refused: worth a look before that.
    const status: Status = connections >= 0.9 * maxConnections ? 'DEGRADED' : 'UP';
    return { name: 'postgresql', kind: 'POSTGRESQL', status, latencyMs: answer.ms, details: { version, connections, maxConnections }, circuit: null };
  }

  private async redisCheck(): Promise<ComponentCheck | undefined> {
    const redis = this.redis;
    if (!redis) return undefined;
    const answer = await timed(async () => {
      if (redis.status === 'wait') await redis.connect();
      return redis.ping();
    }, this.deps.timeoutMs);
    if (answer.value !== 'PONG') return { name: 'redis', kind: 'REDIS', status: 'DOWN', latencyMs: null, details: { error: answer.error ?? `answered ${String(answer.value)}` }, circuit: null };
    return { name: 'redis', kind: 'REDIS', status: 'UP', latencyMs: answer.ms, details: {}, circuit: null };
  }

  /** The newest event and how far each durable consumer (event routes, bridges, webhook deliveries) is behind it. */
  private async eventStore(): Promise<ComponentCheck> {
    const answer = await timed(async () => {
      const { rows: newest } = await sql<{ id: string; occurredAt: Date }>`select id::text as id, occurred_at from events.events order by id desc limit 1`.execute(this.deps.db);
      const latest = BigInt(newest[0]?.id ?? '0');
      const { rows: cursors } = await sql<{ name: string; position: string }>`select name, position::text as position from events.cursors`.execute(this.deps.db);
      const consumers = cursors.map((cursor) => ({ name: cursor.name, lag: Number(latest > BigInt(cursor.position) ? latest - BigInt(cursor.position) : 0n) })).sort((a, b) => b.lag - a.lag);
      return { latestEventId: latest.toString(), newestEventAt: newest[0]?.occurredAt ?? null, maxLag: consumers[0]?.lag ?? 0, consumers: consumers.slice(0, 10) };
    }, this.deps.timeoutMs);
    if (!answer.value) return { name: 'event-store', kind: 'EVENT_STORE', status: 'DOWN', latencyMs: null, details: { error: answer.error }, circuit: null };
    const status: Status = answer.value.maxLag > this.deps.eventLagDegraded ? 'DEGRADED' : 'UP';
    return { name: 'event-store', kind: 'EVENT_STORE', status, latencyMs: answer.ms, details: answer.value, circuit: null };
  }

  /** One operation through the router; undefined when it could not answer it (logged once per failure kind). */
  private async graphql<Data>(query: string): Promise<Data | undefined> {
    const client = this.deps.routerClient;
    if (!client) return undefined;
    try {
      const result = await client.execute<Data>(query, {});
      if (!result.errors) return result.data;
      if (!result.errors.some((error) => error.code === NOT_IN_SUPERGRAPH)) {
        this.deps.logger.debug({ errors: result.errors.map((error) => error.code) }, 'a health check through the router failed');
      }
      return undefined;
    } catch (error) {
      this.deps.logger.debug({ err: error }, 'a health check through the router failed');
      return undefined;
    }
  }

  private endpointCheck(endpoint: EndpointView): ComponentCheck {
    const before = this.endpointTotals.get(endpoint.id);
    this.endpointTotals.set(endpoint.id, { delivered: endpoint.stats.delivered, failed: endpoint.stats.failed });
    const failed = before ? Math.max(0, endpoint.stats.failed - before.failed) : 0;
    const delivered = before ? Math.max(0, endpoint.stats.delivered - before.delivered) : 0;
    // Disabled for its failures (a 410, failing too long) is down; disabled by an admin is not a fault.
    const status: Status = !endpoint.enabled && endpoint.disabledReason ? 'DOWN' : endpoint.failingSince ? 'DEGRADED' : 'UP';
    return {
      name: `webhook:${endpoint.id}`,
      kind: 'WEBHOOK_ENDPOINT',
      status,
      latencyMs: null,
      // The host only: an endpoint's path or query may carry a token (its url is for admins).
      details: { host: endpoint.host, enabled: endpoint.enabled, disabledReason: endpoint.disabledReason, failingSince: endpoint.failingSince, ...endpoint.stats, deadLetters: endpoint.stats.failed },
      circuit: null,
      requests: delivered + failed,
      errors: failed,
    };
  }
}

function queueCheck(queue: QueueView): ComponentCheck {
  // A full queue refuses publishes (QUEUE_FULL); dead letters wait for someone.
  const status: Status = queue.depth + queue.inFlight >= queue.maxSize ? 'DOWN' : queue.deadLetters > 0 ? 'DEGRADED' : 'UP';
  const { name, ...details } = queue;
  return { name: `queue:${name}`, kind: 'QUEUE', status, latencyMs: null, details: { queue: name, ...details }, circuit: null };
}

function sapCheck(system: SapSystemView): ComponentCheck {
  const state = circuitOf(system.circuit);
  const status: Status = state === 'OPEN' || state === 'ISOLATED' || system.reachable === false ? 'DOWN' : state === 'HALF_OPEN' ? 'DEGRADED' : 'UP';
  const { id, circuit: _circuit, ...details } = system;
  return { name: `sap:${id}`, kind: 'SAP_SYSTEM', status, latencyMs: null, details: { system: id, ...details }, circuit: { state, failures: null, openedAt: null } };
}
