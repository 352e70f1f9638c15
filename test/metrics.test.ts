import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Client } from 'graphql-ws';
import { scopesOf, type Principal } from '../infra/auth/principal.js';
import { eventually } from './support/eventually.js';
import { graphql, internalHeaders, startTestHub, type SubgraphName, type TestHub } from './support/hub.js';
import { ANONYMOUS, asRole, testToken } from './support/tokens.js';
import { subscribe, wsClient } from './support/ws.js';

/**
 * GET /metrics on the router and on every subgraph of the test hub: series that move when the
 * thing they count happens, who may read them, the METRICS_PORT listener, and no ids in labels.
 */

let hub: TestHub;
const clients: Client[] = [];
let receiver: Server | undefined;
let counter = 0;
const unique = () => `${Date.now()}${++counter}`;

/** An operator's principal for reading a subgraph's metrics through the internal header. */
const OPERATOR: Principal = { kind: 'user', id: 'metrics-operator', roles: ['readonly'], scopes: scopesOf(['readonly']) };

const metricsUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/metrics');

/** The router's exposition, read with a token that has metrics:read (the readonly role). */
async function routerMetrics(routerUrl = hub.routerUrl): Promise<string> {
  const response = await fetch(metricsUrl(routerUrl), { headers: await asRole('readonly') });
  assert.equal(response.status, 200, await response.clone().text());
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** A subgraph's exposition, read through the router's internal header naming a principal with metrics:read. */
async function subgraphMetrics(name: SubgraphName): Promise<string> {
  const response = await fetch(metricsUrl(hub.urls[name]), { headers: await internalHeaders(OPERATOR, name) });
  assert.equal(response.status, 200, await response.clone().text());
  return response.text();
}

/** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) total += Number(match[4]);
  }
  return total;
}

before(async () => {
  hub = await startTestHub({ env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
});

after(async () => {
  for (const client of clients) await client.dispose();
  await hub?.stop();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

describe('the router\'s /metrics', () => {
  it('counts a query under its operation name, with status ok and a duration', async () => {
    const before = await routerMetrics();
    await hub.query('query MetricsCustomerCount { customers(first: 1) { totalCount } }');
    const afterwards = await routerMetrics();
    const labels = { operation: 'MetricsCustomerCount', status: 'ok', service: 'router' };
    assert.equal(sample(afterwards, 'api_gateway_requests_total', labels) - sample(before, 'api_gateway_requests_total', labels), 1);
    const count = (text: string) => sample(text, 'api_gateway_request_duration_seconds_count', { operation: 'MetricsCustomerCount' });
    assert.equal(count(afterwards) - count(before), 1);
  });

  it('counts an answer from the response cache as a hit and as a request', async () => {
    const query = `query MetricsCached { customers(first: 2) { totalCount } }`;
    await hub.query(query);
    const before = await routerMetrics();
    const response = await hub.request(query);
    assert.equal(response.headers.get('x-cache'), 'HIT');
    const afterwards = await routerMetrics();
    assert.equal(sample(afterwards, 'interchange_response_cache_hits_total') - sample(before, 'interchange_response_cache_hits_total'), 1);
    const labels = { operation: 'MetricsCached', status: 'ok' };
    assert.equal(sample(afterwards, 'api_gateway_requests_total', labels) - sample(before, 'api_gateway_requests_total', labels), 1);
    assert.ok(sample(afterwards, 'interchange_response_cache_misses_total') >= 1);
  });

  it('counts a forbidden operation as an access denial, under `other` for a name that never succeeded', async () => {
    const before = await routerMetrics();
    const response = await hub.request('query MetricsNeverAllowed { sapSystems { id } }', undefined, await asRole('api_user'));
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const afterwards = await routerMetrics();
    const denials = (text: string) => sample(text, 'interchange_access_denials_total', { code: 'FORBIDDEN' });
    assert.equal(denials(afterwards) - denials(before), 1);
    const other = (text: string) => sample(text, 'api_gateway_requests_total', { operation: 'other', status: 'FORBIDDEN' });
    assert.equal(other(afterwards) - other(before), 1);
    assert.doesNotMatch(afterwards, /MetricsNeverAllowed/);
  });

  it('counts failed logins and operation-limit rejections', async () => {
    const before = await routerMetrics();
    const expired = await testToken({ roles: ['admin'], expiresIn: -60 });
    const refused = await hub.request('{ __typename }', undefined, { authorization: `Bearer ${expired}` });
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ');
    const limited = await hub.request(`query MetricsTooManyAliases { ${aliases} }`);
    assert.equal(limited.body.errors?.[0]?.extensions?.code, 'OPERATION_LIMIT_EXCEEDED');
    const afterwards = await routerMetrics();
    const failures = (text: string) => sample(text, 'interchange_authentication_failures_total', { credential: 'bearer', outcome: 'refused' });
    assert.equal(failures(afterwards) - failures(before), 1);
    // 40 root fields are over OPERATION_MAX_ROOT_FIELDS before their aliases count; a label value is `[A-Za-z0-9_.-]`.
    assert.equal(limited.body.errors?.[0]?.extensions?.limit, 'root fields');
    const rejections = (text: string) => sample(text, 'interchange_operation_limit_rejections_total', { limit: 'root_fields' });
    assert.equal(rejections(afterwards) - rejections(before), 1);
  });

  it('counts a rate-limited operation by the limit it was over', async () => {
    const router = await hub.startRouter({}, { RATE_LIMIT_PER_CLIENT: '1' });
    assert.equal((await graphql(router.url, 'query MetricsLimited { __typename }')).status, 200);
    const limited = await graphql(router.url, 'query MetricsLimited { __typename }');
    assert.equal(limited.status, 429);
    // Reading /metrics is not an operation: the limit does not apply to it.
    const text = await routerMetrics(router.url);
    assert.equal(sample(text, 'interchange_rate_limit_rejections_total', { limit: 'client' }), 1);
    assert.equal(sample(text, 'api_gateway_requests_total', { operation: 'MetricsLimited', status: 'RATE_LIMITED' }), 1);
  });

  it('counts a circuit breaker that opened, and shows it open', async () => {
    // Nothing listens on port 9 of this host: every call to orders is refused.
    const router = await hub.startRouter({ orders: 'http://127.0.0.1:9/graphql' }, { SUBGRAPH_BREAKER_FAILURES: '1', SUBGRAPH_BREAKER_RESET_MS: '60000' });
    await graphql(router.url, '{ orders(first: 1) { totalCount } }');
    await graphql(router.url, '{ orders(first: 1) { totalCount } }');
    const text = await routerMetrics(router.url);
    assert.equal(sample(text, 'api_gateway_circuit_breaker_trips_total', { subgraph: 'orders' }), 1);
    assert.equal(sample(text, 'api_gateway_circuit_breaker_state', { subgraph: 'orders' }), 2);
    assert.equal(sample(text, 'api_gateway_circuit_breaker_state', { subgraph: 'customers' }), 0);
  });

  it('counts subscription connections and the events delivered to them', async () => {
    const client = wsClient(hub.routerUrl);
    clients.push(client);
    const events = subscribe(client, 'subscription { customerEvents(types: ["customer.created"]) { type } }');
    await eventually(async () => sample(await routerMetrics(), 'interchange_subscriptions_active'), (active) => active >= 1, 'active subscriptions');
    const before = await routerMetrics();
    assert.ok(sample(before, 'interchange_subscription_connections') >= 1);
    const tag = unique();
    await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', { input: { name: `Metrics ${tag}`, email: `metrics-${tag}@example.com` } });
    await events.waitFor(1);
    const afterwards = await routerMetrics();
    assert.ok(sample(afterwards, 'interchange_subscription_events_delivered_total') > sample(before, 'interchange_subscription_events_delivered_total'));
    events.stop();
  });

  it('answers 401 without credentials and 403 without metrics:read, as JSON errors', async () => {
    const anonymous = await fetch(metricsUrl(hub.routerUrl));
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'UNAUTHENTICATED');
    const apiUser = await fetch(metricsUrl(hub.routerUrl), { headers: await asRole('api_user') });
    assert.equal(apiUser.status, 403);
    assert.equal(((await apiUser.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'FORBIDDEN');
    const badToken = await fetch(metricsUrl(hub.routerUrl), { headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(badToken.status, 401);
    assert.equal((await fetch(metricsUrl(hub.routerUrl), { headers: await asRole('admin') })).status, 200);
  });

  it('serves METRICS_PORT without credentials, and nothing else there', async () => {
    const router = await hub.startRouter({}, { METRICS_PORT: '0' });
    assert.ok(router.metricsUrl);
    await graphql(router.url, 'query MetricsOnItsOwnPort { __typename }');
    const response = await fetch(router.metricsUrl);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.equal(sample(text, 'api_gateway_requests_total', { operation: 'MetricsOnItsOwnPort', status: 'ok' }), 1);
    assert.ok(sample(text, 'process_cpu_user_seconds_total', { service: 'router' }) > 0);
    assert.equal((await fetch(router.metricsUrl.replace(/\/metrics$/, '/graphql'))).status, 404);
  });

  it('has no /metrics when METRICS=false', async () => {
    const router = await hub.startRouter({}, { METRICS: 'false' });
    assert.equal(router.metrics, undefined);
    assert.equal((await fetch(metricsUrl(router.url), { headers: await asRole('admin') })).status, 404);
  });
});

describe('the subgraphs\' /metrics', () => {
  it('answers only the router\'s internal header naming a principal with metrics:read', async () => {
    const url = metricsUrl(hub.urls.customers);
    assert.equal((await fetch(url)).status, 401);
    const anonymous = await fetch(url, { headers: await internalHeaders(undefined, 'customers') });
    assert.equal(anonymous.status, 401);
    const writer: Principal = { kind: 'user', id: 'metrics-writer', roles: ['api_user'], scopes: scopesOf(['api_user']) };
    const forbidden = await fetch(url, { headers: await internalHeaders(writer, 'customers') });
    assert.equal(forbidden.status, 403);
    assert.equal(((await forbidden.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'FORBIDDEN');
    const text = await subgraphMetrics('customers');
    assert.ok(sample(text, 'interchange_db_pool_max', { pool: 'main', service: 'customers' }) > 0);
    assert.ok(text.includes('interchange_event_lag_events{consumer="relay",service="customers"}'));
  });

  it('counts messages produced and consumed, and the queue\'s size', async () => {
    const queue = `metrics-${unique()}`;
    await hub.query('mutation ($input: CreateQueueInput!) { createQueue(input: $input) { name } }', { input: { name: queue, kind: 'STANDARD' } });
    await hub.query('mutation ($queue: String!) { publishMessage(queue: $queue, input: { payload: { n: 1 } }) { id } }', { queue });
    await hub.query('mutation ($queue: String!) { publishMessage(queue: $queue, input: { payload: { n: 2 } }) { id } }', { queue });
    let text = await subgraphMetrics('queues');
    assert.equal(sample(text, 'message_broker_messages_produced_total', { queue }), 2);
    assert.equal(sample(text, 'message_broker_queue_size', { queue }), 2);
    assert.ok(text.includes(`message_broker_consumer_lag{queue="${queue}",service="queues"}`));
    assert.equal(sample(text, 'message_broker_dead_letters', { queue }), 0);
    const { receiveMessages } = await hub.query<{ receiveMessages: { receipt: string }[] }>(
      'mutation ($queue: String!) { receiveMessages(queue: $queue, max: 1) { receipt } }',
      { queue },
    );
    await hub.query('mutation ($receipts: [String!]!) { ackMessages(receipts: $receipts) }', { receipts: receiveMessages.map((received) => received.receipt) });
    text = await subgraphMetrics('queues');
    assert.equal(sample(text, 'message_broker_messages_consumed_total', { queue }), 1);
    assert.equal(sample(text, 'message_broker_queue_size', { queue }), 1);
    // The other message, nacked as a dead letter, is counted as one.
    const { receiveMessages: second } = await hub.query<{ receiveMessages: { receipt: string }[] }>('mutation ($queue: String!) { receiveMessages(queue: $queue, max: 1) { receipt } }', { queue });
    await hub.query('mutation ($receipts: [String!]!) { nackMessages(receipts: $receipts, deadLetter: true) }', { receipts: second.map((received) => received.receipt) });
    text = await subgraphMetrics('queues');
    assert.equal(sample(text, 'message_broker_dead_letters', { queue }), 1);
    assert.equal(sample(text, 'message_broker_queue_size', { queue }), 0);
  });

  it('counts a webhook delivery, with every endpoint under one label', async () => {
    receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    await hub.query('mutation ($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }', {
      input: { url, eventTypes: ['customer.created'] },
    });
    const tag = unique();
    await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', { input: { name: `Webhook ${tag}`, email: `webhook-${tag}@example.com` } });
    const delivered = await eventually(
      async () => sample(await subgraphMetrics('queues'), 'interchange_webhook_deliveries_total', { outcome: 'delivered', status: '2xx' }),
      (count) => count >= 1,
      'webhook deliveries counted',
    );
    assert.ok(delivered >= 1);
    const text = await subgraphMetrics('queues');
    assert.ok(sample(text, 'interchange_webhook_delivery_duration_seconds_count') >= 1);
    assert.ok(sample(text, 'message_broker_messages_produced_total', { queue: 'webhooks' }) >= 1);
    assert.ok(sample(text, 'interchange_db_pool_max', { pool: 'webhooks' }) > 0);
    assert.ok(text.includes('interchange_event_lag_events{consumer="webhooks.deliveries",service="queues"}'));
  });

  it('counts SAP requests against the bundled simulator, with its pool and breaker', async () => {
    const before = await subgraphMetrics('sap');
    const { businessPartners } = await hub.query('{ businessPartners(first: 2) { totalCount } }');
    assert.ok(businessPartners.totalCount > 0);
    const afterwards = await subgraphMetrics('sap');
    const requests = (text: string) => sample(text, 'sap_requests_total', { system: 'SIM', method: 'GET', status: '2xx' });
    assert.ok(requests(afterwards) > requests(before));
    assert.ok(sample(afterwards, 'sap_request_duration_seconds_count', { system: 'SIM' }) >= 1);
    assert.ok(sample(afterwards, 'sap_connection_pool_size', { system: 'SIM' }) > 0);
    assert.ok(afterwards.includes('sap_connection_pool_in_use{system="SIM",service="sap"}'));
    assert.equal(sample(afterwards, 'sap_circuit_breaker_state', { system: 'SIM' }), 0);
  });
});

describe('label values', () => {
  it('never carry an id: no UUID anywhere in any service\'s exposition', async () => {
    const expositions = [await routerMetrics(), ...(await Promise.all((Object.keys(hub.urls) as SubgraphName[]).map((name) => subgraphMetrics(name))))];
    for (const text of expositions) {
      assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
      assert.ok(text.length > 1_000);
    }
  });

  it('name an operation without a name `anonymous`', async () => {
    await hub.query('{ __typename }');
    assert.ok(sample(await routerMetrics(), 'api_gateway_requests_total', { operation: 'anonymous', status: 'ok' }) >= 1);
  });

  it('do not admit the text of an operation that does not parse', async () => {
    const response = await graphql(hub.routerUrl, 'query Broken { customers( }', undefined, ANONYMOUS);
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
    const text = await routerMetrics();
    assert.doesNotMatch(text, /Broken/);
    assert.ok(sample(text, 'api_gateway_requests_total', { operation: 'anonymous', status: 'GRAPHQL_PARSE_FAILED' }) >= 1);
  });
});
