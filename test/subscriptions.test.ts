import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'graphql';
import pg from 'pg';
import WebSocket from 'ws';
import { createLogger } from '../infra/logger.js';
import { fromRoot } from '../infra/paths.js';
import { FederatedSubscriptions } from '../router/subscriptions/federated-subscriptions.js';
import { readAccessRequirements } from '../router/auth/access-requirements.js';
import { QueryPlanExecutor } from '../router/execution/query-plan-executor.js';
import { SubscriptionPlanner } from '../router/subscriptions/subscription-planner.js';
import { UpstreamClients } from '../router/subscriptions/upstream-clients.js';
import { startTestHub, TEST_INTERNAL_SECRET, type TestHub } from './support/hub.js';
import { InternalTokenSigner } from '../infra/auth/internal-token.js';
import { subscribe, wsClient } from './support/ws.js';

/** Federated subscriptions through the router, with a real graphql-ws client. */

let hub: TestHub;
let counter = 0;

const ORDER_EVENTS = `subscription ($orderId: ID, $customerId: ID, $types: [String!], $after: ID) {
  orderEvents(orderId: $orderId, customerId: $customerId, types: $types, after: $after) {
    id type previousStatus order { id status total customer { name email } }
  }
}`;
const PLACE = 'mutation ($c: ID!) { placeOrder(input: { customerId: $c, currency: "EUR", lines: [{ sku: "A", quantity: 2, unitPrice: "5.25" }] }) { id } }';
const SET_STATUS = 'mutation ($id: ID!, $s: OrderStatus!) { updateOrderStatus(id: $id, status: $s) { id } }';

async function newCustomer(): Promise<{ id: string; email: string }> {
  const tag = `sub${++counter}-${Date.now()}`;
  const data = await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id email } }', {
    input: { name: `Subscriber ${tag}`, email: `${tag}@example.com` },
  });
  return data.createCustomer;
}

async function placeOrder(customerId: string): Promise<string> {
  return (await hub.query(PLACE, { c: customerId })).placeOrder.id;
}

/** Lets a live (not resuming) subscription open upstream before the test changes anything. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

/** The newest stored event id: resuming after it receives exactly what happens from now on, with no timing involved. */
async function latestEventId(): Promise<string> {
  const client = new pg.Client({ connectionString: hub.database.url });
  await client.connect();
  try {
    return (await client.query('select coalesce(max(id), 0)::text as id from events.events')).rows[0].id;
  } finally {
    await client.end();
  }
}

before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

