import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase } from '../infra/db/database.js';
import { startEmbeddedPostgres } from '../infra/db/embedded-postgres.js';
import { migrateToLatest } from '../infra/db/migrate.js';
import { createLogger } from '../infra/logger.js';
import { customersMigrations } from '../subgraphs/customers/migrations/index.js';
import { ordersMigrations } from '../subgraphs/orders/migrations/index.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

const logger = createLogger('test', 'silent');
let database: TestDatabase;

before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database?.drop();
});

describe('migrations', () => {
  it('are applied once when several processes start at the same time', async () => {
    const pools = Array.from({ length: 4 }, (_, i) =>
      createDatabase({ url: database.url, poolMax: 2, connectTimeoutMs: 5_000, schema: i % 2 ? 'orders' : 'customers', logger }),
    );
    try {
      await Promise.all(pools.map((pool, i) => migrateToLatest(pool.db, i % 2 ? 'orders' : 'customers', i % 2 ? ordersMigrations : customersMigrations, logger)));
    } finally {
      await Promise.all(pools.map((pool) => pool.close()));
    }
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const applied = await client.query(`select 'customers' as schema, name from customers.kysely_migration union all select 'orders', name from orders.kysely_migration order by 1, 2`);
      // Each migration of each schema exactly once.
      assert.deepEqual(applied.rows, [
        ...Object.keys(customersMigrations).map((name) => ({ schema: 'customers', name })),
        ...Object.keys(ordersMigrations).map((name) => ({ schema: 'orders', name })),
      ]);
      const groups = await client.query('select count(*)::int as n from customers.customer_groups');
      assert.equal(groups.rows[0].n, 4, 'seed rows are inserted once');
    } finally {
      await client.end();
    }
  });

  it('keeps each subgraph’s tables in its own PostgreSQL schema', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const tables = await client.query(
        `select table_schema || '.' || table_name as name from information_schema.tables where table_schema in ('public', 'customers', 'orders') and table_name not like 'kysely_%' order by 1`,
      );
      assert.deepEqual(tables.rows.map((row) => row.name), [
        'customers.customer_groups',
        'customers.customers',
        'customers.idempotency_keys',
        'orders.idempotency_keys',
        'orders.order_lines',
        'orders.orders',
      ]);
      const crossReferences = await client.query(
        `select conname from pg_constraint c join pg_namespace n on n.oid = c.connamespace join pg_class t on t.oid = c.confrelid join pg_namespace tn on tn.oid = t.relnamespace where c.contype = 'f' and n.nspname <> tn.nspname`,
      );
      assert.deepEqual(crossReferences.rows, [], 'no foreign key crosses domains');
    } finally {
      await client.end();
    }
  });
});

describe('the connection pool', () => {
  it('reports its size, idle and waiting connections', async () => {
    const pool = createDatabase({ url: database.url, poolMax: 2, connectTimeoutMs: 5_000, schema: 'customers', logger });
    try {
      assert.deepEqual(pool.poolStats(), { total: 0, idle: 0, waiting: 0, max: 2 });
      await Promise.all([pool.ping(), pool.ping(), pool.ping()]);
      const stats = pool.poolStats();
      assert.equal(stats.total, 2);
      assert.equal(stats.idle, 2);
      assert.equal(stats.waiting, 0);
    } finally {
      await pool.close();
    }
  });
});

describe('embedded PostgreSQL (what `npm start` runs without DATABASE_URL)', () => {
  it('starts real PostgreSQL and keeps its data across restarts', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'interchange-embedded-'));
    try {
      const first = await startEmbeddedPostgres({ dataDir, logger });
      const write = new pg.Client({ connectionString: first.url });
      await write.connect();
      await write.query('create table kept (value text)');
      await write.query(`insert into kept values ('still here')`);
      await write.end();
      await first.stop();

      const second = await startEmbeddedPostgres({ dataDir, logger });
      const read = new pg.Client({ connectionString: second.url });
      await read.connect();
      const { rows } = await read.query('select value from kept');
      await read.end();
      await second.stop();
      assert.deepEqual(rows, [{ value: 'still here' }]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('prepared reads', () => {
  it('prepares a SELECT once per connection and text, never one whose text grows with an IN list', async () => {
    const pool = createDatabase<Record<string, never>>({ url: database.url, poolMax: 1, connectTimeoutMs: 5_000, schema: 'public', logger });
    try {
      const prepared = await pool.db.connection().execute(async (connection) => {
        for (const n of [1, 2, 3]) {
          const { rows } = await sql<{ n: number }>`select ${n}::int + 1 as n`.execute(connection);
          assert.equal(rows[0]!.n, n + 1);
        }
        await sql`select 1 where 1 in (${1}, ${2})`.execute(connection);
        const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements where ${true}`.execute(connection);
        return rows.map((row) => row.statement);
      });
      assert.equal(prepared.filter((statement) => statement.includes('::int + 1')).length, 1);
      assert.equal(prepared.filter((statement) => / in \(/.test(statement)).length, 0);
    } finally {
      await pool.close();
    }
  });
});
