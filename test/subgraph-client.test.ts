import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { graphql, startTestHub, type TestHub } from './support/hub.js';
import { countingProxy } from './support/proxy.js';
import { testToken } from './support/tokens.js';

/** Counted, not timed: how many requests reach a subgraph for concurrent client operations. */
let hub: TestHub;

before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

describe('identical subgraph reads in flight at the same time', () => {
  it('are sent once and answered to every client', async () => {
    // The proxy holds each answer, so that all twenty operations overlap.
    const proxy = await countingProxy(hub.customersUrl, { delayMs: 200 });
    const router = await hub.startRouter({ customers: proxy.url });
    try {
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => graphql(router.url, '{ customers(first: 1) { totalCount } }', undefined, { 'x-request-id': `same-${i}` })),
      );
      assert.ok(responses.every((response) => response.body.data?.customers.totalCount === 0));
      assert.equal(proxy.requests(), 1);
      assert.deepEqual(router.subgraphRequests(), { sent: 1, shared: 19 });
    } finally {
      await proxy.close();
    }
  });

  it('are not shared between callers whose forwarded headers differ', async () => {
    const proxy = await countingProxy(hub.customersUrl, { delayMs: 200 });
    const router = await hub.startRouter({ customers: proxy.url });
    try {
      const tokens = await Promise.all(Array.from({ length: 4 }, (_, i) => testToken({ sub: `user-${i}`, roles: ['readonly'] })));
      await Promise.all(
        Array.from({ length: 8 }, (_, i) => graphql(router.url, '{ customers(first: 1) { totalCount } }', undefined, { authorization: `Bearer ${tokens[i % 4]}` })),
      );
      assert.equal(proxy.requests(), 4, 'one per distinct Authorization header');
    } finally {
      await proxy.close();
    }
  });

  it('do not carry the client’s credentials to the subgraph unless FORWARD_HEADERS lists them', async () => {
    const proxy = await countingProxy(hub.customersUrl);
    const token = await testToken({ sub: 'forwarding', roles: ['readonly'] });
    const headers = { authorization: `Bearer ${token}`, 'accept-language': 'de' };
    const byDefault = await hub.startRouter({ customers: proxy.url });
    const listed = await hub.startRouter({ customers: proxy.url }, { FORWARD_HEADERS: 'authorization,accept-language' });
    try {
      const first = await graphql(byDefault.url, '{ customers(first: 2) { totalCount } }', undefined, headers);
      assert.equal(first.body.data?.customers.totalCount, 0);
      assert.equal(proxy.lastHeaders()?.authorization, undefined);
      assert.equal(proxy.lastHeaders()?.['accept-language'], 'de');
      assert.ok(proxy.lastHeaders()?.['x-interchange-identity'], 'the verified caller goes in the internal header');

      const second = await graphql(listed.url, '{ customers(first: 3) { totalCount } }', undefined, headers);
      assert.equal(second.body.data?.customers.totalCount, 0);
      assert.equal(proxy.lastHeaders()?.authorization, `Bearer ${token}`);
    } finally {
      await proxy.close();
    }
  });

  it('never applies to mutations', async () => {
    const proxy = await countingProxy(hub.ordersUrl, { delayMs: 200 });
    const router = await hub.startRouter({ orders: proxy.url });
    try {
      const mutation = 'mutation { cancelOrder(id: "00000000-0000-4000-8000-000000000000") { id } }';
      const responses = await Promise.all([graphql(router.url, mutation), graphql(router.url, mutation)]);
      assert.ok(responses.every((response) => response.body.errors?.[0]?.extensions?.code === 'NOT_FOUND'));
      assert.equal(proxy.requests(), 2);
    } finally {
      await proxy.close();
    }
  });
});

describe('the connection pool to a subgraph', () => {
  it('reuses one keep-alive connection for sequential calls and opens at most SUBGRAPH_CONNECTIONS', async () => {
    const proxy = await countingProxy(hub.customersUrl, { delayMs: 50 });
    const router = await hub.startRouter({ customers: proxy.url }, { SUBGRAPH_CONNECTIONS: '2' });
    try {
      for (let i = 0; i < 5; i++) await graphql(router.url, 'query ($n: Int) { customers(first: $n) { totalCount } }', { n: i });
      assert.equal(proxy.connections(), 1, 'sequential calls share one connection');
      // Distinct variables, so that nothing is shared in flight: ten calls over two connections.
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => graphql(router.url, 'query ($n: Int) { customers(first: $n) { totalCount } }', { n: 10 + i })),
      );
      assert.ok(responses.every((response) => response.body.data?.customers.totalCount === 0));
      assert.equal(proxy.requests(), 15);
      assert.ok(proxy.connections() <= 2, `connections: ${proxy.connections()}`);
    } finally {
      await proxy.close();
    }
  });
});
