import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ConfigError, loadConfig } from '../infra/config.js';
import { SUBGRAPHS } from '../subgraphs/index.js';
import { DEFAULT_ALERT_RULES } from '../subgraphs/health/health-rules.js';
import { LATENCY_BUCKETS_MS, p95OfHistogram, parseRouterTotals, RouterTraffic } from '../subgraphs/health/router-traffic.js';
import { healthEnv } from '../subgraphs/health/subgraph.js';
import { eventually } from './support/eventually.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { asRole, testToken } from './support/tokens.js';
import { subscribe, wsClient } from './support/ws.js';

/**
 * The health subgraph against the running hub: its checks of every component through the router
 * and directly, the SLA report from stored checks (also after a restart), alert rules, the
 * subscriptions and the retention.
 */

const redisUrl = process.env.TEST_REDIS_URL || undefined;

const RULES = [
  { name: 'circuit-open', metric: 'circuitOpenSeconds', above: 0, severity: 'CRITICAL' },
  { name: 'subgraph-down', metric: 'status', above: 1, severity: 'CRITICAL', kinds: ['SUBGRAPH'] },
  { name: 'queue-depth', metric: 'queueDepth', above: 1, severity: 'WARNING', components: ['queue:health-depth*'] },
];

let hub: TestHub;
let counter = 0;
const unique = () => `${Date.now().toString(36)}${++counter}`;

const HEALTH = `{ health { status checkedAt components { name kind status latencyMs checkedAt details circuit { state failures openedAt } } } }`;
type Component = { name: string; kind: string; status: string; latencyMs: number | null; checkedAt: string; details: Record<string, any>; circuit: { state: string; failures: number | null; openedAt: string | null } | null };
const components = async (): Promise<Component[]> => (await hub.query<{ health: { components: Component[] } }>(HEALTH)).health.components;
const component = async (name: string) => (await components()).find((found) => found.name === name);

before(async () => {
  hub = await startTestHub({
    env: {
      HEALTH_CHECK_INTERVAL_MS: '250',
      HEALTH_ALERT_RULES: JSON.stringify(RULES),
      SLA_TARGETS: JSON.stringify({ postgresql: { p95LatencyMs: 0.001 }, SUBGRAPH: { availability: 50 } }),
      SUBGRAPH_BREAKER_RESET_MS: '300',
      ...(redisUrl && { REDIS_URL: redisUrl }),
    },
  });
});

after(async () => {
  await hub?.stop();
});

