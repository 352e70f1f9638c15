import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { RunningRouter } from '../router/server.js';
import { graphql, startTestHub, type TestHub } from './support/hub.js';
import { asRole, testToken } from './support/tokens.js';
import { refusal, subscribe } from './support/ws.js';

/** A credential's limits hold for the whole connection, and failed or refused callers cannot spend what others share. */

let hub: TestHub;

const ORDER_EVENTS = `subscription ($customerId: ID, $after: ID) {
  orderEvents(customerId: $customerId, after: $after) { id type order { id customer { name } } }
}`;
const PLACE = 'mutation ($c: ID!) { placeOrder(input: { customerId: $c, currency: "EUR", lines: [{ sku: "A", quantity: 1, unitPrice: "1.00" }] }) { id } }';

let counter = 0;
async function newCustomer(): Promise<string> {
  const tag = `cred${++counter}-${Date.now()}`;
  const data = await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', { input: { name: `Holder ${tag}`, email: `${tag}@example.com` } });
  return data.createCustomer.id;
}

/** A graphql-ws client that does not reconnect, and the close code it ends with. */
function socketClient(url: string, connectionParams: Record<string, unknown>): { client: Client; closed: Promise<number> } {
  let closedWith!: (code: number) => void;
  const closed = new Promise<number>((resolveClosed) => (closedWith = resolveClosed));
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: true,
    retryAttempts: 0,
    on: { closed: (event) => closedWith((event as { code: number }).code) },
  });
  return { client, closed };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms).unref())]);
}

before(async () => {
  // No clock skew, so that a token's socket closes at its `exp`.
  hub = await startTestHub({ env: { JWT_CLOCK_SKEW_SECONDS: '0' } });
});
after(() => hub?.stop());

describe('a WebSocket authenticated with a JWT', () => {
  it('is closed with 4403 when the token expires, and a new connection with a new token resumes with after, losing nothing', async () => {
    const customerId = await newCustomer();
    const short = socketClient(hub.routerUrl, { authorization: `Bearer ${await testToken({ roles: ['admin'], expiresIn: 3 })}` });
    const first = subscribe(short.client, ORDER_EVENTS, { customerId });
    await new Promise((resolveSettled) => setTimeout(resolveSettled, 500));
    await hub.query(PLACE, { c: customerId });
    const [placed] = await first.waitFor(1);
    assert.equal(placed!.data!.orderEvents.type, 'order.placed');

    assert.equal(await within(short.closed, 10_000, 'the close at expiry'), 4403);
    // Happens while the subscriber has no connection.
    const missed = (await hub.query(PLACE, { c: customerId })).placeOrder.id;

    const renewed = socketClient(hub.routerUrl, { authorization: `Bearer ${await testToken({ roles: ['admin'] })}` });
    try {
      const resumed = subscribe(renewed.client, ORDER_EVENTS, { customerId, after: placed!.data!.orderEvents.id });
      const [next] = await resumed.waitFor(1);
      assert.equal(next!.data!.orderEvents.order.id, missed);
      assert.equal(resumed.results.length, 1);
    } finally {
      await renewed.client.dispose();
    }
  });
});

