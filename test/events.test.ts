import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createDatabase } from '../infra/db/database.js';
import { EventStore } from '../infra/events/event-store.js';
import { createLogger } from '../infra/logger.js';
import { internalHeaders, startTestHub, type TestHub } from './support/hub.js';
import { subscribe, wsClient } from './support/ws.js';

let hub: TestHub;
let db: pg.Client;
let counter = 0;

const CREATE = 'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id email } }';
const UPDATE = 'mutation ($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { id } }';

async function createCustomer(): Promise<{ id: string; email: string }> {
  const tag = `ev${++counter}-${Date.now()}`;
  return (await hub.query(CREATE, { input: { name: `Eventful ${tag}`, email: `${tag}@example.com` } })).createCustomer;
}

async function storedEvents(subjectId: string) {
  const { rows } = await db.query('select id, type, source, subject_type, data, request_id from events.events where subject_id = $1 order by id', [subjectId]);
  return rows;
}

before(async () => {
  hub = await startTestHub();
  db = new pg.Client({ connectionString: hub.database.url });
  await db.connect();
});
after(async () => {
  await db?.end();
  await hub?.stop();
});

describe('the event store (transactional outbox)', () => {
  it('writes each change’s event in the same transaction, with the request id', async () => {
    const customer = await createCustomer();
    const updated = await hub.request(UPDATE, { id: customer.id, input: { tier: 'PREMIUM' } });
    const events = await storedEvents(customer.id);
    assert.deepEqual(events.map((event) => [event.type, event.source, event.subject_type]), [
      ['customer.created', 'customers', 'Customer'],
      ['customer.updated', 'customers', 'Customer'],
    ]);
    assert.equal(events[1].data.tier, 'PREMIUM');
    assert.equal(events[1].request_id, updated.headers.get('x-request-id'));
    assert.ok(BigInt(events[1].id) > BigInt(events[0].id));
  });

  it('writes no event for a change that was refused or rolled back', async () => {
    const customer = await createCustomer();
    const before = (await db.query('select count(*)::int as n from events.events')).rows[0].n;
    const duplicate = await hub.request(CREATE, { input: { name: 'Someone Else', email: customer.email } });
    assert.equal(duplicate.body.errors?.[0]?.extensions?.code, 'CONFLICT');
    const badTransition = await hub.request('mutation ($id: ID!) { updateOrderStatus(id: $id, status: DELIVERED) { id } }', {
      id: '00000000-0000-4000-8000-000000000000',
    });
    assert.equal(badTransition.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal((await db.query('select count(*)::int as n from events.events')).rows[0].n, before);
  });

  it('records status changes with the previous status', async () => {
    const customer = await createCustomer();
    const { placeOrder } = await hub.query('mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
      input: { customerId: customer.id, currency: 'EUR', lines: [{ sku: 'A', quantity: 1, unitPrice: '1' }] },
    });
    await hub.query('mutation ($id: ID!) { updateOrderStatus(id: $id, status: CONFIRMED) { id } }', { id: placeOrder.id });
    await hub.query('mutation ($id: ID!) { cancelOrder(id: $id, reason: "no stock") { id } }', { id: placeOrder.id });
    const events = await storedEvents(placeOrder.id);
    assert.deepEqual(events.map((event) => event.type), ['order.placed', 'order.status_changed', 'order.cancelled']);
    assert.deepEqual([events[1].data.previousStatus, events[1].data.status], ['PENDING', 'CONFIRMED']);
    assert.deepEqual([events[2].data.previousStatus, events[2].data.reason], ['CONFIRMED', 'no stock']);
    assert.equal(events[0].data.customerId, customer.id);
  });
});

describe('subgraph subscriptions over graphql-ws', () => {
  const EVENTS = `subscription ($id: ID, $after: ID, $types: [String!]) {
    customerEvents(customerId: $id, after: $after, types: $types) { id type source data customer { id tier } }
  }`;

  it('delivers live events for one customer and filters by type', async () => {
    const client = wsClient(hub.customersUrl, { connectionParams: await internalHeaders() });
    try {
      const customer = await createCustomer();
      const all = subscribe(client, EVENTS, { id: customer.id });
      const updatesOnly = subscribe(client, EVENTS, { id: customer.id, types: ['customer.updated'] });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await hub.query(UPDATE, { id: customer.id, input: { tier: 'PLATINUM' } });
      await hub.query(UPDATE, { id: customer.id, input: { phone: '+1 555' } });
      const [first, second] = await all.waitFor(2);
      assert.equal(first!.data!.customerEvents.type, 'customer.updated');
      assert.equal(first!.data!.customerEvents.customer.tier, 'PLATINUM');
      assert.deepEqual(second!.data!.customerEvents.data, { phone: '+1 555', updatedAt: second!.data!.customerEvents.data.updatedAt });
      await updatesOnly.waitFor(2);
      all.stop();
      updatesOnly.stop();
    } finally {
      await client.dispose();
    }
  });

  it('resumes after an id: the stored events first, in order, then live ones', async () => {
    const client = wsClient(hub.customersUrl, { connectionParams: await internalHeaders() });
    try {
      const customer = await createCustomer();
      const [created] = await storedEvents(customer.id);
      for (let i = 0; i < 5; i++) await hub.query(UPDATE, { id: customer.id, input: { creditLimit: `${i}00` } });
      const resumed = subscribe(client, EVENTS, { id: customer.id, after: created.id });
      const replayed = await resumed.waitFor(5);
      assert.deepEqual(replayed.map((result) => result.data!.customerEvents.data.creditLimit), ['000', '100', '200', '300', '400']);
      await hub.query(UPDATE, { id: customer.id, input: { creditLimit: '999' } });
      const [, , , , , live] = await resumed.waitFor(6);
      assert.equal(live!.data!.customerEvents.data.creditLimit, '999');
      const ids = resumed.results.map((result) => BigInt(result.data!.customerEvents.id));
      assert.deepEqual(ids, [...ids].sort((a, b) => (a < b ? -1 : 1)));
      resumed.stop();
    } finally {
      await client.dispose();
    }
  });

  it('answers EVENTS_EXPIRED for an after older than the retention', async () => {
    const customer = await createCustomer();
    const [created] = await storedEvents(customer.id);
    await hub.query(UPDATE, { id: customer.id, input: { tier: 'PREMIUM' } });
    // Retention as the background job runs it, with a cut-off that covers every event so far.
    const database = createDatabase({ url: hub.database.url, poolMax: 1, connectTimeoutMs: 5_000, schema: 'events', logger: createLogger('test', 'silent') });
    try {
      assert.ok((await new EventStore(database.db).prune(new Date(Date.now() + 1_000))) >= 2);
    } finally {
      await database.close();
    }
    const client = wsClient(hub.customersUrl, { connectionParams: await internalHeaders() });
    try {
      const expired = subscribe(client, EVENTS, { id: customer.id, after: String(BigInt(created.id) - 1n) });
      const errors = (await expired.error) as { extensions?: { code?: string } }[];
      assert.equal(errors[0]?.extensions?.code, 'EVENTS_EXPIRED');
      assert.equal(expired.results.length, 0);
    } finally {
      await client.dispose();
    }
  });
});
