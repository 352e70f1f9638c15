import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { CacheStore, CachedResponse } from '../router/cache/cache-store.js';
import { MemoryCacheStore } from '../router/cache/memory-cache-store.js';
import { RedisCacheStore } from '../router/cache/redis-cache-store.js';

/**
 * One suite over both implementations of the response cache's storage: the in-process LRU and
 * Redis (on the test Redis, under a prefix of its own).
 */
const redisUrl = process.env.TEST_REDIS_URL;

const stores: { name: string; skip: string | false; create(): CacheStore }[] = [
  { name: 'the in-process LRU', skip: false, create: () => new MemoryCacheStore(1_000) },
  {
    name: 'Redis',
    skip: redisUrl ? false : 'Redis does not answer (set REDIS_URL)',
    create: () => new RedisCacheStore(redisUrl!, { timeoutMs: 1_000, prefix: `interchange-test:${randomBytes(4).toString('hex')}:` }),
  },
];

const entry = (body: string): CachedResponse => ({ body: Buffer.from(body), storedAt: Date.now(), maxAge: 30, scope: 'PUBLIC' });

for (const kind of stores) {
  describe(`the response cache stored in ${kind.name}`, { skip: kind.skip }, () => {
    let store: CacheStore;
    before(async () => {
      store = kind.create();
      if (store instanceof RedisCacheStore) assert.equal(await store.connect(), true);
    });
    after(() => store.close());

    it('returns what was stored, with its age and policy, and null for keys it does not hold', async () => {
      const { sequence } = await store.lookup(['a']);
      const stored = entry('{"data":{"a":1}}\n');
      assert.equal(await store.store('a', stored, ['Order:100'], 60, sequence), true);
      const { entries } = await store.lookup(['a', 'missing']);
      assert.deepEqual(entries, [stored, null]);
    });

    it('purges every entry that carries a tag, and only those', async () => {
      const { sequence } = await store.lookup([]);
      await store.store('order-1', entry('one'), ['Order:1', 'list:Order'], 60, sequence);
      await store.store('order-2', entry('two'), ['Order:2'], 60, sequence);
      await store.store('customer-1', entry('three'), ['Customer:1'], 60, sequence);
      assert.equal(await store.purge(['Order:1']), 1);
      assert.deepEqual(
        (await store.lookup(['order-1', 'order-2', 'customer-1'])).entries.map((found) => found?.body.toString() ?? null),
        [null, 'two', 'three'],
      );
      await store.store('orders', entry('list'), ['list:Order', 'Order:2'], 60, (await store.lookup([])).sequence);
      assert.equal(await store.purge(['list:Order']), 1);
      assert.equal((await store.lookup(['orders'])).entries[0], null);
    });

    it('refuses to store a response computed before a purge of one of its tags', async () => {
      const { sequence } = await store.lookup(['late']);
      // A change commits and its purge runs while this response is still being computed.
      await store.purge(['Order:7']);
      assert.equal(await store.store('late', entry('old'), ['Order:7'], 60, sequence), false);
      assert.equal((await store.lookup(['late'])).entries[0], null);
      // Unrelated tags are not held back by that purge.
      assert.equal(await store.store('unrelated', entry('fine'), ['Order:8'], 60, sequence), true);
    });

    it('purges everything, and refuses stores that began before', async () => {
      const { sequence } = await store.lookup([]);
      await store.store('x', entry('x'), ['T:1'], 60, sequence);
      await store.store('y', entry('y'), [], 60, sequence);
      assert.ok((await store.purge('all')) >= 2);
      assert.deepEqual((await store.lookup(['x', 'y'])).entries, [null, null]);
      assert.equal(await store.store('z', entry('z'), [], 60, sequence), false);
      assert.equal(await store.store('z', entry('z'), [], 60, (await store.lookup([])).sequence), true);
    });
  });
}

describe('the response cache stored in Redis, when Redis does not answer', () => {
  it('fails each call at once instead of queueing it', async () => {
    // Nothing listens on port 1: every call must reject rather than wait for a connection.
    const store = new RedisCacheStore('redis://127.0.0.1:1', { timeoutMs: 100 });
    try {
      assert.equal(await store.connect(), false);
      await assert.rejects(store.lookup(['a']));
      await assert.rejects(store.store('a', entry('a'), [], 60, 0));
      await assert.rejects(store.purge(['T:1']));
    } finally {
      await store.close();
    }
  });
});