describe('health', () => {
  it('checks every component: the router, each subgraph with its circuit, PostgreSQL, Redis, the event store, queues, SAP systems and webhook endpoints', async () => {
    const queue = `health-check-${unique()}`;
    await hub.query('mutation ($input: CreateQueueInput!) { createQueue(input: $input) { name } }', { input: { name: queue, kind: 'STANDARD' } });
    const { createWebhookEndpoint } = await hub.query('mutation ($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }', {
      input: { url: 'https://hooks.example.com/interchange?token=secret', eventTypes: ['health.*'], enabled: false },
    });
    const found = await eventually(components, (list) => list.some((c) => c.name === `queue:${queue}`) && list.some((c) => c.kind === 'WEBHOOK_ENDPOINT'), 'the new queue and endpoint checked');
    const byName = new Map(found.map((c) => [c.name, c]));

    assert.equal(byName.get('router')?.status, 'UP');
    for (const { name } of SUBGRAPHS) {
      const subgraph = byName.get(`subgraph:${name}`);
      assert.equal(subgraph?.status, 'UP', `subgraph ${name}`);
      assert.equal(subgraph.circuit?.state, 'CLOSED');
      assert.equal(subgraph.circuit?.failures, 0);
      assert.ok(subgraph.latencyMs !== null && subgraph.latencyMs >= 0);
    }
    const postgres = byName.get('postgresql')!;
    assert.equal(postgres.status, 'UP');
    assert.match(String(postgres.details.version), /^\d+/);
    assert.ok(postgres.latencyMs! >= 0);
    if (redisUrl) assert.equal(byName.get('redis')?.status, 'UP');
    else assert.equal(byName.has('redis'), false, 'no Redis component without REDIS_URL');
    assert.equal(byName.get('event-store')?.status, 'UP');
    assert.match(String(byName.get('event-store')!.details.latestEventId), /^\d+$/);
    assert.deepEqual(
      { status: byName.get(`queue:${queue}`)!.status, depth: byName.get(`queue:${queue}`)!.details.depth, deadLetters: byName.get(`queue:${queue}`)!.details.deadLetters },
      { status: 'UP', depth: 0, deadLetters: 0 },
    );
    assert.equal(byName.get('sap:SIM')?.status, 'UP');
    assert.equal(byName.get('sap:SIM')?.circuit?.state, 'CLOSED');
    const endpoint = byName.get(`webhook:${createWebhookEndpoint.endpoint.id}`)!;
    // Disabled by an admin is not a fault; only the host is shown (the URL's query holds a token).
    assert.equal(endpoint.status, 'UP');
    assert.equal(endpoint.details.host, 'hooks.example.com');
    assert.doesNotMatch(JSON.stringify(endpoint.details), /secret/);
    // The webhook endpoints' own queues are theirs, not queue components.
    assert.equal(found.some((c) => c.name.startsWith('queue:webhook.')), false);
  });

  it('needs health:read', async () => {
    const refused = await hub.request(HEALTH, {}, await asRole('api_user'));
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const readonly = await hub.request<{ health: { status: string } }>('{ health { status } }', {}, await asRole('readonly'));
    assert.equal(readonly.body.errors, undefined);
    assert.ok(['UP', 'DEGRADED', 'DOWN'].includes(readonly.body.data!.health.status));
    const narrow = await hub.request('{ health { status } }', {}, { authorization: `Bearer ${await testToken({ scope: 'health:read' })}` });
    assert.equal(narrow.body.errors, undefined);
  });

  it('reports the router traffic per round: request rate, p95, error rate and cache hit ratio, without its own checks', async () => {
    for (let i = 0; i < 20; i++) await hub.query('{ customers(first: 1) { totalCount } }');
    const points = await eventually(
      () => hub.query<{ traffic: { at: string; requestRate: number; p95LatencyMs: number | null; errorRate: number | null; cacheHitRatio: number | null }[] }>('{ traffic(minutes: 5) { at requestRate p95LatencyMs errorRate cacheHitRatio } }'),
      ({ traffic }) => traffic.some((point) => point.requestRate > 0),
      'traffic with operations',
    );
    const busy = points.traffic.filter((point) => point.requestRate > 0);
    assert.ok(busy.every((point) => point.p95LatencyMs! > 0 && point.errorRate === 0));
    assert.ok(points.traffic.every((point, index) => index === 0 || point.at > points.traffic[index - 1]!.at), 'oldest first');
    // Rounds without operations (the health subgraph's own reads through the router go on meanwhile) have none.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const quiet = await hub.query<{ traffic: { requestRate: number }[] }>('{ traffic(minutes: 1) { requestRate } }');
    assert.deepEqual(quiet.traffic.slice(-3).map((point) => point.requestRate), [0, 0, 0]);
  });

  it('measures each integration against its SLA targets, from stored checks that survive a restart', async () => {
    const report = async (window: string) =>
      (
        await hub.query<{ slaCompliance: { integration: string; kind: string; samples: number; availability: number | null; availabilityTarget: number; p95LatencyMs: number | null; p95LatencyTargetMs: number; errorRate: number | null; compliant: boolean; breaches: string[] }[] }>(
          'query ($window: SlaWindow!) { slaCompliance(window: $window) { integration kind samples availability availabilityTarget p95LatencyMs p95LatencyTargetMs errorRate compliant breaches } }',
          { window },
        )
      ).slaCompliance;
    const hour = await eventually(() => report('LAST_HOUR'), (rows) => (rows.find((row) => row.integration === 'postgresql')?.samples ?? 0) >= 3, 'postgresql checks stored');
    const postgres = hour.find((row) => row.integration === 'postgresql')!;
    // SLA_TARGETS: postgresql's p95 target is 0.001 ms, so it misses it; its availability target is the default.
    assert.deepEqual({ compliant: postgres.compliant, breaches: postgres.breaches, target: postgres.p95LatencyTargetMs, availabilityTarget: postgres.availabilityTarget }, { compliant: false, breaches: ['p95LatencyMs'], target: 0.001, availabilityTarget: 99 });
    const orders = hour.find((row) => row.integration === 'subgraph:orders')!;
    assert.equal(orders.availabilityTarget, 50, 'a kind`s target');
    assert.equal(orders.compliant, true);
    const day = await report('LAST_DAY');
    assert.ok(day.find((row) => row.integration === 'postgresql')!.samples >= postgres.samples);
    const week = await report('LAST_WEEK');
    assert.ok(week.find((row) => row.integration === 'postgresql')!.samples >= 1, 'rolled up by hour');

    await hub.restartSubgraph('health');
    const again = await report('LAST_HOUR');
    assert.ok(again.find((row) => row.integration === 'postgresql')!.samples >= postgres.samples, 'the checks are stored, not held in memory');
    const weekAgain = await report('LAST_WEEK');
    assert.ok(weekAgain.find((row) => row.integration === 'postgresql')!.samples >= 1);
  });

  it('raises an alert by subscription within 2 s of a breaker opening, as a hub event, and resolves it when the circuit closes', async () => {
    const client = wsClient(hub.routerUrl);
    try {
      const alerts = subscribe<{ alertRaised: { id: string; rule: string; component: string; severity: string; state: string; message: string; raisedAt: string } }>(
        client,
        'subscription { alertRaised(minSeverity: CRITICAL) { id rule component severity state message raisedAt } }',
      );
      const changes = subscribe<{ healthChanged: { component: string | null; status: string; previousStatus: string | null; overall: string } }>(client, 'subscription { healthChanged { component status previousStatus overall } }');
      const notices = subscribe<{ hubEvents: { type: string; source: string; subjectType: string; subjectId: string } }>(client, 'subscription { hubEvents(types: ["health.alert_*"]) { type source subjectType subjectId } }');
      // The subscriptions are live once the router has opened its upstream streams.
      await eventually(() => hub.upstreamSubscriptionsOpened(), (opened) => opened >= 3, 'upstream subscriptions open');

      await hub.stopSubgraph('customers');
      let openedAt = 0;
      for (let i = 0; i < 50 && !openedAt; i++) {
        // Ids no answer in the response cache has: each asks the customers subgraph.
        await hub.request('query ($id: ID!) { customer(id: $id) { id } }', { id: randomUUID() });
        if (hub.circuits().customers?.state === 'open') openedAt = Date.now();
      }
      assert.ok(openedAt > 0, 'the customers circuit opened');
      const arrived = await eventually(
        () => alerts.results.find((result) => result.data?.alertRaised.rule === 'circuit-open' && result.data.alertRaised.component === 'subgraph:customers'),
        (found) => found !== undefined,
        'the circuit-open alert',
        2_000,
      );
      const elapsed = Date.now() - openedAt;
      assert.ok(elapsed <= 2_000, `the alert arrived ${elapsed} ms after the breaker opened`);
      const alert = arrived!.data!.alertRaised;
      assert.deepEqual({ severity: alert.severity, state: alert.state }, { severity: 'CRITICAL', state: 'FIRING' });
      assert.match(alert.message, /subgraph:customers circuit OPEN for \d+ s/);

      // The same round saw the subgraph down: its status change and the hub's come by subscription too.
      await eventually(() => changes.results.map((result) => result.data?.healthChanged), (seen) => seen.some((c) => c?.component === 'subgraph:customers' && c.status === 'DOWN') && seen.some((c) => c?.component === null && c.status === 'DOWN'), 'status changes');
      // Alerts are hub events, which webhooks and queue routes carry like any other.
      await eventually(() => notices.results.map((result) => result.data?.hubEvents), (seen) => seen.some((n) => n?.type === 'health.alert_raised' && n.subjectType === 'Alert' && n.subjectId === alert.id && n.source === 'health'), 'the alert as a hub event');
      const active = await hub.query<{ alerts: { totalCount: number; edges: { node: { id: string; rule: string } }[] } }>('{ alerts(active: true) { totalCount edges { node { id rule } } } }');
      assert.ok(active.alerts.edges.some((edge) => edge.node.id === alert.id));

      await hub.restartSubgraph('customers');
      await eventually(
        async () => {
          await hub.request('query ($id: ID!) { customer(id: $id) { id } }', { id: randomUUID() });
          return hub.circuits().customers?.state;
        },
        (state) => state === 'closed',
        'the circuit closed again',
      );
      const resolved = await eventually(
        () => hub.query<{ alerts: { edges: { node: { id: string; state: string; resolvedAt: string | null } }[] } }>('{ alerts(active: false) { edges { node { id state resolvedAt } } } }'),
        ({ alerts: page }) => page.edges.some((edge) => edge.node.id === alert.id),
        'the alert resolved',
      );
      const node = resolved.alerts.edges.find((edge) => edge.node.id === alert.id)!.node;
      assert.equal(node.state, 'RESOLVED');
      assert.ok(node.resolvedAt! >= alert.raisedAt);
      await eventually(() => component('subgraph:customers'), (found) => found?.status === 'UP', 'customers up again');
      alerts.stop();
      changes.stop();
      notices.stop();
    } finally {
      await client.dispose();
    }
  });

  it('alerts on a queue deeper than its rule allows, once, and pages the alerts newest first', async () => {
    const queue = `health-depth-${unique()}`;
    await hub.query('mutation ($input: CreateQueueInput!) { createQueue(input: $input) { name } }', { input: { name: queue, kind: 'STANDARD' } });
    for (let i = 0; i < 3; i++) await hub.query('mutation ($queue: String!, $input: PublishMessageInput!) { publishMessage(queue: $queue, input: $input) { id } }', { queue, input: { payload: { i } } });
    const page = await eventually(
      () => hub.query<{ alerts: { edges: { node: { rule: string; component: string; value: number; threshold: number; severity: string } }[] } }>('{ alerts(active: true, first: 100) { edges { node { rule component value threshold severity } } } }'),
      ({ alerts }) => alerts.edges.some((edge) => edge.node.component === `queue:${queue}`),
      'the queue-depth alert',
    );
    const mine = page.alerts.edges.filter((edge) => edge.node.component === `queue:${queue}`);
    assert.equal(mine.length, 1, 'one firing alert per rule and component, however many rounds see it');
    assert.deepEqual(mine[0]!.node, { rule: 'queue-depth', component: `queue:${queue}`, value: 3, threshold: 1, severity: 'WARNING' });

    const first = await hub.query<{ alerts: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { id: string; raisedAt: string } }[] } }>(
      '{ alerts(first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { node { id raisedAt } } } }',
    );
    assert.ok(first.alerts.totalCount >= 2);
    assert.equal(first.alerts.pageInfo.hasNextPage, true);
    const second = await hub.query<{ alerts: { edges: { node: { id: string; raisedAt: string } }[] } }>('query ($after: String) { alerts(first: 1, after: $after) { edges { node { id raisedAt } } } }', { after: first.alerts.pageInfo.endCursor });
    assert.notEqual(second.alerts.edges[0]!.node.id, first.alerts.edges[0]!.node.id);
    assert.ok(second.alerts.edges[0]!.node.raisedAt <= first.alerts.edges[0]!.node.raisedAt);
  });

  it('answers bad arguments with BAD_USER_INPUT naming the argument', async () => {
    const cases: [string, string][] = [
      ['{ traffic(minutes: 0) { at } }', 'minutes'],
      ['{ alerts(first: 1000) { totalCount } }', 'first'],
      ['{ alerts(after: "not-a-cursor") { totalCount } }', 'after'],
    ];
    for (const [query, field] of cases) {
      const { body } = await hub.request(query);
      assert.equal(body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', query);
      assert.equal((body.errors?.[0]?.extensions?.fields as { field: string }[])[0]!.field, field, query);
    }
    const client = wsClient(hub.routerUrl);
    try {
      const refused = subscribe(client, 'subscription { hubEvents(types: ["bad type!"]) { type } }');
      const error = await refused.waitFor(1).then(
        (results) => results[0]!.errors?.[0],
        () => undefined,
      );
      assert.equal(error?.extensions?.code, 'BAD_USER_INPUT');
      refused.stop();
    } finally {
      await client.dispose();
    }
  });

  it('removes checks, roll-ups and resolved alerts past their retention when it starts', async () => {
    const db = new pg.Client({ connectionString: hub.database.url });
    await db.connect();
    try {
      await db.query(`insert into health.checks (component, kind, status, latency_hist, at) values ('retention-test', 'QUEUE', 'UP', '{1}', now() - interval '3 days')`);
      await db.query(`insert into health.rollups (component, hour, kind, checks, up, requests, errors, latency_hist) values ('retention-test', date_trunc('hour', now() - interval '40 days'), 'QUEUE', 1, 1, 0, 0, '{1}')`);
      await db.query(`insert into health.alerts (rule, severity, state, component, message, created_at, resolved_at) values
        ('retention-old', 'INFO', 'RESOLVED', 'retention-test', 'old', now() - interval '40 days', now() - interval '31 days'),
        ('retention-young', 'INFO', 'RESOLVED', 'retention-test', 'young', now() - interval '2 days', now() - interval '1 day')`);
      await hub.restartSubgraph('health');
      const count = async (query: string) => (await db.query<{ count: number }>(`select count(*)::int as count from ${query}`)).rows[0]!.count;
      await eventually(
        async () => [await count(`health.checks where component = 'retention-test'`), await count(`health.rollups where component = 'retention-test'`), await count(`health.alerts where rule = 'retention-old'`)],
        (counts) => counts.every((n) => n === 0),
        'rows past retention removed',
      );
      assert.equal(await count(`health.alerts where rule = 'retention-young'`), 1, 'a resolved alert within its retention stays');
      assert.ok((await count(`health.checks where component = 'postgresql'`)) > 0, 'recent checks stay');
    } finally {
      await db.end();
    }
  });
});

