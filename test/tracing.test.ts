import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ConfigError, loadConfig } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { exportSpansTo } from '../infra/tracing/tracing.js';
import { routerEnv } from '../router/config.js';
import * as router from '../router/server.js';
import { customers } from '../subgraphs/customers/subgraph.js';
import { eventually } from './support/eventually.js';
import { graphql, startTestHub, TEST_INTERNAL_SECRET, type TestHub } from './support/hub.js';
import { countingProxy } from './support/proxy.js';
import { TEST_JWT_SECRET } from './support/tokens.js';

/**
 * OpenTelemetry traces: the test hub runs the router and every subgraph in this process, so one
 * in-memory exporter, installed before the hub starts, sees the spans of all of them.
 */

const exporter = new InMemorySpanExporter();
let hub: TestHub;
let counter = 0;
const unique = () => `${Date.now()}${++counter}`;

const CUSTOMER_WITH_ORDERS = `query TracedCustomer($id: ID!) {
  customer(id: $id) { name orders(first: 5) { totalCount edges { node { number total } } } }
}`;

before(async () => {
  exportSpansTo(exporter);
  try {
    hub = await startTestHub();
  } finally {
    // Services started from now on read their configuration again (tracing off unless it says otherwise).
    exportSpansTo(undefined);
  }
});

after(async () => {
  await hub?.stop();
});

const serviceOf = (span: ReadableSpan) => span.resource.attributes['service.name'];
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** A customer with two orders, made through the router. */
async function customerWithOrders(): Promise<string> {
  const tag = unique();
  const { createCustomer } = await hub.query<{ createCustomer: { id: string } }>(
    'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }',
    { input: { name: `Traced ${tag}`, email: `traced-${tag}@example.com` } },
  );
  for (const sku of ['TRACE-1', 'TRACE-2']) {
    await hub.query('mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
      input: { customerId: createCustomer.id, currency: 'EUR', lines: [{ sku, quantity: 1, unitPrice: '2.50' }] },
    });
  }
  return createCustomer.id;
}

/** The router's operation span of the request `requestId` (once it has ended), and every span of its trace. */
async function traceOfRequest(requestId: string): Promise<{ operation: ReadableSpan; spans: ReadableSpan[] }> {
  const operation = await eventually(
    () => exporter.getFinishedSpans().find((span) => serviceOf(span) === 'interchange-router' && span.attributes['interchange.request_id'] === requestId),
    (span) => span !== undefined,
    `the operation span of request ${requestId}`,
  );
  return { operation: operation!, spans: exporter.getFinishedSpans().filter((span) => traceOf(span) === traceOf(operation!)) };
}

function only(spans: ReadableSpan[], predicate: (span: ReadableSpan) => boolean, what: string): ReadableSpan {
  const found = spans.filter(predicate);
  assert.equal(found.length, 1, `${what}: ${found.length} spans among ${spans.map((span) => `${serviceOf(span)} ${span.name}`).join(', ')}`);
  return found[0]!;
}

/** Whether `span` is `ancestor` or below it. */
function isUnder(span: ReadableSpan, ancestor: ReadableSpan, spans: ReadableSpan[]): boolean {
  for (let current: ReadableSpan | undefined = span; current; current = spans.find((candidate) => idOf(candidate) === parentOf(current!))) {
    if (current === ancestor) return true;
  }
  return false;
}

