import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Client } from 'graphql-ws';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { internalHeaders, startTestHub, type TestHub } from './support/hub.js';
import { asRole } from './support/tokens.js';
import { subscribe, wsClient } from './support/ws.js';

/**
 * Inbound webhooks through the real path: POST /webhooks/<source> on the router, forwarded to the
 * queues subgraph, which verifies (Standard Webhooks with the standardwebhooks package, or
 * Stripe-style), stores the webhook with its event and queue message, and answers; refusals are
 * counted per source and audited by the router.
 */

let hub: TestHub;
let db: pg.Client;
const clients: Client[] = [];
let counter = 0;
const unique = (prefix: string) => `${prefix}_${++counter}`;

before(async () => {
  hub = await startTestHub();
  db = new pg.Client({ connectionString: hub.database.url });
  await db.connect();
});

after(async () => {
  for (const client of clients) await client.dispose();
  await db?.end();
  await hub?.stop();
});

const CREATE = `mutation ($input: CreateInboundWebhookSourceInput!) {
  createInboundWebhookSource(input: $input) { secret source { name path scheme toleranceSeconds queue enabled } }
}`;
const SOURCES = '{ inboundWebhookSources { name accepted duplicates rejected { reason count } } }';
const LIST = `query ($source: String!, $first: Int, $after: String) {
  inboundWebhooks(source: $source, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id source webhookId type eventType headers body receivedAt } }
  }
}`;

async function createSource(input: Record<string, unknown>): Promise<{ name: string; secret: string }> {
  const name = unique(String(input.scheme).toLowerCase());
  const { createInboundWebhookSource } = await hub.query(CREATE, { input: { name, ...input } });
  return { name, secret: createInboundWebhookSource.secret };
}

async function createQueue(): Promise<string> {
  const queue = unique('inbound-feed').replace('_', '-');
  await hub.query('mutation ($input: CreateQueueInput!) { createQueue(input: $input) { name } }', { input: { name: queue, kind: 'STANDARD' } });
  return queue;
}

const webhooksUrl = (source: string) => `${hub.routerUrl.replace('/graphql', '')}/webhooks/${source}`;

async function post(source: string, body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const response = await fetch(webhooksUrl(source), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: await response.json() };
}

/** Standard Webhooks headers, signed by the standardwebhooks package. */
function standardHeaders(secret: string, id: string, body: string, at = new Date()): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, at, body) };
}