describe('a WebSocket authenticated with an API key', () => {
  it('is closed with 4403 as soon as the key is revoked', async () => {
    const { createApiKey } = await hub.query('mutation { createApiKey(input: { name: "socket holder", role: "readonly" }) { secret apiKey { id } } }');
    const keyed = socketClient(hub.routerUrl, { 'x-api-key': createApiKey.secret });
    const events = subscribe(keyed.client, ORDER_EVENTS, { customerId: await newCustomer() });
    await new Promise((resolveSettled) => setTimeout(resolveSettled, 500));
    assert.equal(events.results.length, 0);

    await hub.query('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: createApiKey.apiKey.id });
    assert.equal(await within(keyed.closed, 3_000, 'the close after revocation'), 4403);
  });

  it('is closed with 4403 as soon as the key\'s role changes, and reconnects with what the key may now do', async () => {
    const { createApiKey } = await hub.query('mutation { createApiKey(input: { name: "demoted holder", role: "readonly" }) { secret apiKey { id } } }');
    const keyed = socketClient(hub.routerUrl, { 'x-api-key': createApiKey.secret });
    subscribe(keyed.client, ORDER_EVENTS, { customerId: await newCustomer() });
    await new Promise((resolveSettled) => setTimeout(resolveSettled, 500));

    await hub.query('mutation ($id: ID!) { updateApiKey(id: $id, input: { role: "sap_integration" }) { id } }', { id: createApiKey.apiKey.id });
    assert.equal(await within(keyed.closed, 3_000, 'the close after the role changed'), 4403);
    const again = socketClient(hub.routerUrl, { 'x-api-key': createApiKey.secret });
    try {
      const [refused] = await refusal(subscribe(again.client, ORDER_EVENTS, { customerId: await newCustomer() }));
      assert.equal(refused?.extensions?.code, 'FORBIDDEN');
    } finally {
      await again.client.dispose();
    }
  });
});

describe('failed logins', () => {
  let throttled: RunningRouter;
  before(async () => {
    throttled = await hub.startRouter(undefined, { AUTH_FAILURES_PER_ADDRESS: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });

  it('are limited per address before any credential is checked: past the limit even a good token gets RATE_LIMITED', async () => {
    const wrongKey = `ik_key_${'0'.repeat(20)}_${'x'.repeat(43)}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const refused = await graphql(throttled.url, '{ __typename }', undefined, { 'x-api-key': wrongKey });
      assert.equal(refused.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    }
    const limited = await graphql(throttled.url, '{ __typename }', undefined, await asRole('admin'));
    assert.equal(limited.status, 429);
    assert.equal(limited.body.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
    assert.equal(limited.body.errors?.[0]?.extensions?.limit, 'authentication');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  });
});

describe('the rate limits callers share', () => {
  it('count only admitted operations: refused callers cannot use up the global limit', async () => {
    const shared = await hub.startRouter(undefined, { RATE_LIMIT_GLOBAL: '3', RATE_LIMIT_PER_CLIENT: '0' });
    for (let attempt = 0; attempt < 5; attempt++) {
      const badToken = await graphql(shared.url, '{ customers(first: 1) { totalCount } }', undefined, { authorization: 'Bearer not-a-token' });
      assert.equal(badToken.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      const anonymous = await graphql(shared.url, '{ customers(first: 1) { totalCount } }', undefined, { authorization: '' });
      assert.equal(anonymous.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    }
    const codes = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      codes.push((await graphql(shared.url, '{ customers(first: 1) { totalCount } }')).body.errors?.[0]?.extensions?.code ?? 'ok');
    }
    assert.deepEqual(codes, ['ok', 'ok', 'ok', 'RATE_LIMITED']);
  });
});

describe('errors from subgraphs in production', () => {
  it('reach clients as SUBGRAPH_UNAVAILABLE, without the subgraph’s URL or body, over HTTP and in subscription events', async () => {
    // Only orders gets the internal header: customers refuses the router with 401.
    const production = await hub.startRouter(undefined, { NODE_ENV: 'production', INTERNAL_TOKEN_SUBGRAPHS: 'orders' });
    const read = await graphql(production.url, '{ customers(first: 1) { totalCount } }');
    const [error] = read.body.errors ?? [];
    assert.equal(error?.extensions?.code, 'SUBGRAPH_UNAVAILABLE');
    assert.equal(error?.extensions?.serviceName, 'customers');
    assert.equal(error?.extensions?.response, undefined);
    assert.doesNotMatch(JSON.stringify(read.body), /localhost|127\.0\.0\.1|http:/);

    const customerId = await newCustomer();
    const socket = socketClient(production.url, { authorization: `Bearer ${await testToken({ roles: ['admin'] })}` });
    try {
      const events = subscribe(socket.client, ORDER_EVENTS, { customerId });
      await new Promise((resolveSettled) => setTimeout(resolveSettled, 500));
      await hub.query(PLACE, { c: customerId });
      const [event] = await events.waitFor(1);
      // Order.customer is non-null: the missing customer nulls the event, and the error says why.
      assert.equal(event!.data, null);
      assert.deepEqual(
        event!.errors?.map((eventError) => eventError.extensions?.code),
        ['SUBGRAPH_UNAVAILABLE'],
      );
      assert.doesNotMatch(JSON.stringify(event), /localhost|127\.0\.0\.1|http:/);
    } finally {
      await socket.client.dispose();
    }
  });
});