describe('traces of a federated query', () => {
  it('make one trace of a customer and its orders, across the router, customers and orders', async () => {
    const customerId = await customerWithOrders();
    exporter.reset();
    const response = await hub.request(CUSTOMER_WITH_ORDERS, { id: customerId });
    assert.equal(response.body.errors, undefined);
    assert.equal(response.body.data.customer.orders.totalCount, 2);
    const requestId = response.headers.get('x-request-id')!;
    const { operation, spans } = await traceOfRequest(requestId);

    // Everything traced since the query is this one trace (nothing outside requests makes spans).
    assert.deepEqual(new Set(exporter.getFinishedSpans().map(traceOf)), new Set([traceOf(operation)]));
    assert.deepEqual(new Set(spans.map(serviceOf)), new Set(['interchange-router', 'interchange-customers', 'interchange-orders']));

    assert.equal(operation.name, 'graphql.operation TracedCustomer');
    assert.equal(operation.kind, SpanKind.SERVER);
    assert.equal(operation.parentSpanContext, undefined);
    assert.equal(operation.attributes['graphql.operation.name'], 'TracedCustomer');
    assert.equal(operation.attributes['graphql.operation.type'], 'query');
    assert.equal(operation.attributes['enduser.id'], 'test-admin');
    assert.equal(operation.attributes['http.response.status_code'], 200);
    assert.equal(operation.attributes['interchange.cache'], 'MISS');
    assert.notEqual(operation.status.code, SpanStatusCode.ERROR);

    for (const subgraph of ['customers', 'orders']) {
      const fetch = only(spans, (span) => span.name === `subgraph.fetch ${subgraph}`, `the router's fetch from ${subgraph}`);
      assert.equal(fetch.kind, SpanKind.CLIENT);
      assert.equal(parentOf(fetch), idOf(operation));
      assert.equal(fetch.attributes['interchange.subgraph.attempt'], 1);
      assert.equal(fetch.attributes['http.response.status_code'], 200);
      // The subgraph continued the traceparent the fetch sent.
      const server = only(spans, (span) => serviceOf(span) === `interchange-${subgraph}` && span.kind === SpanKind.SERVER, `${subgraph}'s server span`);
      assert.equal(parentOf(server), idOf(fetch));
      assert.equal(server.attributes['interchange.subgraph'], subgraph);
      assert.equal(server.attributes['interchange.request_id'], requestId);
      assert.match(server.name, /^graphql\.operation TracedCustomer__/);
      const statements = spans.filter((span) => serviceOf(span) === `interchange-${subgraph}` && span.attributes['db.system'] === 'postgresql');
      assert.ok(statements.length > 0, `${subgraph} traced no SQL`);
      for (const statement of statements) {
        assert.ok(isUnder(statement, server, spans), `${statement.name} is not under ${subgraph}'s server span`);
        assert.match(String(statement.attributes['db.statement']), /^select\b/i);
        // The text only: the customer's id is a parameter, never in the span.
        assert.ok(!String(statement.attributes['db.statement']).includes(customerId));
      }
    }

    // Planned now (the query is new), looked up in the response cache and stored there.
    assert.equal(operation.attributes['interchange.plan.cache'], 'miss');
    assert.equal(parentOf(only(spans, (span) => span.name === 'graphql.plan', 'the planning')), idOf(operation));
    assert.equal(parentOf(only(spans, (span) => span.name === 'response_cache.lookup', 'the cache lookup')), idOf(operation));
    const store = only(spans, (span) => span.name === 'response_cache.store', 'the cache store');
    assert.equal(store.attributes['interchange.cache.stored'], true);
  });

  it('keeps the plan and answers from the response cache without subgraph spans', async () => {
    const customerId = await customerWithOrders();
    const first = await hub.request(CUSTOMER_WITH_ORDERS, { id: customerId });
    await traceOfRequest(first.headers.get('x-request-id')!);

    // The events of the customer's creation reach the router's relay on their own time, and purge
    // what they changed: asked again until the answer is a hit.
    const again = await eventually(
      async () => {
        exporter.reset();
        return hub.request(CUSTOMER_WITH_ORDERS, { id: customerId });
      },
      (response) => response.headers.get('x-cache') === 'HIT',
      'a cached answer',
    );
    const { operation, spans } = await traceOfRequest(again.headers.get('x-request-id')!);
    assert.equal(operation.name, 'graphql.operation TracedCustomer');
    assert.equal(operation.attributes['interchange.cache'], 'HIT');
    assert.deepEqual(spans.map((span) => span.name).sort(), ['graphql.operation TracedCustomer', 'response_cache.lookup']);

    // Another customer: the same operation, planned before, fetched anew.
    exporter.reset();
    const other = await hub.request(CUSTOMER_WITH_ORDERS, { id: await customerWithOrders() });
    const otherTrace = await traceOfRequest(other.headers.get('x-request-id')!);
    assert.equal(otherTrace.operation.attributes['interchange.plan.cache'], 'hit');
    assert.ok(!otherTrace.spans.some((span) => span.name === 'graphql.plan'));
    assert.ok(otherTrace.spans.some((span) => span.name === 'subgraph.fetch orders'));
  });

  it('continues the trace a client\'s traceparent names', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const response = await hub.request(CUSTOMER_WITH_ORDERS, { id: await customerWithOrders() }, { traceparent: `00-${traceId}-${parentId}-01` });
    const { operation, spans } = await traceOfRequest(response.headers.get('x-request-id')!);
    assert.equal(traceOf(operation), traceId);
    assert.equal(parentOf(operation), parentId);
    assert.ok(spans.some((span) => serviceOf(span) === 'interchange-orders'));
  });

  it('lists the error codes of an answer with errors on its operation span', async () => {
    const response = await hub.request('query TracedBadInput { customers(first: 1000) { totalCount } }');
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const { operation } = await traceOfRequest(response.headers.get('x-request-id')!);
    assert.deepEqual(operation.attributes['interchange.error_codes'], ['BAD_USER_INPUT']);
    assert.equal(operation.status.code, SpanStatusCode.ERROR);
  });
});

