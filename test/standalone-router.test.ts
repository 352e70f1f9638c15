import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningSubgraph } from '../infra/graphql/subgraph-server.js';
import { fromRoot } from '../infra/paths.js';
import { composeSupergraph, type SubgraphEntry } from '../scripts/compose.js';
import { INVENTORY_SDL, startInventorySubgraph, type InventoryData } from './fixtures/inventory-subgraph.js';
import { graphql, startTestHub, TEST_INTERNAL_SECRET, type TestHub } from './support/hub.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';
import { asRole, TEST_JWT_SECRET } from './support/tokens.js';

/**
 * The router as a user runs it on a supergraph of their own: a separate process, started with
 * `node --import tsx router/index.ts`, configured only by its environment.
 */

/** Nothing listens on the discard port, so a request that used these URLs would fail. */
const WRONG_URL = 'http://127.0.0.1:9/graphql';
describe('the router run standalone on a supergraph of our own', () => {
  let hub: TestHub;
  let inventory: RunningSubgraph;
  let router: ServiceProcess;
  let routerUrl: string;
  let listening: Record<string, unknown>;
  let dir: string;
  let supergraphPath: string;
  const inventoryData: InventoryData = {
    warehouses: [
      { code: 'AMS', city: 'Amsterdam' },
      { code: 'LYS', city: 'Lyon' },
    ],
    shipments: new Map(),
  };

  before(
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'interchange-standalone-router-'));
      hub = await startTestHub();
      inventory = await startInventorySubgraph(inventoryData);

      const subgraphs: SubgraphEntry[] = [
        { name: 'customers', url: WRONG_URL, schema: fromRoot('schema/customers.graphql') },
        { name: 'orders', url: WRONG_URL, schema: fromRoot('schema/orders.graphql') },
        { name: 'inventory', url: WRONG_URL, schema: INVENTORY_SDL },
      ];
      const configPath = join(dir, 'subgraphs.json');
      writeFileSync(configPath, JSON.stringify({ subgraphs }, null, 2));
      supergraphPath = join(dir, 'supergraph.graphql');
      writeFileSync(supergraphPath, composeSupergraph(configPath));

      router = spawnService('router/index.ts', {
        SUPERGRAPH_PATH: supergraphPath,
        JWT_SECRET: TEST_JWT_SECRET,
        INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
        SUBGRAPH_CUSTOMERS_URL: hub.customersUrl,
        SUBGRAPH_ORDERS_URL: hub.ordersUrl,
        SUBGRAPH_INVENTORY_URL: inventory.url,
      });
      listening = await router.logLine('router listening');
      routerUrl = String(listening.url);
    },
    { timeout: 90_000 },
  );

  after(async () => {
    await router?.kill();
    await inventory?.stop(1_000);
    await hub?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('composes a supergraph whose own URLs all point nowhere', () => {
    const sdl = readFileSync(supergraphPath, 'utf8');
    for (const name of ['customers', 'orders', 'inventory']) {
      assert.match(sdl, new RegExp(`join__graph\\(name: "${name}", url: "${WRONG_URL}"\\)`));
    }
  });

  it('binds the port it was given (0 picks a free one) and logs the URL and the overridden subgraph URLs', () => {
    assert.match(routerUrl, /^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    assert.notEqual(new URL(routerUrl).port, '0');
    assert.deepEqual(listening.subgraphs, { customers: hub.customersUrl, orders: hub.ordersUrl, inventory: inventory.url });
  });

  it('serves a query that spans a subgraph the hub does not ship', async () => {
    const { createCustomer: customer } = await hub.query(
      'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }',
      { input: { name: 'Grace Hopper', email: 'grace@example.com' } },
    );
    const { placeOrder: order } = await hub.query(
      'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id number } }',
      { input: { customerId: customer.id, currency: 'EUR', lines: [{ sku: 'COBOL-1', quantity: 2, unitPrice: '12.50' }] } },
    );
    inventoryData.shipments.set(order.id, { warehouse: 'LYS', days: 2 });

    const response = await graphql(
      routerUrl,
      `query ($id: ID!, $customerId: ID!) {
        order(id: $id) { number customer { name } shippingEstimateDays warehouse { city } }
        customer(id: $customerId) { orders { edges { node { id shippingEstimateDays } } } }
        warehouses { code city }
      }`,
      { id: order.id, customerId: customer.id },
    );

    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      data: {
        order: { number: order.number, customer: { name: 'Grace Hopper' }, shippingEstimateDays: 2, warehouse: { city: 'Lyon' } },
        customer: { orders: { edges: [{ node: { id: order.id, shippingEstimateDays: 2 } }] } },
        warehouses: inventoryData.warehouses,
      },
    });
  });

  it('reports itself ready on /ready, listing the three subgraphs at their overridden URLs', async () => {
    const response = await fetch(new URL('/ready', routerUrl), { headers: await asRole('admin') });
    const body = (await response.json()) as { status: string; subgraphs: { name: string; url: string; ready: boolean; latencyMs: number }[] };

    assert.equal(response.status, 200);
    assert.equal(body.status, 'ready');
    assert.ok(body.subgraphs.every((subgraph) => subgraph.latencyMs >= 0), 'each answer timed');
    assert.deepEqual(
      [...body.subgraphs].sort((a, b) => a.name.localeCompare(b.name)).map(({ latencyMs: _latency, ...subgraph }) => subgraph),
      [
        { name: 'customers', url: hub.customersUrl, ready: true, circuit: 'closed', circuitFailures: 0 },
        { name: 'inventory', url: inventory.url, ready: true, circuit: 'closed', circuitFailures: 0 },
        { name: 'orders', url: hub.ordersUrl, ready: true, circuit: 'closed', circuitFailures: 0 },
      ],
    );
  });

  it('stops on SIGTERM and exits with code 0', async () => {
    router.signal('SIGTERM');
    const exit = await router.exited();

    assert.deepEqual(exit, { code: 0, signal: null });
    assert.match(router.stdout(), /"msg":"stopped"/);
  });

  it('exits with code 1 and names SUPERGRAPH_PATH when no file is there', async () => {
    const missing = join(dir, 'no-such-supergraph.graphql');
    const failed = spawnService('router/index.ts', { SUPERGRAPH_PATH: missing });
    try {
      const exit = await failed.exited();

      assert.deepEqual(exit, { code: 1, signal: null });
      assert.match(failed.stderr(), /SUPERGRAPH_PATH/);
      assert.ok(failed.stderr().includes(missing), `stderr names the path: ${failed.stderr()}`);
      assert.doesNotMatch(failed.stdout(), /router listening/);
    } finally {
      await failed.kill();
    }
  });

  it('exits with code 1 and names the variable when a subgraph URL override is malformed', async () => {
    const failed = spawnService('router/index.ts', { SUPERGRAPH_PATH: supergraphPath, SUBGRAPH_INVENTORY_URL: 'not-a-url' });
    try {
      const exit = await failed.exited();

      assert.deepEqual(exit, { code: 1, signal: null });
      assert.match(failed.stderr(), /SUBGRAPH_INVENTORY_URL="not-a-url"/);
      assert.doesNotMatch(failed.stdout(), /router listening/);
    } finally {
      await failed.kill();
    }
  });
});