describe('federated subscriptions', () => {
  it('delivers fields from another subgraph in every event', async () => {
    const customer = await newCustomer();
    const client = wsClient(hub.routerUrl);
    try {
      const events = subscribe(client, ORDER_EVENTS, { customerId: customer.id });
      await settle();
      const orderId = await placeOrder(customer.id);
      await hub.query(SET_STATUS, { id: orderId, s: 'CONFIRMED' });
      const [placed, confirmed] = await events.waitFor(2);
      const { customer: owner, ...order } = placed!.data!.orderEvents.order;
      assert.deepEqual(order, { id: orderId, status: 'PENDING', total: '10.5000' });
      // name and email come from the customers subgraph
      assert.equal(owner.email, customer.email);
      assert.match(owner.name, /^Subscriber sub/);
      assert.equal(placed!.data!.orderEvents.type, 'order.placed');
      assert.equal(confirmed!.data!.orderEvents.type, 'order.status_changed');
      assert.equal(confirmed!.data!.orderEvents.previousStatus, 'PENDING');
      assert.equal(confirmed!.data!.orderEvents.order.status, 'CONFIRMED');
      events.stop();
    } finally {
      await client.dispose();
    }
  });

  it('filters by entity id and by event type', async () => {
    const customer = await newCustomer();
    const [first, second] = [await placeOrder(customer.id), await placeOrder(customer.id)];
    const client = wsClient(hub.routerUrl);
    try {
      const onlySecond = subscribe(client, ORDER_EVENTS, { orderId: second });
      const onlyCancellations = subscribe(client, ORDER_EVENTS, { customerId: customer.id, types: ['order.cancelled'] });
      await settle();
      await hub.query(SET_STATUS, { id: first, s: 'CONFIRMED' });
      await hub.query(SET_STATUS, { id: second, s: 'CONFIRMED' });
      await hub.query('mutation ($id: ID!) { cancelOrder(id: $id, reason: "x") { id } }', { id: first });
      const [secondEvent] = await onlySecond.waitFor(1);
      const [cancelled] = await onlyCancellations.waitFor(1);
      assert.equal(secondEvent!.data!.orderEvents.order.id, second);
      assert.equal(cancelled!.data!.orderEvents.type, 'order.cancelled');
      assert.equal(cancelled!.data!.orderEvents.order.id, first);
      await settle();
      assert.equal(onlySecond.results.length, 1);
      assert.equal(onlyCancellations.results.length, 1);
    } finally {
      await client.dispose();
    }
  });

  it('resumes after the last id: exactly the missed events in order, then live ones', async () => {
    const customer = await newCustomer();
    const orderId = await placeOrder(customer.id);
    let client = wsClient(hub.routerUrl);
    const first = subscribe(client, ORDER_EVENTS, { orderId, after: await latestEventId() });
    await hub.query(SET_STATUS, { id: orderId, s: 'CONFIRMED' });
    const [seen] = await first.waitFor(1);
    const lastId = seen!.data!.orderEvents.id;
    await client.dispose();

    // Five changes while disconnected.
    await hub.query(SET_STATUS, { id: orderId, s: 'SHIPPED' });
    await hub.query(SET_STATUS, { id: orderId, s: 'DELIVERED' });
    const others = [await placeOrder(customer.id), await placeOrder(customer.id)];
    await hub.query(SET_STATUS, { id: others[0]!, s: 'CONFIRMED' });

    client = wsClient(hub.routerUrl);
    try {
      const resumed = subscribe(client, ORDER_EVENTS, { customerId: customer.id, after: lastId });
      const missed = await resumed.waitFor(5);
      assert.deepEqual(
        missed.map((result) => [result.data!.orderEvents.type, result.data!.orderEvents.order.id]),
        [
          ['order.status_changed', orderId],
          ['order.status_changed', orderId],
          ['order.placed', others[0]],
          ['order.placed', others[1]],
          ['order.status_changed', others[0]],
        ],
      );
      await hub.query(SET_STATUS, { id: others[1]!, s: 'CONFIRMED' });
      const all = await resumed.waitFor(6);
      assert.equal(all[5]!.data!.orderEvents.order.id, others[1]);
      const ids = all.map((result) => BigInt(result.data!.orderEvents.id));
      assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]!), 'strictly increasing ids');
      assert.ok(ids[0]! > BigInt(lastId));
      await settle();
      assert.equal(resumed.results.length, 6, 'no duplicates');
    } finally {
      await client.dispose();
    }
  });

  it('sends nothing for a mutation that was refused', async () => {
    const customer = await newCustomer();
    const orderId = await placeOrder(customer.id);
    const client = wsClient(hub.routerUrl);
    try {
      const events = subscribe(client, ORDER_EVENTS, { orderId });
      await settle();
      const refused = await hub.request(SET_STATUS, { id: orderId, s: 'DELIVERED' });
      assert.equal(refused.body.errors?.[0]?.extensions?.code, 'INVALID_TRANSITION');
      await hub.query(SET_STATUS, { id: orderId, s: 'CONFIRMED' });
      const [only] = await events.waitFor(1);
      assert.equal(only!.data!.orderEvents.order.status, 'CONFIRMED');
      await settle();
      assert.equal(events.results.length, 1);
    } finally {
      await client.dispose();
    }
  });

  it('gives 200 subscribers every event over one upstream subscription and one entity fetch per event', async () => {
    const customer = await newCustomer();
    const opened = hub.upstreamSubscriptionsOpened();
    const clients = Array.from({ length: 20 }, () => wsClient(hub.routerUrl));
    try {
      const subscriptions = Array.from({ length: 200 }, (_, i) => subscribe(clients[i % 20]!, ORDER_EVENTS, { customerId: customer.id }));
      await settle();
      await settle();
      assert.equal(hub.upstreamSubscriptionsOpened() - opened, 1, 'one upstream subscription for one distinct operation');
      hub.statements.reset();
      const orderId = await placeOrder(customer.id);
      await hub.query(SET_STATUS, { id: orderId, s: 'CONFIRMED' });
      await Promise.all(subscriptions.map((subscription) => subscription.waitFor(2)));
      for (const subscription of subscriptions) {
        assert.deepEqual(subscription.results.map((result) => result.data!.orderEvents.type), ['order.placed', 'order.status_changed']);
      }
      // Per event, the customers subgraph is asked for the customer once, not once per subscriber.
      const customerLookups = hub.statements.list().filter((statement) => /from "customers"\."customers"/.test(statement));
      assert.ok(customerLookups.length <= 3, `customer lookups: ${customerLookups.length}`);
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
    }
  });

  it('reports validation errors without opening anything upstream, and keeps the socket open', async () => {
    const client = wsClient(hub.routerUrl);
    try {
      const opened = hub.upstreamSubscriptionsOpened();
      const invalid = subscribe(client, 'subscription { orderEvents { nope } }');
      const errors = (await invalid.error) as { message: string }[];
      assert.match(errors[0]!.message, /Cannot query field "nope"/);
      assert.equal(hub.upstreamSubscriptionsOpened(), opened);
      const query = subscribe(client, '{ customers(first: 0) { totalCount } }');
      const [result] = await query.waitFor(1);
      assert.equal(typeof result!.data!.customers.totalCount, 'number');
    } finally {
      await client.dispose();
    }
  });

  it('passes an upstream failure on as an error with a code, and the socket stays open', async () => {
    const client = wsClient(hub.routerUrl);
    try {
      const expired = subscribe(client, 'subscription { orderEvents(after: "not-a-number") { id } }');
      const errors = (await expired.error) as { extensions?: { code?: string } }[];
      assert.equal(errors[0]?.extensions?.code, 'BAD_USER_INPUT');
      const mutation = subscribe(client, 'mutation { createCustomer(input: { name: "Over Socket", email: "socket@example.com" }) { email } }');
      const [created] = await mutation.waitFor(1);
      assert.equal(created!.data!.createCustomer.email, 'socket@example.com');
    } finally {
      await client.dispose();
    }
  });

  it('refuses a subscription over HTTP with a clear error', async () => {
    const response = await hub.request('subscription { orderEvents { id } }');
    assert.equal(response.status, 400);
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'BAD_REQUEST');
    assert.match(response.body.errors?.[0]?.message ?? '', /WebSocket/);
  });

  it('reaches a subscriber on a second router with a change made through the first', async () => {
    const second = await hub.startRouter();
    const customer = await newCustomer();
    const client = wsClient(second.url);
    try {
      const events = subscribe(client, ORDER_EVENTS, { customerId: customer.id });
      await settle();
      const orderId = await placeOrder(customer.id);
      const [event] = await events.waitFor(1);
      assert.equal(event!.data!.orderEvents.order.id, orderId);
    } finally {
      await client.dispose();
    }
  });
});

