import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { RunningSubgraph } from '../infra/graphql/subgraph-server.js';
import { createLogger } from '../infra/logger.js';
import { queues } from '../subgraphs/queues/subgraph.js';
import { startTestHub, TEST_INTERNAL_SECRET, type TestHub } from './support/hub.js';

/**
 * The queues' built-in processors on the real path: a message published to a hub queue is applied
 * through the router with the processors' own bearer token (audit, events and all), dead-lettered
 * at once when it can never apply, retried when a subgraph is down, and applied once however often
 * it is delivered (its id is the mutation's idempotencyKey). Also PAID in the order lifecycle and
 * the idempotencyKey argument of updateOrderStatus and upsertCustomerByExternalId.
 */

let hub: TestHub;
let db: pg.Client;
let counter = 0;
const tag = () => `qp${++counter}-${Date.now()}`;

const PROCESSOR_PRINCIPAL = 'user:service:queue-processors';
const PUBLISH = 'mutation ($queue: String!, $input: PublishMessageInput!) { publishMessage(queue: $queue, input: $input) { id } }';
const MESSAGES = 'query ($name: String!) { queue(name: $name) { messages(first: 100) { edges { node { id state attempts lastError errors { attempt error } } } } } }';
const ORDER = 'query ($id: ID!) { order(id: $id) { id status } }';
const SET_STATUS = 'mutation ($id: ID!, $status: OrderStatus!, $key: String) { updateOrderStatus(id: $id, status: $status, idempotencyKey: $key) { id status updatedAt } }';
const UPSERT = `mutation ($externalId: String!, $input: UpsertCustomerInput!, $key: String) {
  upsertCustomerByExternalId(externalId: $externalId, input: $input, idempotencyKey: $key) { created customer { id name email updatedAt } }
}`;
const AUDIT = 'query ($filter: AuditRecordFilter) { auditRecords(filter: $filter, first: 50) { edges { node { principal clientRequestId rootFields outcome operationName } } } }';

interface Message {
  id: string;
  state: string;
  attempts: number;
  lastError: string | null;
  errors: { attempt: number; error: string }[];
}

/** Polls `probe` until it answers something other than undefined, for at most `ms`; fails naming `what`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`gave up after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function publish(queue: string, payload: unknown, headers?: Record<string, string>): Promise<string> {
  return (await hub.query(PUBLISH, { queue, input: { payload, headers } })).publishMessage.id;
}

async function message(queue: string, id: string): Promise<Message> {
  const { queue: found } = await hub.query(MESSAGES, { name: queue });
  const node = found.messages.edges.map((edge: { node: Message }) => edge.node).find((candidate: Message) => candidate.id === id);
  assert.ok(node, `message ${id} is not in ${queue}`);
  return node;
}

/** The message once it is in `state` (DONE: applied and acked; DEAD: a dead letter). */
function settled(queue: string, id: string, state: 'DONE' | 'DEAD'): Promise<Message> {
  return eventually(`message ${id} of ${queue} to be ${state}`, async () => {
    const found = await message(queue, id);
    return found.state === state ? found : undefined;
  });
}

async function eventTypes(subjectId: string): Promise<string[]> {
  const { rows } = await db.query<{ type: string }>('select type from events.events where subject_id = $1 order by id', [subjectId]);
  return rows.map((row) => row.type);
}

/** The processors' audit records of `rootField` with the client request id `messageId` (written in batches every 500 ms). */
function auditOf(rootField: string, messageId: string, principal = PROCESSOR_PRINCIPAL): Promise<{ principal: string; outcome: string; operationName: string }[]> {
  return eventually(`the audit record of message ${messageId}`, async () => {
    const { auditRecords } = await hub.query(AUDIT, { filter: { principal, rootField } });
    const records = auditRecords.edges.map((edge: any) => edge.node).filter((record: any) => record.clientRequestId === messageId);
    return records.length > 0 ? records : undefined;
  });
}

