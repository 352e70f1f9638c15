import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { graphql, startTestHub, type TestHub } from './support/hub.js';

const ORDER_FIELDS = 'id number status currency total cancelReason createdAt updatedAt customer { id name } lines { sku description quantity unitPrice lineTotal }';
const PLACE = `mutation ($input: PlaceOrderInput!, $key: String) { placeOrder(input: $input, idempotencyKey: $key) { ${ORDER_FIELDS} } }`;
const SET_STATUS = 'mutation ($id: ID!, $status: OrderStatus!) { updateOrderStatus(id: $id, status: $status) { id status } }';
const CANCEL = 'mutation ($id: ID!, $reason: String) { cancelOrder(id: $id, reason: $reason) { id status cancelReason } }';

let hub: TestHub;
let customerId: string;
let counter = 0;

const lines = [
  { sku: 'BOLT-M8', description: 'Hex bolt M8', quantity: 3, unitPrice: '0.10' },
  { sku: 'NUT-M8', quantity: 3, unitPrice: '0.20' },
];

async function newCustomer(): Promise<string> {
  const tag = `o${++counter}-${Date.now()}`;
  const data = await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
    input: { name: `Buyer ${tag}`, email: `${tag}@example.com` },
  });
  return data.createCustomer.id;
}

async function placeOrder(input: Record<string, unknown> = {}, key?: string) {
  const data = await hub.query(PLACE, { input: { customerId, currency: 'EUR', lines, ...input }, key });
  return data.placeOrder;
}

async function orderCount(): Promise<number> {
  return (await hub.query('{ orders(first: 0) { totalCount } }')).orders.totalCount;
}

before(async () => {
  hub = await startTestHub();
  customerId = await newCustomer();
});
after(async () => {
  await hub?.stop();
});

describe('placing orders', () => {
  it('places an order with exact totals and the customer resolved from the customers subgraph', async () => {
    const order = await placeOrder({ currency: ' eur ' });
    assert.match(order.number, /^ORD-\d{8}$/);
    assert.equal(order.status, 'PENDING');
    assert.equal(order.currency, 'EUR');
    // 3 × 0.10 + 3 × 0.20 in floats is 0.9000000000000001; NUMERIC makes it 0.9 exactly.
    assert.equal(order.total, '0.9000');
    assert.deepEqual(order.lines.map((line: any) => [line.sku, line.description, line.quantity, line.lineTotal]), [
      ['BOLT-M8', 'Hex bolt M8', 3, '0.3000'],
      ['NUT-M8', null, 3, '0.6000'],
    ]);
    assert.equal(order.customer.id, customerId);
    assert.match(order.customer.name, /^Buyer /);
  });

  it('keeps large totals exact where a float would not', async () => {
    const order = await placeOrder({ lines: [{ sku: 'BIG', quantity: 999_999, unitPrice: '999999999.9999' }] });
    assert.equal(order.total, '999998999999900.0001');
  });

  it('reports every bad field of an order, including line fields by index, and writes nothing', async () => {
    const before = await orderCount();
    const response = await hub.request(PLACE, {
      input: { customerId: 'nope', currency: 'XXY', lines: [{ sku: ' ', quantity: 0, unitPrice: '-1' }, { sku: 'OK', quantity: 1, unitPrice: '1.00001' }] },
    });
    const error = response.body.errors?.[0];
    assert.equal(error?.extensions?.code, 'BAD_USER_INPUT');
    assert.deepEqual(error?.extensions?.fields.map((f: { field: string }) => f.field).sort(), [
      'currency',
      'customerId',
      'lines.0.quantity',
      'lines.0.sku',
      'lines.0.unitPrice',
      'lines.1.unitPrice',
    ]);
    const empty = await hub.request(PLACE, { input: { customerId, currency: 'EUR', lines: [] } });
    assert.deepEqual(empty.body.errors?.[0]?.extensions?.fields, [{ field: 'lines', message: 'must have at least one line' }]);
    assert.equal(await orderCount(), before);
  });

  it('refuses an unknown customer as BAD_USER_INPUT on customerId', async () => {
    const before = await orderCount();
    const response = await hub.request(PLACE, { input: { customerId: '00000000-0000-4000-8000-000000000000', currency: 'EUR', lines } });
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.deepEqual(response.body.errors?.[0]?.extensions?.fields, [{ field: 'customerId', message: 'names no customer' }]);
    assert.equal(await orderCount(), before);
  });

  it('asks the customers subgraph, not its tables, whether the customer exists', async () => {
    hub.statements.reset();
    await placeOrder();
    const ordersStatements = hub.statements.list().filter((statement) => statement.includes('"customers"'));
    // The only customers statement is the customers subgraph's own entity lookup.
    assert.equal(ordersStatements.length, 2, hub.statements.list().join('\n'));
    assert.ok(ordersStatements.every((statement) => !statement.includes('"orders"')));
  });
});

