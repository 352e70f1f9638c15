import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { graphql, startTestHub, type GraphQLResponse, type TestHub } from './support/hub.js';
import { countingProxy } from './support/proxy.js';
import { asRole } from './support/tokens.js';

/**
 * One failing subgraph never takes the hub down: real subgraphs, real faults (a stopped
 * process, a held lock, a proxy that answers 503), counted rather than timed.
 */

const CUSTOMERS_WITH_ORDERS = '{ customers(first: 5) { edges { node { name orders { totalCount } } } } }';

let hub: TestHub;

/** Holds a lock on the orders table, so that the orders subgraph cannot answer until released. */
async function holdOrdersTable(): Promise<() => Promise<void>> {
  const locker = new pg.Client({ connectionString: hub.database.url });
  await locker.connect();
  await locker.query('begin; lock table orders.orders in access exclusive mode');
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await locker.query('rollback');
    await locker.end();
  };
}

before(async () => {
  hub = await startTestHub({ env: { SUBGRAPH_BREAKER_FAILURES: '3', SUBGRAPH_BREAKER_RESET_MS: '500', SUBGRAPH_TIMEOUT_MS: '1000' } });
  for (const name of ['Resilient One', 'Resilient Two']) {
    const { createCustomer } = await hub.query('mutation ($n: String!, $e: String!) { createCustomer(input: { name: $n, email: $e }) { id } }', {
      n: name,
      e: `${name.replace(' ', '.').toLowerCase()}@example.com`,
    });
    await hub.query('mutation ($c: ID!) { placeOrder(input: { customerId: $c, currency: "EUR", lines: [{ sku: "R", quantity: 1, unitPrice: "1" }] }) { id } }', {
      c: createCustomer.id,
    });
  }
});
after(async () => {
  await hub?.stop();
});

describe('calls from the router to subgraphs', () => {
  it('retries a query once on a transient 503 and answers in full', async () => {
    const proxy = await countingProxy(hub.ordersUrl, { failures: 1 });
    const router = await hub.startRouter({ orders: proxy.url });
    try {
      const response = await graphql(router.url, '{ orders(first: 5) { totalCount } }');
      assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
      assert.equal(response.body.data.orders.totalCount, 2);
      assert.equal(proxy.requests(), 2, 'one failure, one retry');
    } finally {
      await proxy.close();
    }
  });

  it('never retries a mutation', async () => {
    const proxy = await countingProxy(hub.ordersUrl, { failures: 1 });
    const router = await hub.startRouter({ orders: proxy.url });
    try {
      const response = await graphql(router.url, 'mutation { cancelOrder(id: "00000000-0000-4000-8000-000000000000") { id } }');
      const error = response.body.errors?.[0];
      assert.equal(error?.extensions?.code, 'SUBGRAPH_UNAVAILABLE');
      assert.equal(error?.extensions?.serviceName, 'orders');
      assert.equal(error?.extensions?.transient, true);
      assert.equal(proxy.requests(), 1);
    } finally {
      await proxy.close();
    }
  });

  it('gives up on a subgraph that does not answer in time, with TIMEOUT, and delivers the rest', async () => {
    // A lock held on the orders table keeps the orders subgraph from answering.
    const release = await holdOrdersTable();
    try {
      const response = await hub.request(CUSTOMERS_WITH_ORDERS);
      const names = response.body.data?.customers.edges.map((edge: any) => edge.node.name);
      assert.deepEqual(names?.sort(), ['Resilient One', 'Resilient Two']);
      assert.ok(response.body.data?.customers.edges.every((edge: any) => edge.node.orders === null));
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'TIMEOUT');
      assert.equal(response.body.errors?.[0]?.extensions?.serviceName, 'orders');
    } finally {
      await release();
    }
  });
});

describe('the bulkhead', () => {
  it('refuses calls beyond the concurrency cap and its queue while a subgraph hangs', async () => {
    const router = await hub.startRouter({}, { SUBGRAPH_MAX_CONCURRENCY: '1', SUBGRAPH_TIMEOUT_MS: '3000', SUBGRAPH_BREAKER_FAILURES: '100' });
    const release = await holdOrdersTable();
    try {
      // Staggered, so that only the orders calls (held by the lock) pile up, not the quick customers calls.
      const pending: Promise<GraphQLResponse>[] = [];
      for (let i = 0; i < 4; i++) {
        pending.push(graphql(router.url, CUSTOMERS_WITH_ORDERS));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await release();
      const responses = await Promise.all(pending);
      const refused = responses.filter((response) => response.body.errors?.[0]?.extensions?.reason === 'too many requests in flight to this subgraph');
      // One call in flight and one waiting; the other two are refused at once, customers still delivered.
      assert.equal(refused.length, 2);
      assert.ok(responses.every((response) => response.body.data?.customers.edges.length === 2));
    } finally {
      await release();
    }
  });
});

describe('the operation deadline', () => {
  it('ends subgraph calls at OPERATION_TIMEOUT_MS even when the subgraph timeout is longer', async () => {
    const router = await hub.startRouter({}, { OPERATION_TIMEOUT_MS: '300', SUBGRAPH_TIMEOUT_MS: '5000' });
    const release = await holdOrdersTable();
    try {
      const response = await graphql(router.url, CUSTOMERS_WITH_ORDERS);
      assert.equal(response.body.data?.customers.edges.length, 2);
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'TIMEOUT');
      assert.equal(response.body.errors?.[0]?.extensions?.reason, 'the operation deadline passed');
    } finally {
      await release();
    }
  });
});

describe('a subgraph that goes down', () => {
  it('leaves partial results, opens its circuit, and closes it again when the subgraph is back', async () => {
    await hub.restartRouter(); // circuits start closed, whatever the tests before did
    await hub.stopSubgraph('orders');
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await hub.request(CUSTOMERS_WITH_ORDERS);
      // customers still arrive; the orders field is null with an error naming the subgraph
      assert.equal(response.body.data?.customers.edges.length, 2);
      assert.ok(response.body.data?.customers.edges.every((edge: any) => edge.node.orders === null));
      assert.equal(response.body.errors?.[0]?.extensions?.serviceName, 'orders');
      codes.push(response.body.errors?.[0]?.extensions?.code);
    }
    assert.equal(codes[0], 'SUBGRAPH_UNAVAILABLE');
    assert.equal(codes.at(-1), 'CIRCUIT_OPEN');
    assert.equal(hub.circuits().orders?.state, 'open');
    const ready = (await (await fetch(new URL('/ready', hub.routerUrl), { headers: await asRole('admin') })).json()) as { subgraphs: { name: string; circuit: string }[] };
    assert.equal(ready.subgraphs.find((subgraph) => subgraph.name === 'orders')?.circuit, 'open');

    await hub.restartSubgraph('orders');
    await new Promise((resolve) => setTimeout(resolve, 600)); // past SUBGRAPH_BREAKER_RESET_MS
    const recovered = await hub.request(CUSTOMERS_WITH_ORDERS);
    assert.equal(recovered.body.errors, undefined, JSON.stringify(recovered.body.errors));
    assert.deepEqual(recovered.body.data?.customers.edges.map((edge: any) => edge.node.orders.totalCount), [1, 1]);
    assert.equal(hub.circuits().orders?.state, 'closed');
    assert.deepEqual(hub.circuits().orders?.transitions, { open: 1, 'half-open': 1, closed: 1, isolated: 0 });
  });
});