async function newCustomer(): Promise<string> {
  const t = tag();
  return (await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', { input: { name: `Buyer ${t}`, email: `${t}@example.com` } })).createCustomer.id;
}

/** An order of 3 × 0.10 + 3 × 0.20 EUR: total 0.9000. */
async function newOrder(): Promise<string> {
  const input = { customerId: await newCustomer(), currency: 'EUR', lines: [{ sku: 'BOLT', quantity: 3, unitPrice: '0.10' }, { sku: 'NUT', quantity: 3, unitPrice: '0.20' }] };
  return (await hub.query('mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', { input })).placeOrder.id;
}

async function statusOf(orderId: string): Promise<string> {
  return (await hub.query(ORDER, { id: orderId })).order.status;
}

/** A queues subgraph run alone (as its container runs), with ROUTER_URL and an API key; it runs the customer_updated processor. */
let standalone: RunningSubgraph | undefined;
let processorsKeyId: string;

before(async () => {
  // The hub's queues subgraph signs bearer tokens for its processors; customer_updated runs in the standalone one.
  hub = await startTestHub({ env: { PROCESSORS: 'customer_created,order_updated,payment_received' } });
  db = new pg.Client({ connectionString: hub.database.url });
  await db.connect();
  const scopes = ['customers:read', 'customers:write', 'orders:read', 'orders:write'];
  const { createApiKey } = await hub.query('mutation ($scopes: [String!]) { createApiKey(input: { name: "queue processors", scopes: $scopes }) { secret apiKey { id } } }', { scopes });
  processorsKeyId = createApiKey.apiKey.id;
  standalone = await queues.start(
    {
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: hub.database.url,
      INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
      PROCESSORS: 'customer_updated',
      ROUTER_URL: hub.routerUrl,
      ROUTER_API_KEY: createApiKey.secret,
    },
    { logger: createLogger('queues-standalone', process.env.TEST_LOG_LEVEL ?? 'silent') },
  );
});

after(async () => {
  await standalone?.stop(1_000);
  await db?.end();
  await hub?.stop();
});

describe('the processors’ queues', () => {
  it('are created at start as STANDARD and EFFECTIVELY_ONCE', async () => {
    for (const name of ['customer_created', 'customer_updated', 'order_updated', 'payment_received']) {
      const queue = await eventually(`queue ${name}`, async () => (await hub.query('query ($name: String!) { queue(name: $name) { kind deliveryMode } }', { name })).queue ?? undefined);
      assert.deepEqual(queue, { kind: 'STANDARD', deliveryMode: 'EFFECTIVELY_ONCE' });
    }
  });
});

describe('customer_created and customer_updated', () => {
  it('upsert the customer by externalId through the router, as the processors’ principal', async () => {
    const externalId = `crm-${tag()}`;
    const created = await publish('customer_created', { externalId, name: 'Ada Lovelace', email: `${externalId}@example.com`, tier: 'PREMIUM' });
    assert.equal((await settled('customer_created', created, 'DONE')).attempts, 1);
    const { customers } = await hub.query('query ($search: String) { customers(filter: { search: $search }) { edges { node { id externalId name tier } } } }', { search: externalId });
    const [customer] = customers.edges.map((edge: any) => edge.node);
    assert.deepEqual({ ...customer, id: undefined }, { id: undefined, externalId, name: 'Ada Lovelace', tier: 'PREMIUM' });

    const updated = await publish('customer_updated', { externalId, name: 'Ada King', email: `${externalId}@example.com` });
    await settled('customer_updated', updated, 'DONE');
    assert.equal((await hub.query('query ($id: ID!) { customer(id: $id) { name tier } }', { id: customer.id })).customer.name, 'Ada King');
    assert.deepEqual(await eventTypes(customer.id), ['customer.created', 'customer.updated']);

    const [record] = await auditOf('Mutation.upsertCustomerByExternalId', created);
    assert.equal(record?.principal, PROCESSOR_PRINCIPAL);
    assert.equal(record?.outcome, 'ok');
    assert.equal(record?.operationName, 'QueueProcessorUpsertCustomer');
    // customer_updated ran in the standalone queues subgraph, with its API key.
    assert.equal((await auditOf('Mutation.upsertCustomerByExternalId', updated, `api_key:${processorsKeyId}`))[0]?.outcome, 'ok');
  });
});

describe('order_updated', () => {
  it('changes the order’s status through the router', async () => {
    const orderId = await newOrder();
    const id = await publish('order_updated', { orderId, status: 'CONFIRMED' });
    await settled('order_updated', id, 'DONE');
    assert.equal(await statusOf(orderId), 'CONFIRMED');
    assert.deepEqual(await eventTypes(orderId), ['order.placed', 'order.status_changed']);
    assert.equal((await auditOf('Mutation.updateOrderStatus', id))[0]?.principal, PROCESSOR_PRINCIPAL);
  });

  it('dead-letters a transition the lifecycle forbids at once, with the code and message', async () => {
    const orderId = await newOrder();
    const id = await publish('order_updated', { orderId, status: 'DELIVERED' });
    const dead = await settled('order_updated', id, 'DEAD');
    assert.equal(dead.attempts, 1);
    assert.match(dead.lastError ?? '', /^INVALID_TRANSITION: An order in status PENDING cannot move to DELIVERED/);
    assert.equal(await statusOf(orderId), 'PENDING');
  });

  it('dead-letters an unknown order at once', async () => {
    const id = await publish('order_updated', { orderId: '00000000-0000-4000-8000-000000000000', status: 'CONFIRMED' });
    const dead = await settled('order_updated', id, 'DEAD');
    assert.equal(dead.attempts, 1);
    assert.match(dead.lastError ?? '', /^NOT_FOUND: /);
  });
});

describe('payment_received', () => {
  it('marks the order PAID when the amount is its total', async () => {
    const orderId = await newOrder();
    const id = await publish('payment_received', { orderId, amount: '0.90', currency: 'eur', reference: 'PAY-1' });
    await settled('payment_received', id, 'DONE');
    assert.equal(await statusOf(orderId), 'PAID');
    assert.deepEqual(await eventTypes(orderId), ['order.placed', 'order.status_changed']);
    assert.equal((await auditOf('Mutation.updateOrderStatus', id))[0]?.principal, PROCESSOR_PRINCIPAL);
  });

  it('dead-letters a payment whose amount or currency is not the order’s, and leaves the order alone', async () => {
    const orderId = await newOrder();
    const short = await publish('payment_received', { orderId, amount: 0.5, reference: 'PAY-2' });
    const otherCurrency = await publish('payment_received', { orderId, amount: '0.9', currency: 'USD', reference: 'PAY-3' });
    const dead = await settled('payment_received', short, 'DEAD');
    assert.equal(dead.attempts, 1);
    assert.equal(dead.lastError, "the payment's amount 0.5 does not match the order's total 0.9000 EUR");
    assert.equal((await settled('payment_received', otherCurrency, 'DEAD')).lastError, "the payment's currency USD is not the order's EUR");
    assert.equal(await statusOf(orderId), 'PENDING');
    assert.deepEqual(await eventTypes(orderId), ['order.placed']);
  });
});

describe('messages that can never apply', () => {
  it('go straight to the dead letters with the reason when the payload is invalid', async () => {
    const id = await publish('order_updated', { orderId: 'ORD-1', status: 'SOLD' });
    const dead = await settled('order_updated', id, 'DEAD');
    assert.equal(dead.attempts, 1);
    assert.match(dead.lastError ?? '', /^invalid order_updated payload: orderId must be an id \(a UUID\); status must be one of PENDING, /);

    const missing = await publish('customer_created', { name: 'No Id' });
    assert.equal((await settled('customer_created', missing, 'DEAD')).lastError, 'invalid customer_created payload: externalId is required; email is required');
  });

  it('go straight to the dead letters when their type is unknown', async () => {
    const id = await publish('customer_created', { invoice: 'INV-1' }, { type: 'invoice_sent' });
    const dead = await settled('customer_created', id, 'DEAD');
    assert.equal(dead.attempts, 1);
    assert.match(dead.lastError ?? '', /^unknown message type "invoice_sent"/);
  });

  it('take their type from the type header before the queue’s name', async () => {
    const orderId = await newOrder();
    const id = await publish('customer_created', { orderId, status: 'CONFIRMED' }, { type: 'order_updated' });
    await settled('customer_created', id, 'DONE');
    assert.equal(await statusOf(orderId), 'CONFIRMED');
  });

  it('go to the dead letters at once when the domain refuses the input', async () => {
    const id = await publish('customer_created', { externalId: `crm-${tag()}`, name: 'X', email: 'not-an-email' });
    const dead = await settled('customer_created', id, 'DEAD');
    assert.equal(dead.attempts, 1);
    assert.match(dead.lastError ?? '', /^BAD_USER_INPUT: .*name must be 2 to 100 characters.*email must be a well-formed email address/);
  });
});

describe('a transient failure', () => {
  it('is retried by the queue’s policy and applied once the orders subgraph is back', async () => {
    // Room for many quick retries while orders is down (the admin's settings are the processors' too).
    await hub.query('mutation { updateQueue(name: "order_updated", input: { maxAttempts: 50, backoffSeconds: 1, maxBackoffSeconds: 1 }) { name } }');
    const orderId = await newOrder();
    await hub.stopSubgraph('orders');
    let restarted = false;
    try {
      const id = await publish('order_updated', { orderId, status: 'CONFIRMED' });
      const failed = await eventually('a failed attempt', async () => {
        const found = await message('order_updated', id);
        return found.errors.length > 0 ? found : undefined;
      });
      assert.notEqual(failed.state, 'DEAD');
      assert.doesNotMatch(failed.errors[0]!.error, /^(BAD_USER_INPUT|NOT_FOUND|CONFLICT|INVALID_TRANSITION)/);
      await hub.restartSubgraph('orders');
      restarted = true;
      const done = await settled('order_updated', id, 'DONE');
      assert.ok(done.attempts >= 2, `applied on attempt ${done.attempts}`);
      assert.equal(await statusOf(orderId), 'CONFIRMED');
      assert.deepEqual(await eventTypes(orderId), ['order.placed', 'order.status_changed']);
    } finally {
      if (!restarted) await hub.restartSubgraph('orders');
    }
  });
});

describe('a redelivered message', () => {
  /** What a lost ack comes to: the applied message is delivered again, with the same id. */
  async function redeliver(id: string): Promise<void> {
    const { rowCount } = await db.query("update queues.messages set state = 'AVAILABLE', available_at = now(), done_at = null, receipt_nonce = null where id = $1 and state = 'DONE'", [id]);
    assert.equal(rowCount, 1);
  }

  it('changes no order and writes no second event', async () => {
    const orderId = await newOrder();
    const id = await publish('order_updated', { orderId, status: 'CONFIRMED' });
    await settled('order_updated', id, 'DONE');
    const before = (await hub.query(ORDER.replace('status', 'status updatedAt'), { id: orderId })).order;
    await redeliver(id);
    const again = await settled('order_updated', id, 'DONE');
    // Without the key, CONFIRMED → CONFIRMED would have been INVALID_TRANSITION and a dead letter.
    assert.equal(again.attempts, 2);
    assert.deepEqual((await hub.query(ORDER.replace('status', 'status updatedAt'), { id: orderId })).order, before);
    assert.deepEqual(await eventTypes(orderId), ['order.placed', 'order.status_changed']);
  });

  it('changes no customer and writes no second event', async () => {
    const externalId = `crm-${tag()}`;
    const id = await publish('customer_created', { externalId, name: 'Grace Hopper', email: `${externalId}@example.com` });
    await settled('customer_created', id, 'DONE');
    const { customers } = await hub.query('query ($search: String) { customers(filter: { search: $search }) { edges { node { id updatedAt } } } }', { search: externalId });
    const customer = customers.edges[0].node;
    await redeliver(id);
    assert.equal((await settled('customer_created', id, 'DONE')).attempts, 2);
    assert.equal((await hub.query('query ($id: ID!) { customer(id: $id) { updatedAt } }', { id: customer.id })).customer.updatedAt, customer.updatedAt);
    assert.deepEqual(await eventTypes(customer.id), ['customer.created']);
  });
});

describe('idempotencyKey on updateOrderStatus', () => {
  it('answers a repeat with the order as it is and changes nothing; other arguments with the key are CONFLICT', async () => {
    const orderId = await newOrder();
    const key = `key-${tag()}`;
    const first = (await hub.query(SET_STATUS, { id: orderId, status: 'CONFIRMED', key })).updateOrderStatus;
    const repeat = (await hub.query(SET_STATUS, { id: orderId, status: 'CONFIRMED', key })).updateOrderStatus;
    assert.deepEqual(repeat, first);
    assert.deepEqual(await eventTypes(orderId), ['order.placed', 'order.status_changed']);

    const other = await hub.request(SET_STATUS, { id: orderId, status: 'SHIPPED', key });
    assert.equal(other.body.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(other.body.errors?.[0]?.extensions?.field, 'idempotencyKey');
    assert.equal(await statusOf(orderId), 'CONFIRMED');
  });

  it('is not used up by a call that failed', async () => {
    const orderId = await newOrder();
    const key = `key-${tag()}`;
    assert.equal((await hub.request(SET_STATUS, { id: orderId, status: 'SHIPPED', key })).body.errors?.[0]?.extensions?.code, 'INVALID_TRANSITION');
    assert.equal((await hub.query(SET_STATUS, { id: orderId, status: 'CONFIRMED', key })).updateOrderStatus.status, 'CONFIRMED');
  });

  it('refuses an empty key naming it', async () => {
    const response = await hub.request(SET_STATUS, { id: await newOrder(), status: 'CONFIRMED', key: '  ' });
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.deepEqual(response.body.errors?.[0]?.extensions?.fields, [{ field: 'idempotencyKey', message: 'must not be empty' }]);
  });
});

describe('idempotencyKey on upsertCustomerByExternalId', () => {
  it('answers a repeat with the same customer and `created` and changes nothing; other arguments with the key are CONFLICT', async () => {
    const externalId = `crm-${tag()}`;
    const key = `key-${tag()}`;
    const input = { name: 'Alan Turing', email: `${externalId}@example.com` };
    const first = (await hub.query(UPSERT, { externalId, input, key })).upsertCustomerByExternalId;
    const repeat = (await hub.query(UPSERT, { externalId, input: { email: input.email, name: input.name }, key })).upsertCustomerByExternalId;
    assert.equal(first.created, true);
    assert.deepEqual(repeat, first);
    assert.deepEqual(await eventTypes(first.customer.id), ['customer.created']);

    const other = await hub.request(UPSERT, { externalId, input: { ...input, name: 'Alan M. Turing' }, key });
    assert.equal(other.body.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(other.body.errors?.[0]?.extensions?.field, 'idempotencyKey');
    assert.equal((await hub.query('query ($id: ID!) { customer(id: $id) { name } }', { id: first.customer.id })).customer.name, 'Alan Turing');

    const otherOperation = await hub.request(SET_STATUS, { id: await newOrder(), status: 'CONFIRMED', key });
    assert.equal(otherOperation.body.errors, undefined, 'each subgraph keeps its own keys');
  });
});

describe('PAID in the order lifecycle', () => {
  const CANCEL = 'mutation ($id: ID!) { cancelOrder(id: $id, reason: "refunded") { status } }';

  it('moves PENDING → PAID → SHIPPED → DELIVERED, and CONFIRMED → PAID', async () => {
    const order = await newOrder();
    for (const status of ['PAID', 'SHIPPED', 'DELIVERED']) assert.equal((await hub.query(SET_STATUS, { id: order, status })).updateOrderStatus.status, status);
    const confirmed = await newOrder();
    await hub.query(SET_STATUS, { id: confirmed, status: 'CONFIRMED' });
    assert.equal((await hub.query(SET_STATUS, { id: confirmed, status: 'PAID' })).updateOrderStatus.status, 'PAID');
    assert.equal((await hub.query('query ($status: OrderStatus) { orders(first: 100, filter: { status: $status }) { edges { node { id } } } }', { status: 'PAID' })).orders.edges.some((edge: any) => edge.node.id === confirmed), true);
  });

  it('cancels a paid order', async () => {
    const order = await newOrder();
    await hub.query(SET_STATUS, { id: order, status: 'PAID' });
    assert.equal((await hub.query(CANCEL, { id: order })).cancelOrder.status, 'CANCELLED');
  });

  const illegal: [string[], string, string][] = [
    [['PAID'], 'CONFIRMED', 'PAID'],
    [['PAID'], 'PAID', 'PAID'],
    [['PAID'], 'DELIVERED', 'PAID'],
    [['CONFIRMED', 'SHIPPED'], 'PAID', 'SHIPPED'],
    [['CANCELLED'], 'PAID', 'CANCELLED'],
  ];
  for (const [path, target, current] of illegal) {
    it(`refuses ${current} → ${target} with INVALID_TRANSITION`, async () => {
      const order = await newOrder();
      for (const status of path) await hub.query(SET_STATUS, { id: order, status });
      const response = await hub.request(SET_STATUS, { id: order, status: target });
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'INVALID_TRANSITION');
      assert.equal(response.body.errors?.[0]?.extensions?.currentStatus, current);
    });
  }
});