describe('idempotency', () => {
  it('returns the first order for a repeated key with the same input and creates nothing new', async () => {
    const key = `key-${Date.now()}`;
    const first = await placeOrder({}, key);
    const before = await orderCount();
    const second = await placeOrder({ currency: 'eur' }, key);
    assert.equal(second.id, first.id);
    assert.equal(second.number, first.number);
    assert.equal(await orderCount(), before);
  });

  it('answers CONFLICT for a repeated key with different input', async () => {
    const key = `key-conflict-${Date.now()}`;
    await placeOrder({}, key);
    const response = await hub.request(PLACE, { input: { customerId, currency: 'USD', lines }, key });
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(response.body.errors?.[0]?.extensions?.field, 'idempotencyKey');
  });

  it('creates exactly one order under concurrent retries with one key', async () => {
    const key = `key-race-${Date.now()}`;
    const before = await orderCount();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => graphql(hub.routerUrl, PLACE, { input: { customerId, currency: 'EUR', lines }, key })),
    );
    for (const result of results) assert.equal(result.body.errors, undefined, JSON.stringify(result.body.errors));
    assert.equal(new Set(results.map((result) => result.body.data.placeOrder.id)).size, 1);
    assert.equal(await orderCount(), before + 1);
  });

  it('creates separate orders without a key', async () => {
    const a = await placeOrder();
    const b = await placeOrder();
    assert.notEqual(a.id, b.id);
  });
});

describe('the order lifecycle', () => {
  it('moves PENDING → CONFIRMED → SHIPPED → DELIVERED', async () => {
    const order = await placeOrder();
    for (const status of ['CONFIRMED', 'SHIPPED', 'DELIVERED']) {
      const data = await hub.query(SET_STATUS, { id: order.id, status });
      assert.equal(data.updateOrderStatus.status, status);
    }
  });

  it('cancels before shipping and records the reason', async () => {
    const pending = await placeOrder();
    const cancelled = await hub.query(CANCEL, { id: pending.id, reason: '  customer changed their mind ' });
    assert.deepEqual(cancelled.cancelOrder, { id: pending.id, status: 'CANCELLED', cancelReason: 'customer changed their mind' });
    const confirmed = await placeOrder();
    await hub.query(SET_STATUS, { id: confirmed.id, status: 'CONFIRMED' });
    assert.equal((await hub.query(CANCEL, { id: confirmed.id })).cancelOrder.status, 'CANCELLED');
  });

  const illegal: [string[], string, string][] = [
    [[], 'SHIPPED', 'PENDING'],
    [[], 'DELIVERED', 'PENDING'],
    [[], 'PENDING', 'PENDING'],
    [['CONFIRMED'], 'PENDING', 'CONFIRMED'],
    [['CONFIRMED'], 'DELIVERED', 'CONFIRMED'],
    [['CONFIRMED', 'SHIPPED'], 'CANCELLED', 'SHIPPED'],
    [['CONFIRMED', 'SHIPPED'], 'CONFIRMED', 'SHIPPED'],
    [['CONFIRMED', 'SHIPPED', 'DELIVERED'], 'CANCELLED', 'DELIVERED'],
    [['CONFIRMED', 'SHIPPED', 'DELIVERED'], 'SHIPPED', 'DELIVERED'],
    [['CANCELLED'], 'CONFIRMED', 'CANCELLED'],
    [['CANCELLED'], 'CANCELLED', 'CANCELLED'],
  ];
  for (const [path, target, current] of illegal) {
    it(`refuses ${current} → ${target} with INVALID_TRANSITION naming the current status`, async () => {
      const order = await placeOrder();
      for (const status of path) await hub.query(SET_STATUS, { id: order.id, status });
      const response = await hub.request(SET_STATUS, { id: order.id, status: target });
      const extensions = response.body.errors?.[0]?.extensions;
      assert.equal(extensions?.code, 'INVALID_TRANSITION');
      assert.equal(extensions?.currentStatus, current);
      const still = await hub.query('query ($id: ID!) { order(id: $id) { status } }', { id: order.id });
      assert.equal(still.order.status, current, 'nothing was written');
    });
  }

  it('refuses cancelling a shipped order through cancelOrder too', async () => {
    const order = await placeOrder();
    await hub.query(SET_STATUS, { id: order.id, status: 'CONFIRMED' });
    await hub.query(SET_STATUS, { id: order.id, status: 'SHIPPED' });
    const response = await hub.request(CANCEL, { id: order.id, reason: 'too late' });
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'INVALID_TRANSITION');
    assert.equal(response.body.errors?.[0]?.extensions?.currentStatus, 'SHIPPED');
  });

  it('answers NOT_FOUND for an unknown order', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'ORD-1']) {
      const response = await hub.request(SET_STATUS, { id, status: 'CONFIRMED' });
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    }
  });
});

