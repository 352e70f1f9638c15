import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { REDIS_EVENTS_CHANNEL } from '../infra/events/redis-wake-source.js';
import { startTestHub } from './support/hub.js';
import { SUBGRAPHS } from '../subgraphs/index.js';
import { subscribe, wsClient } from './support/ws.js';

/**
 * Two full sets of replicas (subgraphs and router) over one database: a change made through
 * one reaches a subscriber on the other, woken by PostgreSQL NOTIFY or, with REDIS_URL, by Redis.
 */
const redisUrl = process.env.TEST_REDIS_URL;

const modes = [
  { name: 'PostgreSQL LISTEN/NOTIFY', env: {} as Record<string, string>, skip: false as string | false },
  { name: 'Redis pub/sub', env: (redisUrl ? { REDIS_URL: redisUrl } : {}) as Record<string, string>, skip: redisUrl ? false : 'Redis does not answer (set REDIS_URL)' },
];

for (const mode of modes) {
  describe(`replicas woken by ${mode.name}`, { skip: mode.skip }, () => {
    it('delivers a change made through router A to a subscriber on router B, once and in order', async () => {
      const a = await startTestHub({ env: mode.env });
      const b = await startTestHub({ env: mode.env, database: a.database });
      const client = wsClient(b.routerUrl);
      const doorbells = redisUrl ? new Redis(redisUrl) : undefined;
      let rings = 0;
      if (doorbells) {
        doorbells.on('message', () => (rings += 1));
        await doorbells.subscribe(REDIS_EVENTS_CHANNEL);
      }
      try {
        const { createCustomer } = await a.query('mutation { createCustomer(input: { name: "Replicated", email: "replica@example.com" }) { id } }');
        const events = subscribe(client, 'subscription ($c: ID) { customerEvents(customerId: $c) { id type data customer { tier } } }', { c: createCustomer.id });
        await new Promise((resolve) => setTimeout(resolve, 500));
        for (const tier of ['PREMIUM', 'PLATINUM', 'STANDARD']) {
          await a.query('mutation ($id: ID!, $t: CustomerTier!) { updateCustomer(id: $id, input: { tier: $t }) { id } }', { id: createCustomer.id, t: tier });
        }
        const received = await events.waitFor(3, 5_000);
        assert.deepEqual(received.map((result) => result.data!.customerEvents.customer.tier), ['PREMIUM', 'PLATINUM', 'STANDARD']);
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        assert.equal(events.results.length, 3, 'no duplicates, also after the relay’s periodic read');

        // Which doorbell rang: Redis publishes per commit, or a LISTEN connection per subgraph process.
        const listeners = new pg.Client({ connectionString: a.database.url });
        await listeners.connect();
        const { rows } = await listeners.query(`select count(*)::int as n from pg_stat_activity where application_name = 'interchange-event-relay' and datname = current_database()`);
        await listeners.end();
        if (mode.env.REDIS_URL) {
          assert.ok(rings >= 4, `Redis wake-ups: ${rings}`);
          assert.equal(rows[0].n, 0);
        } else {
          assert.equal(rows[0].n, 2 * (SUBGRAPHS.length + 1), 'every subgraph and the router (its event follower) in each of two hubs');
        }
      } finally {
        doorbells?.disconnect();
        await client.dispose();
        await b.stop();
        await a.stop();
      }
    });
  });
}