describe('health configuration', () => {
  const base = { DATABASE_URL: 'postgres://localhost/test', INTERNAL_TOKEN_SECRET: 'x'.repeat(40) };
  const problem = (env: Record<string, string>) => {
    try {
      loadConfig(healthEnv, { ...base, ...env });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.message;
    }
    return assert.fail('accepted');
  };

  it('reads alert rules and SLA targets as JSON, naming what is wrong', () => {
    const config = loadConfig(healthEnv, { ...base, HEALTH_ALERT_RULES: JSON.stringify(RULES), SLA_TARGETS: '{"default":{"availability":99.9}}' });
    assert.equal(config.HEALTH_ALERT_RULES?.length, 3);
    assert.equal(config.HEALTH_ALERT_RULES?.[0]?.forSeconds, 0);
    assert.deepEqual(config.SLA_TARGETS, { default: { availability: 99.9 } });
    assert.match(problem({ HEALTH_ALERT_RULES: 'not json' }), /HEALTH_ALERT_RULES=.*is not JSON/);
    assert.match(problem({ HEALTH_ALERT_RULES: '[{"name":"x","metric":"nope","severity":"INFO"}]' }), /HEALTH_ALERT_RULES=.*0\.metric/);
    assert.match(problem({ HEALTH_ALERT_RULES: '[{"name":"x","metric":"status","severity":"LOUD"}]' }), /0\.severity/);
    assert.match(problem({ HEALTH_ALERT_RULES: '[{"name":"x","metric":"status","severity":"INFO"},{"name":"x","metric":"status","severity":"INFO"}]' }), /1\.name: x is named twice/);
    assert.match(problem({ HEALTH_ALERT_RULES: '[{"name":"x","metric":"status","severity":"INFO","treshold":1}]' }), /treshold/);
    assert.match(problem({ SLA_TARGETS: '{"default":{"availability":120}}' }), /SLA_TARGETS=.*default\.availability/);
    assert.match(problem({ HEALTH_CHECK_INTERVAL_MS: '10' }), /HEALTH_CHECK_INTERVAL_MS/);
  });

  it('ships the issue`s rules', () => {
    assert.deepEqual(
      DEFAULT_ALERT_RULES.map((rule) => [rule.name, rule.metric, rule.above, rule.forSeconds]),
      [
        ['component-down', 'status', 1, 60],
        ['circuit-open', 'circuitOpenSeconds', 30, 0],
        ['error-rate', 'errorRate', 5, 300],
        ['slow-answers', 'p95LatencyMs', 1000, 600],
        ['queue-depth', 'queueDepth', 1000, 600],
        ['queue-consumer-lag', 'consumerLagSeconds', 300, 600],
        ['dead-letters', 'deadLetters', 0, 60],
        ['event-lag', 'eventLag', 1000, 600],
        ['sla-breach', 'slaBreaches', 0, 0],
      ],
    );
  });
});