/** A Stripe-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> (the secret's UTF-8 bytes as the key). */
function stripeHeader(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

async function eventsOf(source: string): Promise<{ type: string; subject_type: string; subject_id: string; data: any; request_id: string }[]> {
  const { rows } = await db.query(`select type, subject_type, subject_id, data, request_id from events.events where type like $1 order by id`, [`inbound.${source}.%`]);
  return rows;
}

async function countersOf(source: string): Promise<{ accepted: number; duplicates: number; rejected: Record<string, number> }> {
  const { inboundWebhookSources } = await hub.query(SOURCES);
  const found = inboundWebhookSources.find((candidate: { name: string }) => candidate.name === source);
  return { accepted: found.accepted, duplicates: found.duplicates, rejected: Object.fromEntries(found.rejected.map((r: { reason: string; count: number }) => [r.reason, r.count])) };
}

/** The router's audit records of webhooks to `source`, once there are `count` (it writes them in batches every 500 ms). */
async function auditOf(source: string, count: number): Promise<Record<string, any>[]> {
  const query = `query ($filter: AuditRecordFilter) { auditRecords(filter: $filter, first: 100) { edges { node { action requestId principal outcome code detail } } } }`;
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { auditRecords } = await hub.query(query, { filter: { action: 'webhook' } });
    const records = auditRecords.edges.map((edge: any) => edge.node).filter((record: any) => record.detail?.source === source).reverse();
    if (records.length >= count || Date.now() > deadline) return records;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a Standard Webhooks source', () => {
  it('stores a verified webhook, writes its event and publishes it to the route queue, in one go', async () => {
    const queue = await createQueue();
    const { name, secret } = await createSource({ scheme: 'STANDARD_WEBHOOKS', queue });
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    const body = JSON.stringify({ type: 'invoice.paid', data: { invoice: 'INV-1001', amount: 1250 } });
    const answer = await post(name, body, { ...standardHeaders(secret, 'msg_1', body), 'x-sender': 'erp' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.duplicate, false);

    const events = await eventsOf(name);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, `inbound.${name}.invoice.paid`);
    assert.deepEqual([events[0]!.subject_type, events[0]!.subject_id], ['InboundWebhook', answer.body.id]);
    assert.deepEqual(events[0]!.data, JSON.parse(body));

    const { inboundWebhooks } = await hub.query(LIST, { source: name });
    assert.equal(inboundWebhooks.totalCount, 1);
    const stored = inboundWebhooks.edges[0].node;
    assert.deepEqual([stored.id, stored.source, stored.webhookId, stored.type, stored.eventType], [answer.body.id, name, 'msg_1', 'invoice.paid', `inbound.${name}.invoice.paid`]);
    assert.deepEqual(stored.body, JSON.parse(body));
    assert.equal(stored.headers['x-sender'], 'erp');
    assert.equal(stored.headers['webhook-id'], 'msg_1');
    assert.equal(stored.headers['webhook-signature'], undefined, 'the signature is not kept');
    assert.equal(stored.headers['x-interchange-identity'], undefined);

    const { receiveMessages } = await hub.query('mutation ($queue: String!) { receiveMessages(queue: $queue, max: 10) { message { payload headers dedupKey } } }', { queue });
    assert.equal(receiveMessages.length, 1);
    assert.deepEqual(receiveMessages[0].message.payload, JSON.parse(body));
    assert.deepEqual(receiveMessages[0].message.headers, { type: 'invoice.paid', 'webhook-id': 'msg_1', source: name });
    assert.equal(receiveMessages[0].message.dedupKey, `inbound:${name}:msg_1`);

    assert.deepEqual(await countersOf(name), { accepted: 1, duplicates: 0, rejected: {} });
    const [record] = await auditOf(name, 1);
    assert.deepEqual([record!.action, record!.outcome, record!.code, record!.principal], ['webhook', 'ok', null, null]);
    assert.deepEqual(record!.detail, { source: name, status: 200, id: answer.body.id, duplicate: false });
    assert.equal(record!.requestId, events[0]!.request_id, 'the event names the request the router audited');
  });

  it('acknowledges a redelivery with the same webhook-id as a duplicate and changes nothing', async () => {
    const queue = await createQueue();
    const { name, secret } = await createSource({ scheme: 'STANDARD_WEBHOOKS', queue });
    const body = JSON.stringify({ type: 'order.shipped', data: { order: 'SO-7' } });
    const first = await post(name, body, standardHeaders(secret, 'msg_dup', body));
    // A redelivery is signed again, later, by the sender: same id, new timestamp and signature.
    const again = await post(name, body, standardHeaders(secret, 'msg_dup', body, new Date(Date.now() + 1_000)));
    assert.deepEqual([first.status, again.status], [200, 200]);
    assert.deepEqual(again.body, { id: first.body.id, duplicate: true });
    assert.equal((await eventsOf(name)).length, 1);
    assert.equal((await hub.query(LIST, { source: name })).inboundWebhooks.totalCount, 1);
    assert.equal((await hub.query('query ($name: String!) { queue(name: $name) { depth } }', { name: queue })).queue.depth, 1);
    assert.deepEqual(await countersOf(name), { accepted: 1, duplicates: 1, rejected: {} });
  });

  it('takes the secret a sender gave, and a webhook without a type as unknown', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const { name } = await createSource({ scheme: 'STANDARD_WEBHOOKS', secret });
    const body = JSON.stringify({ hello: 'world' });
    assert.equal((await post(name, body, standardHeaders(secret, 'msg_untyped', body))).status, 200);
    assert.deepEqual((await eventsOf(name)).map((event) => event.type), [`inbound.${name}.unknown`]);
  });

  it('keeps a timestamp within the source tolerance and refuses one beyond it, past or future', async () => {
    const { name, secret } = await createSource({ scheme: 'STANDARD_WEBHOOKS', toleranceSeconds: 30 });
    const body = JSON.stringify({ type: 'ping' });
    const at = (seconds: number) => new Date(Date.now() + seconds * 1000);
    assert.equal((await post(name, body, standardHeaders(secret, 'msg_recent', body, at(-20)))).status, 200);
    const stale = await post(name, body, standardHeaders(secret, 'msg_old', body, at(-120)));
    const future = await post(name, body, standardHeaders(secret, 'msg_future', body, at(120)));
    assert.deepEqual([stale.status, stale.body.error.code, future.status, future.body.error.code], [401, 'WEBHOOK_TIMESTAMP_STALE', 401, 'WEBHOOK_TIMESTAMP_STALE']);
    assert.match(stale.body.error.message, /old; this source accepts at most 30 s/);
    assert.match(future.body.error.message, /in the future/);
    assert.deepEqual(await countersOf(name), { accepted: 1, duplicates: 0, rejected: { WEBHOOK_TIMESTAMP_STALE: 2 } });
    assert.equal((await eventsOf(name)).length, 1);
  });
});

