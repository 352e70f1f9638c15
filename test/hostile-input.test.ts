import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CASE_CEILING_MS, hostileCases, HOSTILE_ROUTER_ENV, pollHealth, problemsOf, runCase } from './support/hostile-cases.js';
import { startTestHub, TEST_INTERNAL_SECRET, type TestHub } from './support/hub.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';
import { TEST_JWT_SECRET } from './support/tokens.js';

/**
 * Hostile input, each case answered with a clear error (or close code) in time while /health
 * keeps answering. The router runs as its own process: a case that blocked an in-process
 * router's event loop would block the test's timers and its /health polls with it, and prove
 * nothing. A router that stops answering is replaced before the next case.
 */
let hub: TestHub;
let router: ServiceProcess;
let routerUrl: string;

async function startRouter(): Promise<void> {
  router = spawnService('router/index.ts', {
    JWT_SECRET: TEST_JWT_SECRET,
    INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    DATABASE_URL: hub.database.url,
    RATE_LIMIT_PER_CLIENT: '0',
    SUBGRAPH_CUSTOMERS_URL: hub.customersUrl,
    SUBGRAPH_ORDERS_URL: hub.ordersUrl,
    SUBGRAPH_ACCESS_URL: hub.accessUrl,
    ...HOSTILE_ROUTER_ENV,
  });
  routerUrl = String((await router.logLine('router listening')).url);
}

/** Replaces the router if it no longer answers /health (a case left it busy or killed it). */
async function keepRouterAnswering(): Promise<void> {
  if ('latencyMs' in (await pollHealth(routerUrl))) return;
  await router.kill();
  await startRouter();
}

before(
  async () => {
    hub = await startTestHub();
    await startRouter();
  },
  { timeout: 120_000 },
);
after(async () => {
  await router?.kill();
  await hub?.stop();
});

describe('hostile input', () => {
  for (const hostile of hostileCases()) {
    it(`answers ${hostile.name} with ${hostile.expected.description} while /health answers`, { timeout: CASE_CEILING_MS + 30_000 }, async () => {
      const run = await runCase(hostile, routerUrl, { ceilingMs: CASE_CEILING_MS, pollMs: 50 });
      await keepRouterAnswering();

      // Answered as expected (never a 5xx or a stack trace), /health answered every poll, within the ceiling.
      assert.deepEqual(problemsOf(hostile, run), []);
    });
  }
});
