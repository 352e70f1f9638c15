import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../infra/config.js';
import { customersEnv } from '../subgraphs/customers/subgraph.js';
import { ordersEnv } from '../subgraphs/orders/subgraph.js';
import { routerEnv } from '../router/config.js';
import { startEmbeddedPostgres } from '../infra/db/embedded-postgres.js';
import { findFreePort } from '../infra/http/free-port.js';
import { createLogger } from '../infra/logger.js';
import { fromRoot } from '../infra/paths.js';
import * as router from '../router/server.js';
import * as customers from '../subgraphs/customers/server.js';
import * as orders from '../subgraphs/orders/server.js';
import { graphql, internalHeaders, startTestHub, TEST_INTERNAL_SECRET } from './support/hub.js';
import { createTestDatabase } from './support/postgres.js';
import { spawnService } from './support/service-process.js';
import { TEST_JWT_SECRET } from './support/tokens.js';
import { subscribe, wsClient } from './support/ws.js';

/** Faults inside the services, on a private PostgreSQL that only this test starts and stops. */
const logger = createLogger('test', 'silent');

describe('PostgreSQL outages', () => {
  it('starts before PostgreSQL and waits for it, reports an outage as retriable, and recovers without a restart', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'interchange-outage-'));
    const port = await findFreePort();
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    const config = loadConfig(customersEnv, {
      DATABASE_URL: url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DB_CONNECT_TIMEOUT_MS: '1000',
      INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    });
    // The subgraph starts first; PostgreSQL comes up a little later on the port it was told.
    const starting = customers.start(config, { logger });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    let postgres = await startEmbeddedPostgres({ dataDir, logger, port });
    const subgraph = await starting;
    try {
      // Straight to the subgraph, signed as the router would.
      const signed = await internalHeaders();
      const create = (email: string) => graphql(subgraph.url, 'mutation ($e: String!) { createCustomer(input: { name: "Outage Test", email: $e }) { id } }', { e: email }, signed);
      assert.ok((await create('before@example.com')).body.data?.createCustomer.id);

      // Reads keep coming while PostgreSQL goes away: connections die mid-use, and the process must survive.
      let reading = true;
      const readers = Array.from({ length: 8 }, async () => {
        while (reading) await graphql(subgraph.url, '{ customers(first: 1) { totalCount } }', undefined, signed);
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await postgres.stop();
      const during = await create('during@example.com');
      assert.equal(during.body.errors?.[0]?.extensions?.code, 'DEPENDENCY_UNAVAILABLE');
      assert.equal(during.body.errors?.[0]?.extensions?.retriable, true);
      const ready = await fetch(new URL('/ready', subgraph.url));
      assert.equal(ready.status, 503);

      postgres = await startEmbeddedPostgres({ dataDir, logger, port });
      reading = false;
      await Promise.all(readers);
      let after = await create('after@example.com');
      // The pool may hand out one connection that died with the old server; the next is fresh.
      if (after.body.errors) after = await create('after@example.com');
      assert.ok(after.body.data?.createCustomer.id, JSON.stringify(after.body.errors));
      const count = await graphql(subgraph.url, '{ customers(first: 0) { totalCount } }', undefined, signed);
      assert.equal(count.body.data.customers.totalCount, 2, 'nothing was half-written during the outage');
    } finally {
      await subgraph.stop(1_000);
      await postgres.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('Redis outages', () => {
  it('starts while Redis does not answer and still delivers events (by polling the store)', async () => {
    const deadPort = await findFreePort();
    const hub = await startTestHub({ env: { REDIS_URL: `redis://127.0.0.1:${deadPort}` } });
    const client = wsClient(hub.routerUrl);
    try {
      const { createCustomer } = await hub.query('mutation { createCustomer(input: { name: "No Redis", email: "noredis@example.com" }) { id } }');
      const events = subscribe(client, 'subscription ($c: ID) { customerEvents(customerId: $c, types: ["customer.updated"]) { type data } }', { c: createCustomer.id });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await hub.query('mutation ($id: ID!) { updateCustomer(id: $id, input: { tier: PREMIUM }) { id } }', { id: createCustomer.id });
      const [updated] = await events.waitFor(1, 5_000);
      assert.equal(updated!.data!.customerEvents.data.tier, 'PREMIUM');
    } finally {
      await client.dispose();
      await hub.stop();
    }
  });
});

describe('start-up order', () => {
  it('lets the router start before its subgraphs: not ready, partial answers, then ready when they come up', async () => {
    const ports = { customers: await findFreePort(), orders: await findFreePort() };
    const urls = { customers: `http://127.0.0.1:${ports.customers}/graphql`, orders: `http://127.0.0.1:${ports.orders}/graphql` };
    const env = { HOST: '127.0.0.1', LOG_LEVEL: 'silent', PORT: '0', SUBGRAPH_BREAKER_FAILURES: '1000', JWT_SECRET: TEST_JWT_SECRET, INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET };
    const started = await router.start(loadConfig(routerEnv, { ...env, SUPERGRAPH_PATH: fromRoot('schema/supergraph.graphql') }), { logger, subgraphUrls: urls });
    const database = await createTestDatabase();
    const subgraphs: { stop(timeoutMs?: number): Promise<void> }[] = [];
    try {
      const notReady = await fetch(new URL('/ready', started.url));
      assert.equal(notReady.status, 503);
      const early = await graphql(started.url, '{ customers(first: 1) { totalCount } }');
      assert.equal(early.body.errors?.[0]?.extensions?.code, 'SUBGRAPH_UNAVAILABLE');

      const subgraphEnv = { ...env, DATABASE_URL: database.url };
      subgraphs.push(await customers.start(loadConfig(customersEnv, { ...subgraphEnv, PORT: String(ports.customers) }), { logger }));
      subgraphs.push(await orders.start(loadConfig(ordersEnv, { ...subgraphEnv, PORT: String(ports.orders), CUSTOMERS_URL: urls.customers }), { logger }));

      const ready = await fetch(new URL('/ready', started.url));
      assert.equal(ready.status, 200);
      const later = await graphql(started.url, '{ customers(first: 1) { totalCount edges { node { orders { totalCount } } } } }');
      assert.equal(later.body.errors, undefined);
      assert.equal(later.body.data.customers.totalCount, 0);
    } finally {
      await started.stop(1_000);
      for (const subgraph of subgraphs) await subgraph.stop(1_000);
      await database.drop();
    }
  });
});

describe('graceful shutdown of a subgraph process', () => {
  it('exits 0 on SIGTERM while it is still waiting for PostgreSQL', async () => {
    const nobody = await findFreePort();
    const subgraph = spawnService('subgraphs/customers/index.ts', {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${nobody}/postgres`,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    });
    try {
      await subgraph.logLine('waiting for PostgreSQL');
      subgraph.signal('SIGTERM');
      assert.deepEqual(await subgraph.exited(), { code: 0, signal: null });
    } finally {
      await subgraph.kill();
    }
  });

  it('exits 0 on SIGTERM', async () => {
    const database = await createTestDatabase();
    const subgraph = spawnService('subgraphs/customers/index.ts', {
      DATABASE_URL: database.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    });
    try {
      const listening = await subgraph.logLine('subgraph listening');
      const response = await graphql(String(listening.url), '{ customers(first: 0) { totalCount } }', undefined, await internalHeaders());
      assert.equal(response.body.data.customers.totalCount, 0);
      subgraph.signal('SIGTERM');
      assert.deepEqual(await subgraph.exited(), { code: 0, signal: null });
    } finally {
      await subgraph.kill();
      await database.drop();
    }
  });
});
