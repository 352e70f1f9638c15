import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startTestHub, type TestHub } from './support/hub.js';
import { SUBGRAPHS } from '../subgraphs/index.js';
import { asRole } from './support/tokens.js';

let hub: TestHub;
let origin: string;

before(async () => {
  hub = await startTestHub({ env: { CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' } });
  origin = new URL(hub.routerUrl).origin;
});
after(async () => {
  await hub?.stop();
});

describe('the router over HTTP', () => {
  it('shows Apollo Sandbox as the landing page in a browser', async () => {
    const response = await fetch(hub.routerUrl, { headers: { accept: 'text/html' } });
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /embeddable-sandbox/);
    assert.match(html, new RegExp(`initialEndpoint: "${hub.routerUrl}"|initialEndpoint`));
    const root = await fetch(origin, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/graphql');
  });

  it('answers /health while the process lives and /ready while every subgraph answers', async () => {
    const health = await fetch(`${origin}/health`);
    assert.equal(health.status, 200);
    const anonymous = await fetch(`${origin}/ready`);
    assert.equal(anonymous.status, 200);
    // Anyone may ask whether the router is ready; which subgraphs it has, and where, is for operators.
    assert.deepEqual(await anonymous.json(), { status: 'ready' });
    const ready = await fetch(`${origin}/ready`, { headers: await asRole('readonly') });
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { subgraphs: { name: string; ready: boolean }[] };
    assert.deepEqual(
      body.subgraphs.map((subgraph) => [subgraph.name, subgraph.ready]),
      SUBGRAPHS.map(({ name }) => [name, true]),
    );
  });

  it('answers under a request id of its own, whatever x-request-id the client sends, and the subgraphs see that id', async () => {
    const response = await hub.request('{ customers(first: 1000) { totalCount } }', undefined, { 'x-request-id': 'trace-abc.123' });
    const requestId = response.headers.get('x-request-id');
    assert.match(requestId ?? '', /^[0-9a-f-]{36}$/);
    const [error] = response.body.errors ?? [];
    assert.equal(error?.extensions?.code, 'BAD_USER_INPUT');
    // The subgraph raised this error: it saw the router's request id.
    assert.equal(error?.extensions?.requestId, requestId);
  });

  it('keeps a field aliased __proto__ that an entity fetch brings, as a field of the answer', async () => {
    const { createCustomer } = await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
      input: { name: 'Proto Alias Ltd', email: `proto-alias-${Date.now()}@example.com` },
    });
    // orders comes from the orders subgraph, merged into the customer the customers subgraph answered.
    const response = await hub.request('query ($id: ID!) { customer(id: $id) { id __proto__: orders(first: 1) { totalCount } } }', { id: createCustomer.id });
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    assert.deepEqual(response.body.data, { customer: { id: createCustomer.id, ['__proto__']: { totalCount: 0 } } });
  });

  it('generates a request id when none or a malformed one is given', async () => {
    for (const headers of [{}, { 'x-request-id': 'has spaces and "quotes"' }] as Record<string, string>[]) {
      const response = await hub.request('{ __typename }', undefined, headers);
      assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    }
  });

  it('admits Apollo Sandbox and the configured origins by CORS, and no others', async () => {
    for (const allowed of ['https://studio.apollographql.com', 'https://sandbox.embed.apollographql.com', 'https://app.example.com', 'https://admin.example.com']) {
      const preflight = await fetch(hub.routerUrl, {
        method: 'OPTIONS',
        headers: { origin: allowed, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      assert.equal(preflight.status, 204, allowed);
      assert.equal(preflight.headers.get('access-control-allow-origin'), allowed);
    }
    const denied = await fetch(hub.routerUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
    });
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
  });

  it('lets browser apps read the request id, the cache status, Age and Retry-After', async () => {
    const response = await fetch(hub.routerUrl, { method: 'POST', headers: { origin: 'https://app.example.com', 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    assert.deepEqual(response.headers.get('access-control-expose-headers')?.split(','), ['x-request-id', 'x-cache', 'age', 'retry-after']);
  });

  it('keeps CSRF prevention on: a simple GET query without a preflight header is refused', async () => {
    const response = await fetch(`${hub.routerUrl}?query=${encodeURIComponent('{ __typename }')}`);
    assert.equal(response.status, 400);
    assert.match(await response.text(), /CSRF/);
    const allowed = await fetch(`${hub.routerUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    assert.equal(allowed.status, 200);
  });

  it('answers malformed JSON with 400 BAD_REQUEST, not a stack trace', async () => {
    const response = await fetch(hub.routerUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    assert.equal(response.status, 400);
    const body = (await response.json()) as any;
    assert.equal(body.errors[0].extensions.code, 'BAD_REQUEST');
    assert.ok(body.errors[0].extensions.requestId);
    assert.doesNotMatch(JSON.stringify(body), /at .*\.js:\d+/);
  });

  it('refuses a body over the size limit with 413', async () => {
    const response = await fetch(hub.routerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }`, padding: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assert.equal(response.status, 413);
  });

  it('answers GraphQL syntax and validation errors with their codes', async () => {
    const syntax = await hub.request('{ customers(');
    assert.equal(syntax.status, 200, 'answered as application/json (fetch accepts */*): a request error is 200');
    assert.equal(syntax.body.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
    const validation = await hub.request('{ customers { nope } }');
    assert.equal(validation.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('gives a subgraph the default of a variable the client left out', async () => {
    const answer = await hub.request('query ($first: Int! = 2, $tier: CustomerTier = STANDARD) { customers(first: $first, filter: { tier: $tier }) { edges { node { tier } } } }');
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    assert.ok(answer.body.data.customers.edges.length <= 2);
    assert.ok(answer.body.data.customers.edges.every(({ node }: { node: { tier: string } }) => node.tier === 'STANDARD'));
  });

  it('sends the Cache-Control that every subgraph’s @cacheControl hints allow, and no-store for mutations and errors', async () => {
    const cacheControl = async (query: string) => (await hub.request(query)).headers.get('cache-control');
    // Customer and order data is private: browsers may keep it, shared caches may not.
    assert.equal(await cacheControl('{ customers(first: 1) { totalCount } }'), 'max-age=30, private');
    assert.equal(await cacheControl('{ customerGroups { code } }'), 'max-age=3600, public');
    // customers allows 30 s, orders 10 s: the answer is cacheable as long as its shortest part.
    await hub.query('mutation { createCustomer(input: { name: "Cached Customer", email: "cached@example.com" }) { id } }');
    assert.equal(await cacheControl('{ customers(first: 1) { edges { node { name orders { totalCount } } } } }'), 'max-age=10, private');
    assert.equal(await cacheControl('mutation { cancelOrder(id: "00000000-0000-4000-8000-000000000000") { id } }'), 'no-store');
    assert.equal(await cacheControl('{ customers(first: 1000) { totalCount } }'), 'no-store', 'never for an answer with errors');
  });

  it('shows Apollo Sandbox the query plan when it asks (outside production)', async () => {
    const { body } = await hub.request('{ planned: customers(first: 2) { edges { node { name orders { totalCount } } } } }', undefined, { 'apollo-query-plan-experimental': '1' });
    assert.match(body.extensions?.__queryPlanExperimental as string, /Fetch\(service: "customers"\)[\s\S]*Fetch\(service: "orders"\)/);
    assert.equal((await hub.request('{ customerGroups { code } }')).body.extensions, undefined);
  });

  it('answers 404 for an unknown path', async () => {
    const response = await fetch(`${origin}/nope`);
    assert.equal(response.status, 404);
  });
});

describe('readiness and shutdown', () => {
  it('reports not ready, naming the subgraph, while one does not answer, and keeps serving the rest', async () => {
    const partial = await startTestHub();
    try {
      await partial.stopSubgraph('orders');
      const ready = await fetch(new URL('/ready', partial.routerUrl), { headers: await asRole('admin') });
      assert.equal(ready.status, 503);
      const body = (await ready.json()) as { subgraphs: { name: string; ready: boolean }[] };
      assert.deepEqual(body.subgraphs.filter((subgraph) => !subgraph.ready).map((subgraph) => subgraph.name), ['orders']);
      const customers = await partial.request('{ customers(first: 1) { totalCount } }');
      assert.equal(customers.body.data?.customers.totalCount, 0);
    } finally {
      await partial.stop();
    }
  });

  it('finishes in-flight requests when stopped', async () => {
    const draining = await startTestHub();
    // Hold every insert at a table lock, so that the requests are provably in flight.
    const locker = new pg.Client({ connectionString: draining.database.url });
    await locker.connect();
    await locker.query('begin; lock table customers.customers in exclusive mode');
    const inFlight = Array.from({ length: 5 }, (_, i) =>
      draining.request('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
        input: { name: `Drain ${i}`, email: `drain-${i}@example.com` },
      }),
    );
    // Watched from outside the locking transaction, which would see one frozen snapshot of pg_stat_activity.
    const watcher = new pg.Client({ connectionString: draining.database.url });
    await watcher.connect();
    const waiting = `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    while ((await watcher.query(waiting)).rows[0].n < 5) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await watcher.end();
    const stopped = draining.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await locker.query('commit');
    await locker.end();
    const results = await Promise.all(inFlight);
    await stopped;
    assert.deepEqual(results.map((result) => typeof result.body.data?.createCustomer?.id), Array(5).fill('string'));
  });
});
