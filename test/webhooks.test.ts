import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Client } from 'graphql-ws';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { startTestHub, type TestHub } from './support/hub.js';
import { asRole } from './support/tokens.js';
import { subscribe, wsClient } from './support/ws.js';
import { eventually } from './support/eventually.js';

/**
 * Outbound webhooks through the real path: endpoints created through the router, hub events caused
 * through the router, and local HTTP receivers that verify every delivery with the
 * `standardwebhooks` package. The hub allows 127.0.0.1 (WEBHOOK_ALLOWED_HOSTS), nothing else local.
 */

let hub: TestHub;
let db: pg.Pool;
const receivers: Receiver[] = [];
const clients: Client[] = [];
let counter = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Request {
  headers: Record<string, string>;
  body: string;
}

/** A webhook receiver on 127.0.0.1, port 0: records every request and answers `status(n)` to the n-th (from 0). */
class Receiver {
  readonly requests: Request[] = [];
  status: (n: number) => number = () => 200;
  /** Awaited before answering, when set: a slow receiver. */
  hold: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    let receiver: Receiver | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const n = receiver!.requests.length;
        receiver!.requests.push({ headers: plain(request.headers), body: Buffer.concat(chunks).toString('utf8') });
        const status = receiver!.status(n);
        void (receiver!.hold ?? Promise.resolve()).then(() => response.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 300 ? `no thanks (${status})` : 'ok'));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`);
    receivers.push(receiver);
    return receiver;
  }

  /** Every request verified with `secret` (throws on any that does not verify), as its parsed body. */
  verified(secret: string): { type: string; timestamp: string; data: any }[] {
    const webhook = new Webhook(secret);
    return this.requests.map((request) => webhook.verify(request.body, request.headers) as { type: string; timestamp: string; data: any });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function plain(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
}

const CREATE = `mutation ($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret endpoint { id url eventTypes enabled retrySchedule maxConcurrency rateLimitPerSecond queue { name } } }
}`;
const ENDPOINT = `query ($id: ID!) {
  webhookEndpoint(id: $id) {
    id enabled disabledReason failingSince previousSecretExpiresAt
    stats { delivered failed pending lastSuccessAt lastFailureAt }
    queue { name deadLetters messages(first: 5) { edges { node { state availableAt attempts } } } }
  }
}`;
const DELIVERIES = `query ($id: ID!, $status: WebhookDeliveryStatus) {
  webhookDeliveries(endpointId: $id, status: $status, first: 100) {
    totalCount
    edges { node { id eventId eventType status attemptCount nextAttemptAt deliveredAt payload attempts { attempt at statusCode latencyMs responseBody error nextAttemptAt } } }
  }
}`;
const UPDATE = 'mutation ($id: ID!, $input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $input) { id enabled disabledReason } }';
const DELETE = 'mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }';
const CREATE_CUSTOMER = 'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }';

interface Attempt {
  attempt: number;
  at: string;
  statusCode: number | null;
  latencyMs: number | null;
  responseBody: string | null;
  error: string | null;
  nextAttemptAt: string | null;
}
interface DeliveryNode {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  payload: any;
  attempts: Attempt[];
}

async function createEndpoint(url: string, input: Record<string, unknown> = {}): Promise<{ id: string; secret: string; queue: string }> {
  const { createWebhookEndpoint } = await hub.query(CREATE, { input: { url, eventTypes: ['customer.*'], ...input } });
  return { id: createWebhookEndpoint.endpoint.id, secret: createWebhookEndpoint.secret, queue: createWebhookEndpoint.endpoint.queue.name };
}

async function createCustomer(): Promise<string> {
  const n = ++counter;
  return (await hub.query(CREATE_CUSTOMER, { input: { name: `Webhook ${n}`, email: `webhook-${n}-${Date.now()}@example.com` } })).createCustomer.id;
}

async function deliveries(endpointId: string, status?: string): Promise<DeliveryNode[]> {
  const { webhookDeliveries } = await hub.query(DELIVERIES, { id: endpointId, status });
  return webhookDeliveries.edges.map((edge: { node: DeliveryNode }) => edge.node);
}

const endpoint = async (id: string) => (await hub.query(ENDPOINT, { id })).webhookEndpoint;

/** Makes the endpoint's waiting messages due now: the clock advanced past their retry delay. */
async function advanceClock(queue: string): Promise<void> {
  await db.query(`update queues.messages set available_at = now() where state = 'AVAILABLE' and queue_id = (select id from queues.queues where name = $1)`, [queue]);
}

async function hubEvents(type: string, endpointId: string): Promise<{ data: any }[]> {
  const { rows } = await db.query(`select data from events.events where type = $1 and subject_id = $2 order by id`, [type, endpointId]);
  return rows;
}

before(async () => {
  hub = await startTestHub({ env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
  db = new pg.Pool({ connectionString: hub.database.url, max: 2 });
});
after(async () => {
  for (const client of clients) await client.dispose();
  for (const receiver of receivers) await receiver.close();
  await db?.end();
  await hub?.stop();
});

describe('outbound webhooks', () => {
  it('delivers every matching event once, signed so that standardwebhooks verifies it', async () => {
    const receiver = await Receiver.start();
    const { id, secret, queue } = await createEndpoint(receiver.url, { description: 'CRM' });
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    assert.ok(Buffer.from(secret.slice('whsec_'.length), 'base64').length >= 24, 'the secret has at least 24 random bytes');
    assert.equal(queue, `webhook.${id}`);

    const customers = [await createCustomer(), await createCustomer(), await createCustomer()];
    await hub.query('mutation ($id: ID!) { updateCustomer(id: $id, input: { name: "Renamed" }) { id } }', { id: customers[0] });
    await hub.query('mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
      input: { customerId: customers[0], currency: 'EUR', lines: [{ sku: 'W-1', quantity: 1, unitPrice: '5.00' }] },
    });

    await eventually(() => receiver.requests.length, (n) => n >= 4, 'deliveries received');
    await sleep(1_500); // a few idle rounds later: nothing more, nothing twice
    const bodies = receiver.verified(secret);
    assert.equal(bodies.length, 4, 'one request per matching event (order.placed does not match customer.*)');
    assert.deepEqual(bodies.map((body) => body.type), ['customer.created', 'customer.created', 'customer.created', 'customer.updated']);
    assert.deepEqual(bodies.map((body) => body.data.subject.id), [...customers, customers[0]]);
    assert.equal(bodies[3]!.data.data.name, 'Renamed');
    assert.equal(bodies[0]!.timestamp, bodies[0]!.data.occurredAt, 'the body\'s timestamp is when the event occurred');
    const ids = receiver.requests.map((request) => request.headers['webhook-id']);
    assert.equal(new Set(ids).size, 4, 'a webhook-id per delivery');
    assert.equal(receiver.requests[0]!.headers['content-type'], 'application/json');
    assert.match(receiver.requests[0]!.headers['webhook-signature']!, /^v1,[A-Za-z0-9+/]+=*$/);
    assert.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(receiver.requests[0]!.body, receiver.requests[0]!.headers), 'another secret does not verify');

    const listed = await deliveries(id);
    assert.deepEqual(listed.map((delivery) => delivery.id).sort(), [...ids].sort());
    assert.deepEqual(listed.map((delivery) => delivery.eventType), ['customer.updated', 'customer.created', 'customer.created', 'customer.created'], 'newest first');
    for (const delivery of listed) {
      assert.equal(delivery.status, 'DELIVERED');
      assert.equal(delivery.attempts.length, 1);
      assert.equal(delivery.attempts[0]!.statusCode, 200);
      assert.equal(delivery.attempts[0]!.responseBody, 'ok');
      assert.equal(delivery.attempts[0]!.nextAttemptAt, null);
    }
    const { stats } = await endpoint(id);
    assert.deepEqual({ ...stats, lastSuccessAt: !!stats.lastSuccessAt }, { delivered: 4, failed: 0, pending: 0, lastSuccessAt: true, lastFailureAt: null });
    await hub.query(DELETE, { id });
  });

  it('retries by the endpoint\'s schedule, then makes the delivery a dead letter and emits webhook.delivery_failed', async () => {
    const receiver = await Receiver.start();
    receiver.status = () => 500;
    const schedule = [30, 120];
    const { id, secret, queue } = await createEndpoint(receiver.url, { retrySchedule: schedule });
    await createCustomer();

    for (const [index, delay] of schedule.entries()) {
      // The delivery row and its attempts are read by two statements: wait until both show the attempt.
      const [delivery] = await eventually(() => deliveries(id), (list) => list[0]?.attempts.length === index + 1 && list[0].attemptCount === index + 1, `attempt ${index + 1}`);
      const attempt = delivery!.attempts[index]!;
      assert.equal(attempt.attempt, index + 1);
      assert.equal(attempt.statusCode, 500);
      assert.equal(attempt.responseBody, 'no thanks (500)');
      assert.equal(Date.parse(attempt.nextAttemptAt!) - Date.parse(attempt.at), delay * 1000, `attempt ${index + 1} is retried after schedule[${index}]`);
      assert.equal(delivery!.status, 'PENDING');
      assert.equal(delivery!.nextAttemptAt, attempt.nextAttemptAt);
      const message = (await endpoint(id)).queue.messages.edges[0].node;
      assert.deepEqual([message.state, message.availableAt], ['DELAYED', attempt.nextAttemptAt], 'the queue holds the message until then');
      await sleep(1_200);
      assert.equal(receiver.requests.length, index + 1, 'nothing is sent before the retry is due');
      await advanceClock(queue);
    }

    const [failed] = await eventually(() => deliveries(id), (list) => list[0]?.status === 'FAILED', 'the delivery failed');
    assert.equal(failed!.attemptCount, 3, 'the first attempt and one per delay');
    assert.equal(failed!.attempts[2]!.nextAttemptAt, null);
    assert.equal(failed!.nextAttemptAt, null);
    assert.equal(receiver.requests.length, 3);
    assert.equal(receiver.verified(secret).length, 3, 'every attempt is signed');
    assert.equal(new Set(receiver.requests.map((request) => request.headers['webhook-id'])).size, 1, 'the same webhook-id on every attempt');
    const found = await endpoint(id);
    assert.equal(found.queue.deadLetters, 1);
    assert.deepEqual({ failed: found.stats.failed, pending: found.stats.pending, lastFailureAt: !!found.stats.lastFailureAt }, { failed: 1, pending: 0, lastFailureAt: true });
    const events = await hubEvents('webhook.delivery_failed', id);
    assert.equal(events.length, 1);
    assert.deepEqual(
      { deliveryId: events[0]!.data.deliveryId, attempts: events[0]!.data.attempts, lastError: events[0]!.data.lastError },
      { deliveryId: failed!.id, attempts: 3, lastError: 'HTTP 500' },
    );
    await hub.query(DELETE, { id });
  });

  it('disables an endpoint that answers 410, with an event saying why; its pending deliveries wait until it is enabled', async () => {
    const receiver = await Receiver.start();
    receiver.status = () => 410;
    const { id, secret } = await createEndpoint(receiver.url);
    await createCustomer();
    const disabled = await eventually(() => endpoint(id), (found) => found.enabled === false, 'the endpoint disabled');
    assert.match(disabled.disabledReason, /410 Gone/);
    const events = await hubEvents('webhook.endpoint_disabled', id);
    assert.equal(events.length, 1);
    assert.match(events[0]!.data.reason, /410 Gone/);

    await createCustomer(); // no delivery for a disabled endpoint
    await sleep(1_500);
    assert.equal(receiver.requests.length, 1, 'nothing is sent to a disabled endpoint');
    const [pending] = await deliveries(id);
    assert.equal((await deliveries(id)).length, 1);
    assert.deepEqual([pending!.status, pending!.attempts[0]!.statusCode], ['PENDING', 410]);

    receiver.status = () => 204;
    const enabled = (await hub.query(UPDATE, { id, input: { enabled: true } })).updateWebhookEndpoint;
    assert.deepEqual(enabled, { id, enabled: true, disabledReason: null });
    await eventually(() => deliveries(id), (list) => list[0]?.status === 'DELIVERED', 'the pending delivery delivered');
    assert.equal(receiver.verified(secret).length, 2);
    assert.equal(receiver.requests[1]!.headers['webhook-id'], pending!.id);
    await hub.query(DELETE, { id });
  });

  it('disables an endpoint whose attempts have all failed for WEBHOOK_DISABLE_AFTER_SECONDS', async () => {
    const receiver = await Receiver.start();
    receiver.status = () => 503;
    const { id, queue } = await createEndpoint(receiver.url, { retrySchedule: [60, 60] });
    await createCustomer();
    const failing = await eventually(() => endpoint(id), (found) => found.failingSince !== null, 'the failure streak started');
    assert.equal(failing.enabled, true, 'one failure does not disable');
    // Five days (the default) and a minute pass without a success.
    await db.query(`update queues.webhook_endpoints set failing_since = now() - interval '5 days 1 minute' where id = $1`, [id]);
    await advanceClock(queue);
    const disabled = await eventually(() => endpoint(id), (found) => found.enabled === false, 'the endpoint disabled');
    assert.match(disabled.disabledReason, /every attempt failed since .*WEBHOOK_DISABLE_AFTER_SECONDS=432000/);
    assert.equal((await hubEvents('webhook.endpoint_disabled', id)).length, 1);
    await hub.query(DELETE, { id });
  });

  it('keeps delivering to other endpoints while one is slow, and holds the slow one to its maxConcurrency', async () => {
    const slow = await Receiver.start();
    let release = () => {};
    slow.hold = new Promise((resolve) => (release = resolve));
    const fast = await Receiver.start();
    const { id: slowId } = await createEndpoint(slow.url, { maxConcurrency: 1 });
    const { id: fastId } = await createEndpoint(fast.url);
    for (let n = 0; n < 3; n++) await createCustomer();
    await eventually(() => fast.requests.length, (n) => n >= 3, 'the fast endpoint\'s deliveries');
    assert.equal(slow.requests.length, 1, 'the slow endpoint has one request in flight, the others wait');
    release();
    await eventually(() => slow.requests.length, (n) => n >= 3, 'the slow endpoint\'s deliveries');
    await eventually(() => deliveries(slowId), (list) => list.every((delivery) => delivery.status === 'DELIVERED'), 'all delivered');
    await hub.query(DELETE, { id: slowId });
    await hub.query(DELETE, { id: fastId });
  });

  it('replays one delivery, and the deliveries of a time range in order, with their webhook-ids', async () => {
    const receiver = await Receiver.start();
    const { id, secret } = await createEndpoint(receiver.url, { maxConcurrency: 1 });
    const since = new Date(Date.now() - 1_000).toISOString();
    for (let n = 0; n < 3; n++) await createCustomer();
    await eventually(() => receiver.requests.length, (n) => n >= 3, 'first deliveries');
    const first = receiver.requests.map((request) => request.headers['webhook-id']!);

    const replayed = (await hub.query('mutation ($id: ID!) { replayWebhookDelivery(id: $id) { id status } }', { id: first[1] })).replayWebhookDelivery;
    assert.deepEqual(replayed, { id: first[1], status: 'PENDING' });
    await eventually(() => receiver.requests.length, (n) => n >= 4, 'the replayed delivery');
    assert.equal(receiver.requests[3]!.headers['webhook-id'], first[1]);

    const count = (await hub.query('mutation ($id: ID!, $since: DateTime!) { replayWebhookEndpoint(id: $id, since: $since) }', { id, since })).replayWebhookEndpoint;
    assert.equal(count, 3);
    await eventually(() => receiver.requests.length, (n) => n >= 7, 'the replayed range');
    await sleep(500);
    assert.equal(receiver.requests.length, 7);
    assert.deepEqual(receiver.requests.slice(4).map((request) => request.headers['webhook-id']), first, 'in the order they were created');
    assert.equal(receiver.verified(secret).length, 7);
    const listed = await eventually(() => deliveries(id), (list) => list.every((delivery) => delivery.status === 'DELIVERED'), 'all delivered again');
    assert.deepEqual(listed.map((delivery) => delivery.attemptCount).reverse(), [2, 3, 2]);

    const empty = (await hub.query('mutation ($id: ID!, $since: DateTime!) { replayWebhookEndpoint(id: $id, since: $since) }', { id, since: new Date().toISOString() })).replayWebhookEndpoint;
    assert.equal(empty, 0);
    await hub.query(DELETE, { id });
  });

  it('signs with both secrets for a day after a rotation: either one verifies', async () => {
    const receiver = await Receiver.start();
    const { id, secret: old } = await createEndpoint(receiver.url);
    const rotated = (await hub.query('mutation ($id: ID!) { rotateWebhookSecret(id: $id) { secret endpoint { previousSecretExpiresAt } } }', { id })).rotateWebhookSecret;
    assert.notEqual(rotated.secret, old);
    const overlap = Date.parse(rotated.endpoint.previousSecretExpiresAt) - Date.now();
    assert.ok(overlap > 86_400_000 - 60_000 && overlap <= 86_400_000, `the old secret signs for 24 h (${overlap} ms left)`);
    await createCustomer();
    await eventually(() => receiver.requests.length, (n) => n >= 1, 'a delivery');
    const signatures = receiver.requests[0]!.headers['webhook-signature']!.split(' ');
    assert.equal(signatures.length, 2);
    assert.ok(signatures.every((signature) => signature.startsWith('v1,')));
    assert.equal(receiver.verified(rotated.secret).length, 1, 'the new secret verifies');
    assert.equal(receiver.verified(old).length, 1, 'the old secret verifies');
    // Once the overlap has passed, only the new secret signs.
    await db.query(`update queues.webhook_endpoints set previous_secret_expires_at = now() - interval '1 second' where id = $1`, [id]);
    await sleep(600); // the sender reads an endpoint again after at most 500 ms: past that, it sees the change made behind its back
    await createCustomer();
    await eventually(() => receiver.requests.length, (n) => n >= 2, 'a second delivery');
    assert.equal(receiver.requests[1]!.headers['webhook-signature']!.split(' ').length, 1);
    assert.throws(() => new Webhook(old).verify(receiver.requests[1]!.body, receiver.requests[1]!.headers));
    assert.equal((await endpoint(id)).previousSecretExpiresAt, null);
    await hub.query(DELETE, { id });
  });

  it('refuses to deliver to a loopback address that WEBHOOK_ALLOWED_HOSTS does not name, and records why', async () => {
    const receiver = await Receiver.start();
    const port = new URL(receiver.url).port;
    // 127.0.0.1 is allowed, by its exact host only: localhost and 127.0.0.2 are not.
    const { id: byName } = await createEndpoint(`http://localhost:${port}/hooks`, { retrySchedule: [3600] });
    const { id: byAddress } = await createEndpoint(`http://127.0.0.2:${port}/hooks`, { retrySchedule: [3600] });
    await createCustomer();
    for (const id of [byName, byAddress]) {
      const [delivery] = await eventually(() => deliveries(id), (list) => list[0]?.attempts.length === 1, 'a refused attempt');
      const attempt = delivery!.attempts[0]!;
      assert.equal(attempt.statusCode, null);
      assert.match(attempt.error!, /^refused: .*loopback/);
      assert.equal(delivery!.status, 'PENDING', 'refusals are retried by the schedule (the setting may change)');
    }
    assert.equal(receiver.requests.length, 0, 'nothing reached the receiver');
    await hub.query(DELETE, { id: byName });
    await hub.query(DELETE, { id: byAddress });
  });

  it('pushes each change of a delivery to webhookDeliveryUpdated subscribers', async () => {
    const receiver = await Receiver.start();
    receiver.status = (n) => (n === 0 ? 500 : 200);
    const { id } = await createEndpoint(receiver.url, { retrySchedule: [0] });
    const client = wsClient(hub.routerUrl);
    clients.push(client);
    const updates = subscribe<{ webhookDeliveryUpdated: { id: string; status: string; attemptCount: number } }>(
      client,
      'subscription ($id: ID!) { webhookDeliveryUpdated(endpointId: $id) { id status attemptCount } }',
      { id },
    );
    await sleep(500);
    await createCustomer();
    const results = (await updates.waitFor(2)).map((result) => result.data!.webhookDeliveryUpdated);
    assert.deepEqual(
      results.map((delivery) => [delivery.status, delivery.attemptCount]),
      [
        ['PENDING', 1],
        ['DELIVERED', 2],
      ],
    );
    assert.equal(results[0]!.id, results[1]!.id);
    updates.stop();
    await hub.query(DELETE, { id });
  });

  it('updates settings, and deletes an endpoint with its queue (which deleteQueue alone refuses)', async () => {
    const receiver = await Receiver.start();
    const { id, queue } = await createEndpoint(receiver.url);
    const updated = (
      await hub.query('mutation ($id: ID!) { updateWebhookEndpoint(id: $id, input: { retrySchedule: [2, 4], rateLimitPerSecond: 5, description: null }) { retrySchedule rateLimitPerSecond description queue { retryPolicy { maxAttempts } } } }', { id })
    ).updateWebhookEndpoint;
    assert.deepEqual(updated, { retrySchedule: [2, 4], rateLimitPerSecond: 5, description: null, queue: { retryPolicy: { maxAttempts: 3 } } });
    const refused = await hub.request('mutation ($name: String!) { deleteQueue(name: $name) }', { name: queue });
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal((await hub.query(DELETE, { id })).deleteWebhookEndpoint, true);
    assert.equal((await hub.query('query ($name: String!) { queue(name: $name) { name } }', { name: queue })).queue, null);
    assert.equal((await hub.query('query ($id: ID!) { webhookEndpoint(id: $id) { id } }', { id })).webhookEndpoint, null);
    assert.equal((await hub.request(DELETE, { id })).body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal((await hubEvents('webhook.endpoint_deleted', id)).length, 1);
  });

  it('refuses bad input naming each field, unknown ids, and callers without admin', async () => {
    const bad = await hub.request(CREATE, {
      input: { url: 'ftp://example.com/x', eventTypes: [], rateLimitPerSecond: 0, maxConcurrency: 101, retrySchedule: [1, 86_401], description: 'x'.repeat(501) },
    });
    assert.equal(bad.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.deepEqual(
      (bad.body.errors?.[0]?.extensions?.fields as { field: string }[]).map((field) => field.field).sort(),
      ['description', 'eventTypes', 'maxConcurrency', 'rateLimitPerSecond', 'retrySchedule.1', 'url'],
    );
    const schedules = await hub.request(CREATE, { input: { url: 'https://example.com/hooks', eventTypes: ['order'], retrySchedule: Array.from({ length: 21 }, () => 1) } });
    assert.deepEqual((schedules.body.errors?.[0]?.extensions?.fields as { field: string }[]).map((field) => field.field).sort(), ['retrySchedule']);
    const types = await hub.request(CREATE, { input: { url: 'https://example.com/hooks', eventTypes: ['Order Placed', 'order.*'], retrySchedule: [] } });
    assert.deepEqual((types.body.errors?.[0]?.extensions?.fields as { field: string }[]).map((field) => field.field).sort(), ['eventTypes.0', 'retrySchedule']);

    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const [operation, variables] of [
      [UPDATE, { id: unknown, input: { enabled: false } }],
      ['mutation ($id: ID!) { rotateWebhookSecret(id: $id) { secret } }', { id: unknown }],
      ['mutation ($id: ID!) { replayWebhookDelivery(id: $id) { id } }', { id: 'not-a-uuid' }],
      [DELIVERIES, { id: unknown }],
    ] as const) {
      assert.equal((await hub.request(operation, variables)).body.errors?.[0]?.extensions?.code, 'NOT_FOUND', operation);
    }
    // health:read (the readonly role) lists endpoints by host and state, never their URL, which may hold a token.
    const forbidden = await hub.request('{ webhookEndpoints { id url } }', {}, await asRole('readonly'));
    assert.equal(forbidden.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const listed = await hub.request<{ webhookEndpoints: { host: string }[] }>('{ webhookEndpoints { id host enabled } }', {}, await asRole('readonly'));
    assert.equal(listed.body.errors, undefined);
    assert.ok(listed.body.data!.webhookEndpoints.every((endpoint) => /^127\.0\.0\.1:\d+$/.test(endpoint.host)));
    const notListed = await hub.request('{ webhookEndpoints { id } }', {}, await asRole('api_user'));
    assert.equal(notListed.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });
});