describe('reading orders', () => {
  let buyer: string;
  const placed: { id: string; status: string }[] = [];

  before(async () => {
    buyer = await newCustomer();
    for (let i = 0; i < 4; i++) {
      const data = await hub.query(PLACE, { input: { customerId: buyer, currency: 'USD', lines } });
      placed.push(data.placeOrder);
    }
    await hub.query(SET_STATUS, { id: placed[1]!.id, status: 'CONFIRMED' });
  });

  it('reads one order by id and null for an unknown one', async () => {
    const data = await hub.query('query ($a: ID!) { a: order(id: $a) { id customer { id } } b: order(id: "x") { id } }', { a: placed[0]!.id });
    assert.deepEqual(data.a, { id: placed[0]!.id, customer: { id: buyer } });
    assert.equal(data.b, null);
  });

  it('filters orders by customer, status and creation time', async () => {
    const byCustomer = await hub.query('query ($c: ID) { orders(filter: { customerId: $c }) { totalCount edges { node { id } } } }', { c: buyer });
    assert.equal(byCustomer.orders.totalCount, 4);
    assert.deepEqual(byCustomer.orders.edges.map((edge: any) => edge.node.id), placed.map((order) => order.id).reverse());
    const confirmed = await hub.query('query ($c: ID) { orders(filter: { customerId: $c, status: CONFIRMED }) { totalCount } }', { c: buyer });
    assert.equal(confirmed.orders.totalCount, 1);
    const future = await hub.query('query ($c: ID) { orders(filter: { customerId: $c, createdAfter: "2999-01-01T00:00:00Z" }) { totalCount } }', { c: buyer });
    assert.equal(future.orders.totalCount, 0);
    const past = await hub.query('query ($c: ID) { orders(filter: { customerId: $c, createdBefore: "2999-01-01T00:00:00Z" }) { totalCount } }', { c: buyer });
    assert.equal(past.orders.totalCount, 4);
  });

  it('adds orders to a customer with their own pagination and status filter', async () => {
    const query = `query ($id: ID!, $after: String) { customer(id: $id) { name orders(first: 3, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } pending: orders(status: PENDING) { totalCount } } }`;
    const page1 = await hub.query(query, { id: buyer });
    assert.equal(page1.customer.orders.totalCount, 4);
    assert.equal(page1.customer.orders.edges.length, 3);
    assert.equal(page1.customer.orders.pageInfo.hasNextPage, true);
    assert.equal(page1.customer.pending.totalCount, 3);
    const page2 = await hub.query(query, { id: buyer, after: page1.customer.orders.pageInfo.endCursor });
    assert.deepEqual(page2.customer.orders.edges.map((edge: any) => edge.node.id), [placed[0]!.id]);
    assert.equal(page2.customer.orders.pageInfo.hasNextPage, false);
  });

  it('plans one query across both subgraphs', async () => {
    const data = await hub.query(`query ($c: ID) { orders(first: 2, filter: { customerId: $c }) { edges { node { number total customer { name email orders(first: 1) { totalCount } } } } } }`, { c: buyer });
    for (const edge of data.orders.edges) {
      assert.match(edge.node.customer.email, /@example\.com$/);
      assert.equal(edge.node.customer.orders.totalCount, 4);
    }
  });
});