/** What the test hub's services read, for services a test starts beside them. */
const TEST_ENV = {
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  PORT: '0',
  NODE_ENV: 'test',
  JWT_SECRET: TEST_JWT_SECRET,
  INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
  RATE_LIMIT_PER_CLIENT: '0',
};

describe('tracing off', () => {
  it('is the default: no spans, and no traceparent sent to the subgraphs', async () => {
    // A router and a customers subgraph of their own, started with the configuration alone (no OTEL_* variables).
    const subgraph = await customers.start({ ...TEST_ENV, DATABASE_URL: hub.database.url, DB_POOL_MAX: '2' }, { logger: createLogger('customers', 'silent') });
    const proxy = await countingProxy(subgraph.url);
    const untraced = await router.start(loadConfig(routerEnv, TEST_ENV), { logger: createLogger('router', 'silent'), subgraphUrls: { ...hub.urls, customers: proxy.url } });
    try {
      exporter.reset();
      const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
      const response = await graphql(untraced.url, 'query Untraced { customers(first: 1) { totalCount } }', undefined, { traceparent });
      assert.equal(response.body.errors, undefined);
      assert.equal(proxy.requests(), 1);
      assert.equal(proxy.lastHeaders()?.traceparent, undefined);
      // The first traced service of this process registered OpenTelemetry's global tracer provider: nothing untraced used it either.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(exporter.getFinishedSpans(), []);
    } finally {
      await untraced.stop(1_000);
      await proxy.close();
      await subgraph.stop(1_000);
    }
  });
});

describe('export over OTLP/HTTP', () => {
  it('sends the spans to OTEL_EXPORTER_OTLP_ENDPOINT, with OTEL_EXPORTER_OTLP_HEADERS, by the time the service has stopped', async () => {
    const received: { method?: string; path?: string; headers: IncomingHttpHeaders; body: string }[] = [];
    const collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`;
      const config = loadConfig(routerEnv, {
        ...TEST_ENV,
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=let%20me%20in',
      });
      const exporting = await router.start(config, { logger: createLogger('router', 'silent'), subgraphUrls: hub.urls });
      let stopped = false;
      try {
        const response = await graphql(exporting.url, 'query OverOtlp { customers(first: 1) { totalCount } }');
        assert.equal(response.body.errors, undefined);
        // Batched: nothing need have been sent yet. Stopping flushes.
        await exporting.stop(1_000);
        stopped = true;
      } finally {
        if (!stopped) await exporting.stop(1_000);
      }
      const exports = received.filter((request) => request.path === '/v1/traces');
      assert.ok(exports.length > 0, `no export arrived at /v1/traces (requests: ${JSON.stringify(received.map((request) => request.path))})`);
      const [first] = exports;
      assert.equal(first!.method, 'POST');
      assert.equal(first!.headers['x-collector-key'], 'let me in');
      assert.match(String(first!.headers['content-type']), /^application\/json/);
      const bodies = exports.map((request) => request.body).join('\n');
      assert.match(bodies, /"interchange-router"/);
      assert.match(bodies, /graphql\.operation OverOtlp/);
      assert.match(bodies, /subgraph\.fetch customers/);
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});

describe('tracing configuration', () => {
  it('reads OTEL_EXPORTER_OTLP_HEADERS as the OTLP specification writes them, and never shows their values', () => {
    const config = loadConfig(routerEnv, { OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s%3Dcret , x-team=blue' });
    assert.deepEqual(config.OTEL_EXPORTER_OTLP_HEADERS, { 'api-key': 's=cret', 'x-team': 'blue' });
    assert.throws(
      () => loadConfig(routerEnv, { OTEL_EXPORTER_OTLP_HEADERS: 'authorization Basic c2VjcmV0' }),
      (error: unknown) => error instanceof ConfigError && /OTEL_EXPORTER_OTLP_HEADERS=\(28 characters, hidden\)/.test(error.message) && !error.message.includes('c2VjcmV0'),
    );
    assert.throws(() => loadConfig(routerEnv, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), /OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318"/);
  });
});
