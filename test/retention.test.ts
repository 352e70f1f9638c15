import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { eventually } from './support/eventually.js';
import { startTestHub, type TestHub } from './support/hub.js';

/**
 * Retention on the real path: each domain that keeps idempotency keys removes those older than
 * IDEMPOTENCY_RETENTION_DAYS when it starts (and hourly), and keeps the younger ones.
 */

let hub: TestHub;
let db: pg.Client;

before(async () => {
  hub = await startTestHub({ env: { IDEMPOTENCY_RETENTION_DAYS: '2' } });
  db = new pg.Client({ connectionString: hub.database.url });
  await db.connect();
});

after(async () => {
  await db?.end();
  await hub?.stop();
});

async function keys(schema: string): Promise<string[]> {
  const { rows } = await db.query<{ key: string }>(`select key from ${schema}.idempotency_keys order by key`);
  return rows.map((row) => row.key);
}

describe('idempotency key retention', () => {
  for (const schema of ['customers', 'orders'] as const) {
    it(`removes the ${schema} keys older than IDEMPOTENCY_RETENTION_DAYS when the subgraph starts, and keeps the younger`, async () => {
      await db.query(
        `insert into ${schema}.idempotency_keys (key, operation, fingerprint, created_at)
         values ('old', 'op', 'f', now() - interval '3 days'), ('young', 'op', 'f', now() - interval '1 day')`,
      );
      await hub.restartSubgraph(schema);
      assert.deepEqual(await eventually(() => keys(schema), (found) => !found.includes('old'), `the old ${schema} key to be removed`), ['young']);
    });
  }
});
