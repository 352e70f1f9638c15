import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { internalHeaders, startTestHub, type TestHub } from './support/hub.js';

/**
 * Counted, not timed: the SQL statements both subgraphs send for one client query must not
 * grow with the page size. Every __resolveReference and to-many field goes through a
 * per-request DataLoader.
 */

let hub: TestHub;
const CUSTOMERS = 20;
const ORDERS = 100;

before(async () => {
  hub = await startTestHub();
  const customerIds: string[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const data = await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
      input: { name: `Batch Customer ${i}`, email: `batch-${i}@example.com` },
    });
    customerIds.push(data.createCustomer.id);
  }
  for (let i = 0; i < ORDERS; i++) {
    await hub.query('mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
      input: {
        customerId: customerIds[i % CUSTOMERS],
        currency: 'EUR',
        lines: [
          { sku: `SKU-${i}`, quantity: 1 + (i % 3), unitPrice: '9.99' },
          { sku: 'SHIPPING', quantity: 1, unitPrice: '4.50' },
        ],
      },
    });
  }
});

after(async () => {
  await hub?.stop();
});

async function statementsFor(query: string, variables: Record<string, unknown>, check: (data: any) => void): Promise<number> {
  hub.statements.reset();
  const data = await hub.query(query, variables);
  check(data);
  return hub.statements.count();
}

describe('SQL statements per request', () => {
  it('stays at 3 for orders with their customers and lines, whatever the page size', async () => {
    const query = `query ($first: Int!) {
      orders(first: $first) { totalCount edges { node { number total lines { sku quantity lineTotal } customer { name email } } } }
    }`;
    const counts: Record<number, number> = {};
    for (const first of [1, 10, 100]) {
      counts[first] = await statementsFor(query, { first }, (data) => {
        assert.equal(data.orders.edges.length, first);
        for (const { node } of data.orders.edges) {
          assert.equal(node.lines.length, 2);
          assert.match(node.customer.name, /^Batch Customer/);
        }
      });
    }
    // the orders page, counted by the same statement, and lines (orders subgraph); one entity lookup (customers subgraph)
    assert.deepEqual(counts, { 1: 3, 10: 3, 100: 3 });
  });

  it('counts a later page with a statement of its own, only when totalCount is selected', async () => {
    const first = await hub.query('{ orders(first: 2) { totalCount pageInfo { endCursor } } }');
    const later = (selection: string) => statementsFor(`query ($after: String) { orders(first: 2, after: $after) { ${selection} } }`, { after: first.orders.pageInfo.endCursor }, (data) => {
      if (selection.includes('totalCount')) assert.equal(data.orders.totalCount, first.orders.totalCount);
    });
    assert.equal(await later('totalCount edges { node { number } }'), 2);
    assert.equal(await later('edges { node { number } }'), 1);
    assert.equal(await statementsFor('{ orders(first: 2) { edges { node { number } } } }', {}, () => {}), 1);
  });

  it('stays constant for customers with their orders and order lines', async () => {
    const query = `query ($first: Int!) {
      customers(first: $first) { edges { node { name orders(first: 3) { totalCount edges { node { number lines { sku } } } } } } }
    }`;
    const counts: number[] = [];
    for (const first of [1, 10, 20]) {
      counts.push(
        await statementsFor(query, { first }, (data) => {
          assert.equal(data.customers.edges.length, first);
          for (const { node } of data.customers.edges) {
            assert.equal(node.orders.totalCount, ORDERS / CUSTOMERS);
            assert.equal(node.orders.edges.length, 3);
          }
        }),
      );
    }
    // customers page; per-customer order pages counted by the same statement; their lines
    assert.deepEqual(counts, [3, 3, 3]);
  });

  it('batches entity references from the router into one statement per type', async () => {
    const orders = await hub.query('{ orders(first: 50) { edges { node { id } } } }');
    const representations = orders.orders.edges.map(({ node }: any) => ({ __typename: 'Order', id: node.id }));
    hub.statements.reset();
    const response = await fetch(hub.ordersUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await internalHeaders()) },
      body: JSON.stringify({
        query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id total lines { sku } } } }',
        variables: { r: representations },
      }),
    });
    const body = (await response.json()) as any;
    assert.equal(body.data._entities.length, 50);
    assert.equal(hub.statements.count(), 2);
  });
});