describe('restarts', () => {
  it('loses and duplicates nothing when the router restarts and the client resumes with its last id', async () => {
    const customer = await newCustomer();
    const orderId = await placeOrder(customer.id);
    // A bare protocol client, to see the close code the router sends on shutdown.
    const socket = new WebSocket(hub.routerUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const acknowledged = new Promise((resolve) => socket.once('message', resolve));
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    await acknowledged;
    let client = wsClient(hub.routerUrl);
    const before = subscribe(client, ORDER_EVENTS, { orderId, after: await latestEventId() });
    await hub.query(SET_STATUS, { id: orderId, s: 'CONFIRMED' });
    const [seen] = await before.waitFor(1);
    await hub.restartRouter();
    assert.equal(await closed, 1001, 'subscribers are told to reconnect elsewhere');
    await hub.query(SET_STATUS, { id: orderId, s: 'SHIPPED' });
    client = wsClient(hub.routerUrl);
    try {
      const resumed = subscribe(client, ORDER_EVENTS, { orderId, after: seen!.data!.orderEvents.id });
      const [shipped] = await resumed.waitFor(1);
      assert.equal(shipped!.data!.orderEvents.order.status, 'SHIPPED');
      await hub.query(SET_STATUS, { id: orderId, s: 'DELIVERED' });
      const all = await resumed.waitFor(2);
      assert.deepEqual(all.map((result) => result.data!.orderEvents.order.status), ['SHIPPED', 'DELIVERED']);
    } finally {
      await client.dispose();
    }
  });

  it('loses and duplicates nothing when the owning subgraph restarts', async () => {
    const customer = await newCustomer();
    const orderId = await placeOrder(customer.id);
    let client = wsClient(hub.routerUrl);
    const before = subscribe(client, ORDER_EVENTS, { orderId, after: await latestEventId() });
    await hub.query(SET_STATUS, { id: orderId, s: 'CONFIRMED' });
    const [seen] = await before.waitFor(1);
    await hub.restartSubgraph('orders');
    const errors = (await before.error) as { extensions?: { code?: string } }[];
    assert.ok(errors[0]?.extensions?.code, 'the client is told why its subscription ended');
    await hub.query(SET_STATUS, { id: orderId, s: 'SHIPPED' });
    await client.dispose();
    client = wsClient(hub.routerUrl);
    try {
      const resumed = subscribe(client, ORDER_EVENTS, { orderId, after: seen!.data!.orderEvents.id });
      const [shipped] = await resumed.waitFor(1);
      assert.equal(shipped!.data!.orderEvents.order.status, 'SHIPPED');
      await settle();
      assert.equal(resumed.results.length, 1);
    } finally {
      await client.dispose();
    }
  });
});

describe('a subscriber that does not keep up', () => {
  it('is disconnected with close code 4008 once its socket backlog passes the limit', async () => {
    const logger = createLogger('test', 'silent');
    const signer = new InternalTokenSigner(TEST_INTERNAL_SECRET);
    const upstream = new UpstreamClients({ customers: hub.customersUrl, orders: hub.ordersUrl }, logger, () => signer);
    const planner = new SubscriptionPlanner(new QueryPlanExecutor(readAccessRequirements(readFileSync(fromRoot('schema/supergraph.graphql'), 'utf8')).gatewaySdl));
    const subscriptions = new FederatedSubscriptions(planner, {}, upstream, logger, 1_000);
    const customer = await newCustomer();
    const sent: string[] = [];
    const closes: number[] = [];
    let backlog = 0;
    const done = subscriptions.subscribe({
      document: parse('subscription ($id: ID) { customerEvents(customerId: $id) { id type } }'),
      variables: { id: customer.id },
      context: {
        requestId: 'slow',
        logger,
        clientIp: '127.0.0.1',
        forwardedHeaders: {},
        socket: { subscriptionId: 'sub-1', send: (message) => sent.push(message), bufferedBytes: () => backlog, disconnect: (code) => closes.push(code) },
      },
    }) as AsyncIterableIterator<unknown>;
    const update = (c: string) =>
      hub.query('mutation ($id: ID!, $c: Decimal!) { updateCustomer(id: $id, input: { creditLimit: $c }) { id } }', { id: customer.id, c });
    const waitUntil = async (condition: () => boolean) => {
      const deadline = Date.now() + 5_000;
      while (!condition() && Date.now() < deadline) await settle();
    };
    try {
      await settle();
      await update('1');
      await waitUntil(() => sent.length === 1);
      // Events go to the socket as finished graphql-ws messages, serialised once per event.
      const message = JSON.parse(sent[0]!);
      assert.equal(message.id, 'sub-1');
      assert.equal(message.type, 'next');
      assert.equal(message.payload.data.customerEvents.type, 'customer.updated');

      backlog = 1_001; // the client stopped reading
      await update('2');
      await waitUntil(() => closes.length > 0);
      assert.deepEqual(closes, [4008]);
      assert.equal(sent.length, 1);
      await assert.rejects(() => done.next(), (error: { extensions?: { code?: string } }) => error.extensions?.code === 'SLOW_CONSUMER');
      assert.equal(subscriptions.activeStreams, 0, 'the upstream stream closed with its last subscriber');
    } finally {
      await upstream.close();
    }
  });
});