describe('router traffic from /metrics', () => {
  const text = (requests: number, failed: number, fast: number) => `# HELP api_gateway_requests_total x
api_gateway_requests_total{service="router",operation="A",status="ok"} ${requests}
api_gateway_requests_total{service="router",operation="A",status="SUBGRAPH_UNAVAILABLE"} ${failed}
api_gateway_requests_total{service="router",operation="A",status="BAD_USER_INPUT"} 1
api_gateway_requests_total{service="router",operation="InterchangeHealthQueues",status="ok"} 500
api_gateway_request_duration_seconds_bucket{service="router",operation="A",le="0.01"} ${fast}
api_gateway_request_duration_seconds_bucket{service="router",operation="A",le="0.1"} ${requests + failed + 1}
api_gateway_request_duration_seconds_bucket{service="router",operation="A",le="+Inf"} ${requests + failed + 1}
api_gateway_request_duration_seconds_bucket{service="router",operation="InterchangeHealthQueues",le="+Inf"} 500
interchange_response_cache_hits_total{service="router"} 3
interchange_response_cache_misses_total{service="router"} 1
`;

  it('counts operations, server-side failures and latency buckets, leaving out its own', () => {
    const totals = parseRouterTotals(text(10, 2, 5))!;
    assert.deepEqual({ requests: totals.requests, errors: totals.errors, hits: totals.cacheHits, misses: totals.cacheMisses }, { requests: 13, errors: 2, hits: 3, misses: 1 });
    assert.equal(totals.hist.reduce((a, b) => a + b, 0), 13);
    assert.equal(totals.hist[LATENCY_BUCKETS_MS.indexOf(10)], 5);
    assert.equal(totals.hist[LATENCY_BUCKETS_MS.indexOf(100)], 8);
    assert.equal(parseRouterTotals('# metrics off\n'), undefined);
  });

  it('reports differences between reads, and counts from zero after a restart', () => {
    const traffic = new RouterTraffic();
    assert.equal(traffic.next(parseRouterTotals(text(10, 2, 5)), 0), undefined);
    const delta = traffic.next(parseRouterTotals(text(30, 2, 25)), 2_000)!;
    assert.deepEqual({ seconds: delta.seconds, requests: delta.requests, errors: delta.errors }, { seconds: 2, requests: 20, errors: 0 });
    // All 20 took at most 10 ms: the p95 is within the 5–10 ms bucket.
    assert.ok(delta.p95Ms! > 5 && delta.p95Ms! <= 10);
    const restarted = traffic.next(parseRouterTotals(text(4, 0, 4)), 3_000)!;
    assert.equal(restarted.requests, 5);
  });

  it('interpolates the p95 within its bucket, as histogram_quantile does', () => {
    const hist = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
    assert.equal(p95OfHistogram(hist), null);
    hist[LATENCY_BUCKETS_MS.indexOf(100)] = 100;
    assert.equal(p95OfHistogram(hist), 50 + 50 * 0.95);
    hist[LATENCY_BUCKETS_MS.length] = 1_000;
    assert.equal(p95OfHistogram(hist), LATENCY_BUCKETS_MS.at(-1));
  });
});
