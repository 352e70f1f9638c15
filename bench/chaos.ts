/**
 * `npm run chaos`: real faults against real processes under load, on loopback only, bounded in
 * time. It starts its own PostgreSQL (embedded), its own redis-server on a free port, the three
 * subgraphs and the router as separate processes, and stops or slows only those. For each fault
 * it counts requests sent, answered fully, answered partially and failed, and the time from the
 * end of the fault to the first full answer, and writes docs/resilience.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../infra/db/embedded-postgres.js';
import { findFreePort } from '../infra/http/free-port.js';
import { createLogger } from '../infra/logger.js';
import { fromRoot } from '../infra/paths.js';
import { spawnService, type ServiceProcess } from '../test/support/service-process.js';
import { asRole } from '../test/support/tokens.js';
import { routerSecurityEnv, subgraphSecurityEnv } from './bench-security.js';

const QUERY = '{ customers(first: 5) { edges { node { name orders { totalCount } } } } }';
const WORKERS = 8;
/** Every request is an admin's: the router refuses the query to anonymous callers. */
const CREDENTIALS = await asRole('admin');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Outcome = 'full' | 'partial' | 'failed';

interface Tally {
  sent: number;
  full: number;
  partial: number;
  failed: number;
  latencies: number[];
  /** When each full answer arrived (ms since the scenario started). */
  fullAt: number[];
}

async function ask(url: string): Promise<Outcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...CREDENTIALS },
      body: JSON.stringify({ query: QUERY }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { data?: { customers?: unknown }; errors?: unknown[] };
    if (!body.data?.customers) return 'failed';
    return body.errors?.length ? 'partial' : 'full';
  } catch {
    return 'failed';
  }
}

/** Sends the query from WORKERS loops while `fault` runs, and 3 s more. `inFlight` gives the requests under way now. */
async function underLoad(
  routerUrl: () => string,
  fault: (started: number, inFlight: () => Promise<Outcome>[]) => Promise<number | undefined>,
): Promise<Tally & { faultEndedAt?: number }> {
  const tally: Tally = { sent: 0, full: 0, partial: 0, failed: 0, latencies: [], fullAt: [] };
  const started = performance.now();
  const pending = new Set<Promise<Outcome>>();
  let running = true;
  const workers = Array.from({ length: WORKERS }, async () => {
    while (running) {
      const begin = performance.now();
      tally.sent += 1;
      const request = ask(routerUrl());
      pending.add(request);
      const outcome = await request;
      pending.delete(request);
      tally[outcome] += 1;
      tally.latencies.push(performance.now() - begin);
      if (outcome === 'full') tally.fullAt.push(performance.now() - started);
      if (outcome === 'failed') await sleep(20);
    }
  });
  const faultEndedAt = await fault(started, () => [...pending]);
  await sleep(3_000);
  running = false;
  await Promise.all(workers);
  return { ...tally, faultEndedAt };
}

function recoveryMs(result: Tally & { faultEndedAt?: number }): number | undefined {
  if (result.faultEndedAt === undefined) return undefined;
  const first = result.fullAt.find((at) => at >= result.faultEndedAt!);
  return first === undefined ? undefined : first - result.faultEndedAt;
}