describe('a Stripe-style source', () => {
  it('verifies t=…,v1=…, takes the body id as the webhook id, and makes a redelivery a duplicate', async () => {
    const { name, secret } = await createSource({ scheme: 'STRIPE' });
    const body = JSON.stringify({ id: 'evt_1Nx', type: 'payment_intent.succeeded', data: { object: { amount: 2000 } } });
    const t = Math.floor(Date.now() / 1000);
    // Several v1 signatures (a secret being rolled): one matching is enough.
    const signature = `t=${t},v1=${'0'.repeat(64)},${stripeHeader(secret, body, t).split(',')[1]},v0=ignored`;
    const first = await post(name, body, { 'stripe-signature': signature });
    assert.deepEqual([first.status, first.body.duplicate], [200, false]);
    const again = await post(name, body, { 'stripe-signature': stripeHeader(secret, body) });
    assert.deepEqual(again.body, { id: first.body.id, duplicate: true });
    const events = await eventsOf(name);
    assert.deepEqual(events.map((event) => event.type), [`inbound.${name}.payment_intent.succeeded`]);
    assert.equal((await hub.query(LIST, { source: name })).inboundWebhooks.edges[0].node.webhookId, 'evt_1Nx');
  });

  it('refuses a bad signature, a malformed header, a stale timestamp and a body without an id', async () => {
    const { name, secret } = await createSource({ scheme: 'STRIPE', secret: 'whsec_stripe_style_secret' });
    const body = JSON.stringify({ id: 'evt_2', type: 'charge.refunded' });
    const bad = await post(name, body, { 'stripe-signature': stripeHeader('whsec_another_secret', body) });
    const malformed = await post(name, body, { 'stripe-signature': 'v1=abc' });
    const stale = await post(name, body, { 'stripe-signature': stripeHeader(secret, body, Math.floor(Date.now() / 1000) - 600) });
    const noId = JSON.stringify({ type: 'charge.refunded' });
    const withoutId = await post(name, noId, { 'stripe-signature': stripeHeader(secret, noId) });
    const unsigned = await post(name, body, {});
    assert.deepEqual(
      [bad, malformed, stale, withoutId, unsigned].map((answer) => [answer.status, answer.body.error.code]),
      [
        [401, 'WEBHOOK_SIGNATURE_INVALID'],
        [400, 'WEBHOOK_HEADERS_INVALID'],
        [401, 'WEBHOOK_TIMESTAMP_STALE'],
        [400, 'WEBHOOK_BODY_INVALID'],
        [401, 'WEBHOOK_UNSIGNED'],
      ],
    );
    assert.deepEqual(await countersOf(name), {
      accepted: 0,
      duplicates: 0,
      rejected: { WEBHOOK_BODY_INVALID: 1, WEBHOOK_HEADERS_INVALID: 1, WEBHOOK_SIGNATURE_INVALID: 1, WEBHOOK_TIMESTAMP_STALE: 1, WEBHOOK_UNSIGNED: 1 },
    });
    assert.equal((await eventsOf(name)).length, 0);
  });
});

