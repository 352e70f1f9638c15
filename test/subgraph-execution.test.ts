import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { graphql, internalHeaders, startTestHub, type TestHub } from './support/hub.js';

/**
 * The subgraphs run operations compiled by graphql-jit (GRAPHQL_JIT, default true). A second
 * hub on the same database runs them with graphql-js: through the router, both must answer the
 * same operations with the same bytes, data and errors alike.
 */

let jit: TestHub;
let graphqlJs: TestHub;
let customerId: string;
let orderId: string;

before(async () => {
  jit = await startTestHub();
  graphqlJs = await startTestHub({ database: jit.database, env: { GRAPHQL_JIT: 'false' } });
  for (let c = 0; c < 3; c++) {
    const { createCustomer } = await jit.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
      input: { name: `Customer ${c}`, email: `customer${c}@example.com`, creditLimit: `${1000 + c}.50`, tier: ['STANDARD', 'PREMIUM', 'PLATINUM'][c] },
    });
    customerId = createCustomer.id;
    for (let o = 0; o < 2; o++) {
      const { placeOrder } = await jit.query('mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
        input: { customerId, currency: 'EUR', lines: [{ sku: `SKU-${o}`, quantity: o + 1, unitPrice: '2.25' }, { sku: 'SKU-X', description: 'extra', quantity: 3, unitPrice: '0.10' }] },
      });
      orderId = placeOrder.id;
    }
  }
});

after(async () => {
  await graphqlJs?.stop();
  await jit?.stop();
});

/** Both hubs' answers, without the request id each error carries. */
async function same(query: string, variables?: Record<string, unknown>) {
  const answer = async (hub: TestHub) => {
    const { status, body } = await hub.request(query, variables);
    for (const error of body.errors ?? []) delete (error.extensions as Record<string, unknown> | undefined)?.requestId;
    return { status, body: JSON.stringify(body) };
  };
  const [ours, reference] = [await answer(jit), await answer(graphqlJs)];
  assert.deepEqual(ours, reference);
  return JSON.parse(ours.body) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

describe('subgraph execution with graphql-jit', () => {
  it('answers reads across both subgraphs as graphql-js does', async () => {
    const result = await same(`query Everything($first: Int!) {
      customers(first: $first) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { __typename id name email tier creditLimit createdAt
          recent: orders(first: 1) { totalCount edges { node { number status total createdAt lines { sku description quantity unitPrice lineTotal } } } }
          all: orders { totalCount pageInfo { hasNextPage } }
        } }
      }
      customerGroups { code name }
    }`, { first: 2 });
    assert.equal(result.data.customers.edges.length, 2);
    assert.equal(result.data.customers.pageInfo.hasNextPage, true);
    await same(`{ customers(first: 5, filter: { tier: PREMIUM }) { edges { node { name } } } }`);
    await same(`query ($after: String) { customers(first: 1, after: $after) { edges { node { id } } } }`, { after: result.data.customers.pageInfo.endCursor });
    await same(`query ($id: ID!) { customer(id: $id) { id ... on Customer { name orders(status: PENDING) { edges { node { id status } } } } } order: order(id: "${orderId}") { id customer { id name } } }`, { id: customerId });
  });

  it('answers missing records, bad arguments and bad input with the same errors', async () => {
    await same('{ customer(id: "00000000-0000-4000-8000-000000000000") { id } }');
    const badFirst = await same('{ customers(first: 1000) { totalCount } }');
    assert.equal(badFirst.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    await same('{ customers(first: 1, after: "not-a-cursor") { totalCount } }');
    const badInput = await same('mutation { createCustomer(input: { name: "", email: "not-an-email", creditLimit: "-1" }) { id } }');
    assert.equal(badInput.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    await same(`mutation { placeOrder(input: { customerId: "${customerId}", currency: "eur", lines: [{ sku: "", quantity: 0, unitPrice: "1" }] }) { id } }`);
    await same(`mutation { updateOrderStatus(id: "${orderId}", status: PENDING) { id status } }`);
  });

  it('answers what a foreign router asks of a subgraph directly: its SDL, introspection, entities', async () => {
    const direct = async (hub: TestHub, query: string, variables?: Record<string, unknown>) => JSON.stringify((await graphql(hub.ordersUrl, query, variables, await internalHeaders())).body);
    const queries: [string, Record<string, unknown>?][] = [
      ['{ _service { sdl } }'],
      ['{ __schema { queryType { name } types { name kind } } __type(name: "Order") { fields { name type { name kind ofType { name } } } } }'],
      ['query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Order { number total } ... on Customer { orders(first: 1) { totalCount } } } }', { r: [{ __typename: 'Order', id: orderId }, { __typename: 'Customer', id: customerId }, { __typename: 'Order', id: '00000000-0000-4000-8000-000000000000' }] }],
    ];
    for (const [query, variables] of queries) {
      const answer = await direct(jit, query, variables);
      assert.equal(answer, await direct(graphqlJs, query, variables));
      assert.doesNotMatch(answer, /"errors"/);
    }
  });
});