async function main(): Promise<void> {
  const logger = createLogger('chaos', 'warn');
  const dataDir = mkdtempSync(join(tmpdir(), 'interchange-chaos-'));
  const pgPort = await findFreePort();
  let postgres: EmbeddedPostgresHandle = await startEmbeddedPostgres({ dataDir, logger, port: pgPort });
  const redisPort = await findFreePort();
  const startRedis = (): ChildProcess => spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let redis = startRedis();
  await sleep(300);

  const ports = { customers: await findFreePort(), orders: await findFreePort(), access: await findFreePort() };
  const base = {
    ...subgraphSecurityEnv,
    DATABASE_URL: postgres.url,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    DB_CONNECT_TIMEOUT_MS: '1000',
  };
  const customersUrl = `http://127.0.0.1:${ports.customers}/graphql`;
  const ordersUrl = `http://127.0.0.1:${ports.orders}/graphql`;
  const accessUrl = `http://127.0.0.1:${ports.access}/graphql`;
  const startCustomers = () => spawnService('subgraphs/customers/index.ts', { ...base, PORT: String(ports.customers) });
  const startOrders = () => spawnService('subgraphs/orders/index.ts', { ...base, PORT: String(ports.orders), CUSTOMERS_URL: customersUrl });
  const startAccess = () => spawnService('subgraphs/access/index.ts', { ...base, PORT: String(ports.access) });
  // No DATABASE_URL and no response cache: every request goes to the subgraphs, whose faults
  // this measures (a cache would answer the one repeated query from memory).
  const startRouter = () =>
    spawnService('router/index.ts', {
      ...routerSecurityEnv,
      DATABASE_URL: '', // not the bench process's own
      RESPONSE_CACHE: 'false',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      SUBGRAPH_CUSTOMERS_URL: customersUrl,
      SUBGRAPH_ORDERS_URL: ordersUrl,
      SUBGRAPH_ACCESS_URL: accessUrl,
      SUBGRAPH_TIMEOUT_MS: '1000',
      SUBGRAPH_BREAKER_RESET_MS: '1000',
    });

  const processes: { customers: ServiceProcess; orders: ServiceProcess; access: ServiceProcess; router: ServiceProcess } = {
    customers: startCustomers(),
    orders: startOrders(),
    access: startAccess(),
    router: startRouter(),
  };
  await processes.customers.logLine('subgraph listening');
  await processes.orders.logLine('subgraph listening');
  await processes.access.logLine('subgraph listening');
  let routerUrl = String((await processes.router.logLine('router listening')).url);
  const circuit = async () => {
    const ready = (await (await fetch(new URL('/ready', routerUrl))).json()) as { subgraphs: { name: string; circuit: string }[] };
    return ready.subgraphs.find((subgraph) => subgraph.name === 'orders')?.circuit;
  };

  const rows: string[] = [];
  const record = (name: string, result: Tally & { faultEndedAt?: number }, note: string) => {
    const latencies = [...result.latencies].sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? NaN;
    const recovery = recoveryMs(result);
    const row = `| ${name} | ${result.sent} | ${result.full} | ${result.partial} | ${result.failed} | ${recovery === undefined ? 'n/a' : Math.round(recovery)} | ${Math.round(p99)} | ${note} |`;
    console.log(row);
    rows.push(row);
  };

  try {
    for (const email of ['chaos.one@example.com', 'chaos.two@example.com']) {
      const response = await fetch(routerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...CREDENTIALS },
        body: JSON.stringify({ query: `mutation { createCustomer(input: { name: "Chaos Customer", email: "${email}" }) { id } }` }),
      });
      // Without customers the query never reaches orders, and every fault would look harmless.
      const body = (await response.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(`seeding failed: ${JSON.stringify(body.errors)}`);
    }

    // 1. The orders subgraph is killed, then started again.
    let openSeen = false;
    const killed = await underLoad(() => routerUrl, async (started) => {
      await sleep(1_500);
      await processes.orders.kill();
      await sleep(2_500);
      openSeen = (await circuit()) === 'open';
      processes.orders = startOrders();
      await processes.orders.logLine('subgraph listening');
      return performance.now() - started;
    });
    const closedAgain = (await circuit()) === 'closed';
    record('orders subgraph killed (SIGKILL) for 2.5 s, then restarted', killed, `circuit ${openSeen ? 'opened' : 'did not open'} during the outage and ${closedAgain ? 'closed' : 'did not close'} after; customers kept arriving with orders null`);

    // 2. The orders subgraph answers too slowly (a lock holds its table).
    const slow = await underLoad(() => routerUrl, async (started) => {
      await sleep(1_500);
      const locker = new pg.Client({ connectionString: postgres.url });
      await locker.connect();
      await locker.query('begin; lock table orders.orders in access exclusive mode');
      await sleep(3_000);
      await locker.query('rollback');
      await locker.end();
      return performance.now() - started;
    });
    record('orders subgraph slower than SUBGRAPH_TIMEOUT_MS (1 s) for 3 s', slow, 'no answer waited longer than the timeout; once the circuit opened, orders failed at once');

    // 3. PostgreSQL restarts.
    const restart = await underLoad(() => routerUrl, async (started) => {
      await sleep(1_500);
      await postgres.stop();
      await sleep(2_000);
      postgres = await startEmbeddedPostgres({ dataDir, logger, port: pgPort });
      return performance.now() - started;
    });
    record('PostgreSQL stopped for 2 s, then started', restart, 'errors only during the outage; no process restarted');

    // 4. Redis goes away.
    const noRedis = await underLoad(() => routerUrl, async (started) => {
      await sleep(1_500);
      redis.kill('SIGKILL');
      await sleep(2_000);
      redis = startRedis();
      return performance.now() - started;
    });
    record('Redis killed for 2 s, then started', noRedis, 'queries do not depend on Redis; event wake-ups fall back to polling');

    // 5. The router gets SIGTERM under load.
    let inFlightAtSigterm: Promise<Outcome>[] = [];
    const drained = await underLoad(() => routerUrl, async (started, inFlight) => {
      await sleep(1_500);
      inFlightAtSigterm = inFlight();
      processes.router.signal('SIGTERM');
      const exit = await processes.router.exited();
      const stoppedAt = performance.now() - started;
      processes.router = startRouter();
      routerUrl = String((await processes.router.logLine('router listening')).url);
      console.log(`router exited with ${JSON.stringify(exit)}`);
      return stoppedAt;
    });
    const drainedOutcomes = await Promise.all(inFlightAtSigterm);
    const completed = drainedOutcomes.filter((outcome) => outcome === 'full').length;
    record(
      'router sent SIGTERM, then a new router started',
      drained,
      `${completed} of ${drainedOutcomes.length} requests in flight at SIGTERM completed in full; the failures are new connections refused until the new router listened`,
    );
  } finally {
    for (const service of Object.values(processes)) await service.kill();
    redis.kill('SIGKILL');
    await postgres.stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }

  const report = `# Resilience

Written by \`npm run chaos\` on ${new Date().toISOString().slice(0, 10)}: real faults against real processes (a private
embedded PostgreSQL, a private redis-server, the three subgraphs and the router as separate
processes), ${WORKERS} clients sending \`${QUERY}\` in a loop, on loopback. Each scenario runs the load
for about 1.5 s, applies the fault, ends it, and keeps the load 3 s more. A *full* answer has no
errors; a *partial* one has the customers and an error for orders (null orders); a *failed* one
has no customers (or no HTTP answer). Recovery is from the end of the fault to the next full answer.
Security is on as in production: each client sends an admin's bearer JWT, which the router
verifies, and the subgraphs accept only the router's signed internal header. The router runs with
SUBGRAPH_TIMEOUT_MS=1000, SUBGRAPH_BREAKER_RESET_MS=1000, RATE_LIMIT_PER_CLIENT=0 and
RESPONSE_CACHE=false (with the cache, the one repeated query would be answered from memory and
the faults below would not reach it).

| fault | sent | full | partial | failed | recovery ms | p99 ms | notes |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  writeFileSync(fromRoot('docs/resilience.md'), report);
  console.log('wrote docs/resilience.md');
}

await main();