describe('refused requests', () => {
  it('answer 4xx with a stable code, are counted for the source and audited, and write no event and no row', async () => {
    const queue = await createQueue();
    const { name, secret } = await createSource({ scheme: 'STANDARD_WEBHOOKS', queue });
    const body = JSON.stringify({ type: 'invoice.paid', data: {} });
    const headers = standardHeaders(secret, 'msg_refused', body);
    const unsigned = await post(name, body, { 'webhook-id': 'msg_refused', 'webhook-timestamp': headers['webhook-timestamp']! });
    const badlySigned = await post(name, body, { ...headers, 'webhook-signature': new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').sign('msg_refused', new Date(), body) });
    const tampered = await post(name, body.replace('invoice.paid', 'invoice.void'), headers);
    const missingId = await post(name, body, { 'webhook-timestamp': headers['webhook-timestamp']!, 'webhook-signature': headers['webhook-signature']! });
    const notJson = 'not json';
    const notJsonAnswer = await post(name, notJson, standardHeaders(secret, 'msg_text', notJson));
    const oversized = await post(name, Buffer.alloc(1024 * 1024 + 1, 0x20), headers);
    const unknown = await post('no_such_source', body, headers);
    assert.deepEqual(
      [unsigned, badlySigned, tampered, missingId, notJsonAnswer, oversized, unknown].map((answer) => [answer.status, answer.body.error.code]),
      [
        [401, 'WEBHOOK_UNSIGNED'],
        [401, 'WEBHOOK_SIGNATURE_INVALID'],
        [401, 'WEBHOOK_SIGNATURE_INVALID'],
        [400, 'WEBHOOK_HEADERS_INVALID'],
        [400, 'WEBHOOK_BODY_INVALID'],
        [413, 'PAYLOAD_TOO_LARGE'],
        [404, 'WEBHOOK_SOURCE_UNKNOWN'],
      ],
    );
    assert.equal(typeof unsigned.body.error.message, 'string');
    assert.equal(typeof unsigned.body.error.requestId, 'string');

    assert.deepEqual(await countersOf(name), {
      accepted: 0,
      duplicates: 0,
      rejected: { PAYLOAD_TOO_LARGE: 1, WEBHOOK_BODY_INVALID: 1, WEBHOOK_HEADERS_INVALID: 1, WEBHOOK_SIGNATURE_INVALID: 2, WEBHOOK_UNSIGNED: 1 },
    });
    assert.equal((await eventsOf(name)).length, 0);
    assert.equal((await hub.query(LIST, { source: name })).inboundWebhooks.totalCount, 0);
    assert.equal((await hub.query('query ($name: String!) { queue(name: $name) { depth } }', { name: queue })).queue.depth, 0);

    const records = await auditOf(name, 6);
    assert.deepEqual(
      records.map((record) => [record.outcome, record.code, record.detail.status]),
      [
        ['denied', 'WEBHOOK_UNSIGNED', 401],
        ['denied', 'WEBHOOK_SIGNATURE_INVALID', 401],
        ['denied', 'WEBHOOK_SIGNATURE_INVALID', 401],
        ['error', 'WEBHOOK_HEADERS_INVALID', 400],
        ['error', 'WEBHOOK_BODY_INVALID', 400],
        ['denied', 'PAYLOAD_TOO_LARGE', 413],
      ],
    );
    const [unknownRecord] = await auditOf('no_such_source', 1);
    assert.deepEqual([unknownRecord!.outcome, unknownRecord!.code], ['denied', 'WEBHOOK_SOURCE_UNKNOWN']);
  });

  it('stop a body sent without a length at 1 MiB', async () => {
    const { name, secret } = await createSource({ scheme: 'STANDARD_WEBHOOKS' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Up to 4 MiB, if the router kept reading.
        if (sent >= 64) return controller.close();
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(webhooksUrl(name), { method: 'POST', headers: { 'content-type': 'application/json', ...standardHeaders(secret, 'msg_big', '') }, body: stream, duplex: 'half' } as RequestInit);
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as any).error.code, 'PAYLOAD_TOO_LARGE');
    assert.deepEqual(await countersOf(name), { accepted: 0, duplicates: 0, rejected: { PAYLOAD_TOO_LARGE: 1 } });
  });

  it('are refused for a disabled source until it is enabled again', async () => {
    const { name, secret } = await createSource({ scheme: 'STANDARD_WEBHOOKS', enabled: false });
    const body = JSON.stringify({ type: 'ping' });
    const refused = await post(name, body, standardHeaders(secret, 'msg_disabled', body));
    assert.deepEqual([refused.status, refused.body.error.code], [404, 'WEBHOOK_SOURCE_DISABLED']);
    await hub.query('mutation ($name: String!) { updateInboundWebhookSource(name: $name, input: { enabled: true }) { enabled } }', { name });
    assert.equal((await post(name, body, standardHeaders(secret, 'msg_disabled', body))).status, 200);
    assert.deepEqual(await countersOf(name), { accepted: 1, duplicates: 0, rejected: { WEBHOOK_SOURCE_DISABLED: 1 } });
  });
});

describe('the subscription and the list', () => {
  it('pushes each accepted webhook of the source, and resumes after an event id', async () => {
    const { name, secret } = await createSource({ scheme: 'STANDARD_WEBHOOKS' });
    const other = await createSource({ scheme: 'STANDARD_WEBHOOKS' });
    const client = wsClient(hub.routerUrl);
    clients.push(client);
    const query = `subscription ($source: String!, $after: ID) {
      inboundWebhooks(source: $source, after: $after) { id type requestId webhook { webhookId source body } }
    }`;
    // From the newest event on: nothing sent below can be missed, however long subscribing takes.
    const { rows } = await db.query('select coalesce(max(id), 0)::text as id from events.events');
    const live = subscribe(client, query, { source: name, after: rows[0].id });
    const send = async (source: { name: string; secret: string }, id: string) => {
      const body = JSON.stringify({ type: 'stock.changed', data: { sku: id } });
      assert.equal((await post(source.name, body, standardHeaders(source.secret, id, body))).status, 200);
    };
    await send({ name, secret }, 'msg_a');
    await send(other, 'msg_other');
    await send({ name, secret }, 'msg_b');
    const [a, b] = (await live.waitFor(2)).map((result) => (result.data as any).inboundWebhooks);
    assert.deepEqual([a.type, a.webhook.webhookId, a.webhook.source, b.webhook.webhookId], [`inbound.${name}.stock.changed`, 'msg_a', name, 'msg_b']);
    assert.deepEqual(b.webhook.body, { type: 'stock.changed', data: { sku: 'msg_b' } });

    const resumed = subscribe(client, query, { source: name, after: a.id });
    const [again] = await resumed.waitFor(1);
    assert.equal((again!.data as any).inboundWebhooks.webhook.webhookId, 'msg_b');
    live.stop();
    resumed.stop();
    assert.equal(live.results.length, 2, 'the other source\'s webhook was not pushed');
  });

  it('lists a source\'s webhooks newest first, a page at a time', async () => {
    const { name, secret } = await createSource({ scheme: 'STANDARD_WEBHOOKS' });
    for (const id of ['msg_1', 'msg_2', 'msg_3']) {
      const body = JSON.stringify({ type: 'ping', n: id });
      assert.equal((await post(name, body, standardHeaders(secret, id, body))).status, 200);
    }
    const first = (await hub.query(LIST, { source: name, first: 2 })).inboundWebhooks;
    assert.deepEqual([first.totalCount, first.pageInfo.hasNextPage, first.edges.map((edge: any) => edge.node.webhookId)], [3, true, ['msg_3', 'msg_2']]);
    const next = (await hub.query(LIST, { source: name, first: 2, after: first.pageInfo.endCursor })).inboundWebhooks;
    assert.deepEqual([next.pageInfo.hasNextPage, next.edges.map((edge: any) => edge.node.webhookId)], [false, ['msg_1']]);
  });
});

describe('sources', () => {
  it('validate their input, and need admin to manage; reading webhooks needs queues:read', async () => {
    const invalid = await hub.request(CREATE, { input: { name: 'Bad-Name', scheme: 'STANDARD_WEBHOOKS', secret: 'not-base64!', toleranceSeconds: 0, queue: 'no-such-queue' } });
    assert.equal(invalid.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.deepEqual(invalid.body.errors![0]!.extensions!.fields.map((field: { field: string }) => field.field).sort(), ['name', 'queue', 'secret', 'toleranceSeconds']);
    const { name } = await createSource({ scheme: 'STRIPE' });
    const taken = await hub.request(CREATE, { input: { name, scheme: 'STRIPE' } });
    assert.equal(taken.body.errors?.[0]?.extensions?.code, 'CONFLICT');

    const readonly = await asRole('readonly');
    assert.equal((await hub.request(LIST, { source: name }, readonly)).body.errors, undefined);
    assert.equal((await hub.request(SOURCES, {}, readonly)).body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal((await hub.request(LIST, { source: name }, await asRole('api_user'))).body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal((await hub.request(LIST, { source: 'unknown_source' })).body.errors?.[0]?.extensions?.code, 'NOT_FOUND');

    const deleted = await hub.query('mutation ($name: String!) { deleteInboundWebhookSource(name: $name) }', { name });
    assert.equal(deleted.deleteInboundWebhookSource, true);
    const body = JSON.stringify({ id: 'evt_gone' });
    assert.equal((await post(name, body, { 'stripe-signature': stripeHeader('x', body) })).body.error.code, 'WEBHOOK_SOURCE_UNKNOWN');
  });
});

describe('the queues subgraph route', () => {
  it('answers only requests the router forwarded', async () => {
    const { name, secret } = await createSource({ scheme: 'STANDARD_WEBHOOKS' });
    const body = JSON.stringify({ type: 'ping' });
    const direct = `${new URL(hub.urls.queues).origin}/webhooks/${name}`;
    const headers = { 'content-type': 'application/json', ...standardHeaders(secret, 'msg_direct', body) };
    const anonymous = await fetch(direct, { method: 'POST', headers, body });
    assert.equal(anonymous.status, 401, 'no internal header');
    const asUser = await fetch(direct, { method: 'POST', headers: { ...headers, ...(await internalHeaders({ kind: 'user', id: 'mallory', roles: ['admin'], scopes: ['admin'] })) }, body });
    assert.equal(asUser.status, 403, 'an internal header of a caller, replayed, is not the router forwarding');
    assert.equal(((await asUser.json()) as any).error.code, 'FORBIDDEN');
    // A forged size refusal is not counted either.
    await fetch(direct, { method: 'POST', headers: { 'x-interchange-body-too-large': '1' }, body: '' });
    assert.deepEqual(await countersOf(name), { accepted: 0, duplicates: 0, rejected: {} });
    assert.equal((await eventsOf(name)).length, 0);
  });
});
