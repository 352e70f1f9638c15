import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningRouter } from '../router/server.js';
import { graphql, startTestHub, type GraphQLResponse, type TestHub } from './support/hub.js';
import { ANONYMOUS, testToken } from './support/tokens.js';

/**
 * The router's response cache, through the router: what it stores and for whom, what purges it
 * (mutations, events committed anywhere, operators), over each storage: the in-process LRU and
 * Redis (shared by replicas).
 */
const redisUrl = process.env.TEST_REDIS_URL;

async function bearer(sub: string, roles: string[] = ['admin']): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await testToken({ sub, roles })}` };
}

const cacheStatus = (response: GraphQLResponse) => response.headers.get('x-cache');

/** Repeats `read` until `done` holds for its answer (an event's purge lands asynchronously); fails after 5 s. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const CUSTOMER = 'query Customer($id: ID!) { customer(id: $id) { id name email } }';
const CUSTOMERS = '{ customers(first: 50) { totalCount edges { node { name } } } }';

const modes = [
  { name: 'in process', env: {} as Record<string, string>, skip: false as string | false },
  { name: 'in Redis', env: (redisUrl ? { REDIS_URL: redisUrl } : {}) as Record<string, string>, skip: redisUrl ? false : 'Redis does not answer (set REDIS_URL)' },
];

for (const mode of modes) {
  describe(`the response cache ${mode.name}`, { skip: mode.skip }, () => {
    let hub: TestHub;
    let alice: Record<string, string>;
    let bob: Record<string, string>;
    let customerId: string;
    const as = (headers: Record<string, string>, query: string, variables?: Record<string, unknown>) => hub.request(query, variables, headers);

    before(async () => {
      hub = await startTestHub({ env: { ...mode.env, RESPONSE_CACHE: 'true' } });
      alice = await bearer('alice');
      bob = await bearer('bob');
      if (mode.env.REDIS_URL) {
        // Replicas of earlier runs share this Redis: start from an empty cache.
        const purged = await fetch(new URL('/admin/cache/purge', hub.routerUrl), { method: 'POST', headers: { ...alice, 'content-type': 'application/json' }, body: '{"all":true}' });
        assert.equal(purged.status, 200);
      }
      const created = await as(alice, 'mutation { createCustomer(input: { name: "Ada Cached", email: "ada.cached@example.com" }) { id } }');
      customerId = created.body.data.createCustomer.id;
    });
    after(() => hub.stop());

    it('answers a repeated query from the cache, with Age and HIT, and asks no subgraph', async () => {
      const first = await as(alice, CUSTOMER, { id: customerId });
      assert.equal(cacheStatus(first), 'MISS');
      hub.statements.reset();
      const second = await as(alice, CUSTOMER, { id: customerId });
      assert.equal(cacheStatus(second), 'HIT');
      assert.deepEqual(second.body, first.body);
      assert.equal(second.headers.get('cache-control'), 'max-age=30, private');
      assert.match(second.headers.get('age') ?? '', /^\d+$/);
      assert.equal(hub.statements.count(), 0, 'a hit sends no SQL');
    });

    it('keys by the normalised operation and its variables', async () => {
      const spaced = `query Customer($id: ID!) {
        customer(id: $id) {
          # the same fields, written differently
          id
          name
          email
        }
      }`;
      assert.equal(cacheStatus(await as(alice, spaced, { id: customerId })), 'HIT');
      const other = await as(alice, CUSTOMER, { id: '00000000-0000-4000-8000-000000000000' });
      assert.notEqual(cacheStatus(other), 'HIT');
    });

    it('never serves one principal’s private answer to another', async () => {
      assert.equal(cacheStatus(await as(alice, CUSTOMER, { id: customerId })), 'HIT');
      assert.equal(cacheStatus(await as(bob, CUSTOMER, { id: customerId })), 'MISS');
      assert.equal(cacheStatus(await as(bob, CUSTOMER, { id: customerId })), 'HIT');
      // Without credentials nothing private is read, let alone cached.
      const anonymous = await hub.request(CUSTOMER, { id: customerId }, ANONYMOUS);
      assert.equal(anonymous.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    });

    it('serves a cached answer only to a request that passes the router’s checks', async () => {
      assert.equal(cacheStatus(await as(alice, CUSTOMER, { id: customerId })), 'HIT');
      // The same subject with a role that may not read customers: same cache key, no answer.
      const demoted = await as(await bearer('alice', ['sap_integration']), CUSTOMER, { id: customerId });
      assert.equal(demoted.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
      assert.equal(demoted.body.data ?? null, null);
      const forged = await as({ authorization: 'Bearer not-a-token' }, CUSTOMER, { id: customerId });
      assert.equal(forged.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    });

    it('shares public answers between callers', async () => {
      const query = '{ customerGroups { code name } }';
      const first = await as(alice, query);
      assert.equal(first.headers.get('cache-control'), 'max-age=3600, public');
      const byBob = await as(bob, query);
      const anonymous = await hub.request(query, undefined, ANONYMOUS);
      assert.equal(cacheStatus(byBob), 'HIT');
      assert.equal(cacheStatus(anonymous), 'HIT');
      assert.deepEqual(anonymous.body, first.body);
    });

    it('purges the entities a mutation through the router returned', async () => {
      await as(alice, CUSTOMER, { id: customerId });
      assert.equal(cacheStatus(await as(alice, CUSTOMER, { id: customerId })), 'HIT');
      await as(bob, `mutation { updateCustomer(id: "${customerId}", input: { name: "Ada Renamed" }) { id } }`);
      const after = await as(alice, CUSTOMER, { id: customerId });
      assert.equal(cacheStatus(after), 'MISS');
      assert.equal(after.body.data.customer.name, 'Ada Renamed');
    });

    it('purges an entity when an event says it changed, whoever changed it', async () => {
      await as(alice, CUSTOMER, { id: customerId });
      assert.equal(cacheStatus(await as(alice, CUSTOMER, { id: customerId })), 'HIT');
      // Another router, without a cache, makes the change: only the event can tell this one.
      const other = await hub.startRouter({}, { RESPONSE_CACHE: 'false' });
      await graphql(other.url, `mutation { updateCustomer(id: "${customerId}", input: { name: "Ada Elsewhere" }) { id } }`, undefined, alice);
      const fresh = await eventually(
        () => as(alice, CUSTOMER, { id: customerId }),
        (response) => response.body.data.customer.name === 'Ada Elsewhere',
      );
      assert.equal(fresh.body.data.customer.name, 'Ada Elsewhere');
    });

    it('shares entries between replicas on Redis, and purges every replica’s copy', async () => {
      const replica = await hub.startRouter({}, { RESPONSE_CACHE: 'true' });
      const onReplica = () => graphql(replica.url, CUSTOMER, { id: customerId }, alice);
      await as(alice, CUSTOMER, { id: customerId });
      const first = await onReplica();
      assert.equal(cacheStatus(first), mode.env.REDIS_URL ? 'HIT' : 'MISS');
      assert.equal(cacheStatus(await onReplica()), 'HIT');
      await as(alice, `mutation { updateCustomer(id: "${customerId}", input: { name: "Ada Replicated" }) { id } }`);
      const fresh = await eventually(onReplica, (response) => response.body.data.customer.name === 'Ada Replicated');
      assert.equal(fresh.body.data.customer.name, 'Ada Replicated');
    });

    it('purges the cached lists of a type when one of that type is created', async () => {
      const before = await as(alice, CUSTOMERS);
      assert.equal(cacheStatus(await as(alice, CUSTOMERS)), 'HIT');
      const other = await hub.startRouter({}, { RESPONSE_CACHE: 'false' });
      await graphql(other.url, 'mutation { createCustomer(input: { name: "Listed Later", email: "listed.later@example.com" }) { id } }', undefined, alice);
      const fresh = await eventually(
        () => as(alice, CUSTOMERS),
        (response) => response.body.data.customers.totalCount === before.body.data.customers.totalCount + 1,
      );
      assert.equal(fresh.body.data.customers.totalCount, before.body.data.customers.totalCount + 1);
      assert.ok(fresh.body.data.customers.edges.some((edge: { node: { name: string } }) => edge.node.name === 'Listed Later'));
    });

    it('purges a customer’s cached orders when an order is placed for them', async () => {
      const query = 'query Orders($id: ID!) { customer(id: $id) { orders { totalCount } } }';
      assert.equal((await as(alice, query, { id: customerId })).body.data.customer.orders.totalCount, 0);
      assert.equal(cacheStatus(await as(alice, query, { id: customerId })), 'HIT');
      await as(bob, `mutation { placeOrder(input: { customerId: "${customerId}", currency: "EUR", lines: [{ sku: "SKU-1", quantity: 1, unitPrice: "5.00" }] }) { id } }`);
      const fresh = await eventually(
        () => as(alice, query, { id: customerId }),
        (response) => response.body.data.customer.orders.totalCount === 1,
      );
      assert.equal(fresh.body.data.customer.orders.totalCount, 1);
    });

    it('does not cache mutations or answers with errors', async () => {
      const failing = '{ customers(first: 1000) { totalCount } }';
      await as(alice, failing);
      const again = await as(alice, failing);
      assert.notEqual(cacheStatus(again), 'HIT');
      assert.equal(again.headers.get('cache-control'), 'no-store');
      assert.ok(again.body.errors?.length);
    });

    it('lets an admin purge by entity, by type or everything, and no one else', async () => {
      const purge = (headers: Record<string, string>, body: unknown) =>
        fetch(new URL('/admin/cache/purge', hub.routerUrl), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await as(alice, CUSTOMER, { id: customerId });
      assert.equal(cacheStatus(await as(alice, CUSTOMER, { id: customerId })), 'HIT');

      const readonly = await purge(await bearer('reader', ['readonly']), { all: true });
      assert.equal(readonly.status, 403);
      assert.equal(((await readonly.json()) as any).errors[0].extensions.code, 'FORBIDDEN');
      assert.equal((await purge({}, { all: true })).status, 401, 'no credentials');
      const bad = await purge(alice, { id: customerId });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as any).errors[0].extensions.code, 'BAD_USER_INPUT');
      assert.equal(cacheStatus(await as(alice, CUSTOMER, { id: customerId })), 'HIT');

      const byEntity = await purge(alice, { type: 'Customer', id: customerId });
      assert.equal(byEntity.status, 200);
      assert.ok(((await byEntity.json()) as any).purged >= 1);
      assert.equal(cacheStatus(await as(alice, CUSTOMER, { id: customerId })), 'MISS');

      assert.equal((await purge(alice, { type: 'Customer' })).status, 200);
      assert.equal(cacheStatus(await as(alice, CUSTOMER, { id: customerId })), 'MISS');
      assert.equal((await purge(alice, { all: true })).status, 200);
      assert.equal(cacheStatus(await as(alice, CUSTOMER, { id: customerId })), 'MISS');
    });
  });
}

describe('the response cache and rate limits', () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub({ env: { RESPONSE_CACHE: 'true', RATE_LIMIT_PER_CLIENT: '3' } });
  });
  after(() => hub.stop());

  it('counts a cached answer against the caller’s limit once, like any other request', async () => {
    const headers = await bearer('counted');
    const query = '{ customerGroups { code } }';
    assert.equal(cacheStatus(await hub.request(query, undefined, headers)), 'MISS');
    assert.equal(cacheStatus(await hub.request(query, undefined, headers)), 'HIT');
    assert.equal(cacheStatus(await hub.request(query, undefined, headers)), 'HIT');
    const limited = await hub.request(query, undefined, headers);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  });
});

describe('the response cache when Redis is away', () => {
  let hub: TestHub;
  let router: RunningRouter;

  before(async () => {
    hub = await startTestHub();
    // Nothing listens on port 1.
    router = await hub.startRouter({}, { RESPONSE_CACHE: 'true', REDIS_URL: 'redis://127.0.0.1:1', RESPONSE_CACHE_TIMEOUT_MS: '50' });
  });
  after(() => hub.stop());

  it('serves every request without the cache, and counts the bypasses', async () => {
    const headers = await bearer('alice');
    for (let i = 0; i < 3; i += 1) {
      const response = await graphql(router.url, '{ customerGroups { code } }', undefined, headers);
      assert.equal(response.status, 200);
      assert.ok(response.body.data.customerGroups.length > 0);
      assert.equal(cacheStatus(response), 'BYPASS');
    }
    assert.ok((router.cacheCounters()?.bypasses ?? 0) >= 3);
    assert.equal(router.cacheCounters()?.hits, 0);
  });
});
