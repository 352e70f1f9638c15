/**
 * `npm run bench:subscriptions`: delivery of events to N subscribers (100, 1,000, 5,000; one
 * connection each) through one router process pinned to one core, against the same load sent
 * straight to the owning subgraph with only its own fields (the limit), measured in the same run.
 * Loopback only; bounded in time. Writes the results into docs/benchmarks.md.
 */
import { readFileSync } from 'node:fs';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { cpuModel, writeBenchmarkSection } from './benchmarks-doc.js';
import { ROUTER_SERVICE } from '../infra/auth/internal-token.js';
import { createLogger } from '../infra/logger.js';
import { graphql, internalHeaders } from '../test/support/hub.js';
import { spawnService, type ServiceProcess } from '../test/support/service-process.js';
import { benchDatabase, CLIENT_CORE, memoryKb, percentile, pin, SERVER_CORE, spawnSubgraphs } from './hub-processes.js';
import { asRole } from '../test/support/tokens.js';
import { routerSecurityEnv, subgraphSecurityEnv } from './bench-security.js';

const SIZES = (process.env.BENCH_SUBSCRIBERS ?? '100,1000,5000').split(',').map(Number);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 50);
const RATE_PER_SECOND = Number(process.env.BENCH_RATE ?? 10);
/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Target {
  name: string;
  url: string;
  process: ServiceProcess;
  query: string;
  /** `connection_init`'s payload, per connection: the router takes a bearer JWT, a subgraph only the signed internal header. */
  connectionParams: () => Promise<Record<string, string>>;
}

interface Result {
  target: string;
  subscribers: number;
  p50: number;
  p95: number;
  p99: number;
  lost: number;
  delivered: number;
  eventsPerSecond: number;
  cpuSeconds: number;
  peakRssMb: number;
  idleKbPerSubscription: number;
}

async function run(target: Target, subscribers: number, customerId: string, routerUrl: string): Promise<Result> {
  const sent = new Map<number, number>();
  const delays: number[] = [];
  let delivered = 0;
  let warmups = 0;
  const rssBefore = memoryKb(target.process.pid, 'VmRSS');

  const clients: Client[] = [];
  const stops: (() => void)[] = [];
  let failed = 0;
  for (let batch = 0; batch < subscribers; batch += 100) {
    // Connect in batches of 100, each acknowledged before the next, as clients arrive in practice.
    const acks: Promise<void>[] = [];
    for (let i = batch; i < Math.min(subscribers, batch + 100); i++) {
      let acknowledged: () => void = () => {};
      acks.push(new Promise<void>((resolve) => (acknowledged = resolve)));
      const client = createClient({
        url: target.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: target.connectionParams,
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: () => {},
        on: {
          connected: () => acknowledged(),
          closed: () => acknowledged(),
        },
      });
      clients.push(client);
      stops.push(
        client.subscribe<{ customerEvents: { data: { creditLimit?: string } } }>(
          { query: target.query, variables: { id: customerId } },
          {
            next: ({ data }) => {
              const seq = Math.round(Number(data?.customerEvents.data.creditLimit ?? -1));
              if (seq === 0) {
                warmups += 1;
                return;
              }
              const at = sent.get(seq);
              if (at !== undefined) {
                delays.push(performance.now() - at);
                delivered += 1;
              }
            },
            error: () => {
              failed += 1;
            },
            complete: () => {},
          },
        ),
      );
    }
    await Promise.all(acks);
  }

  // Warm-up event: every subscription is live once it has received it.
  const change = (seq: number) =>
    graphql(routerUrl, 'mutation ($id: ID!, $c: Decimal!) { updateCustomer(id: $id, input: { creditLimit: $c }) { id } }', { id: customerId, c: String(seq) });
  const deadline = Date.now() + 60_000;
  await sleep(500);
  await change(0);
  while (warmups + failed < subscribers && Date.now() < deadline) await sleep(50);
  if (warmups < subscribers) console.error(`${target.name}: ${warmups} of ${subscribers} subscriptions became live, ${failed} failed`);
  await sleep(300);
  const idleKbPerSubscription = Math.max(0, memoryKb(target.process.pid, 'VmRSS') - rssBefore) / subscribers;

  const cpuStart = cpuSeconds(target.process.pid);
  const started = performance.now();
  for (let seq = 1; seq <= EVENTS; seq++) {
    sent.set(seq, performance.now());
    await change(seq);
    await sleep(Math.max(0, started + (seq * 1000) / RATE_PER_SECOND - performance.now()));
  }
  // A subscription that never became live loses every event.
  const expected = EVENTS * subscribers;
  const waitUntil = Date.now() + 15_000;
  while (delivered < expected && Date.now() < waitUntil) await sleep(50);
  const elapsed = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(target.process.pid) - cpuStart;
  const peakRssMb = memoryKb(target.process.pid, 'VmHWM') / 1024;

  for (const stop of stops) stop();
  await Promise.all(clients.map((client) => client.dispose()));
  await sleep(500);

  delays.sort((a, b) => a - b);
  return {
    target: target.name,
    subscribers,
    p50: percentile(delays, 50),
    p95: percentile(delays, 95),
    p99: percentile(delays, 99),
    lost: expected - delivered,
    delivered,
    eventsPerSecond: delivered / elapsed,
    cpuSeconds: cpu,
    peakRssMb,
    idleKbPerSubscription,
  };
}

async function main(): Promise<void> {
  pin(process.pid, CLIENT_CORE);
  const logger = createLogger('bench', 'warn');
  const { database, close } = await benchDatabase(logger);
  const common = { ...subgraphSecurityEnv, DATABASE_URL: database.url, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production', DB_POOL_MAX: '10' };
  const services: ServiceProcess[] = [];
  try {
    // All of them, so that the router's supergraph is whole; customers and orders are the subscriptions' path.
    const subgraphs = await spawnSubgraphs(common);
    services.push(...subgraphs.processes.values());
    const customers = subgraphs.processes.get('customers')!;
    // No DATABASE_URL (empty, so the bench's own is not inherited): the router's response cache
    // (default, in process) is not on the subscriptions' path, so it need not follow events here.
    const router = spawnService('router/index.ts', {
      ...routerSecurityEnv,
      DATABASE_URL: '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...subgraphs.routerEnv,
    });
    services.push(router);
    const routerUrl = String((await router.logLine('router listening')).url);
    for (const [name, service] of subgraphs.processes) if (name !== 'customers') pin(service.pid, CLIENT_CORE);

    const created = await graphql(routerUrl, 'mutation { createCustomer(input: { name: "Bench Customer", email: "bench@example.com" }) { id } }');
    const customerId = created.body.data.createCustomer.id as string;
    await graphql(routerUrl, 'mutation ($c: ID!) { placeOrder(input: { customerId: $c, currency: "EUR", lines: [{ sku: "B", quantity: 1, unitPrice: "1" }] }) { id } }', { c: customerId });

    const targets: Target[] = [
      {
        name: 'customers subgraph directly, event fields only (the limit)',
        url: subgraphs.routerEnv.SUBGRAPH_CUSTOMERS_URL!,
        process: customers,
        query: 'subscription ($id: ID) { customerEvents(customerId: $id) { id type data } }',
        // What the router's own upstream connections send; short-lived, so signed (or reused) per connection, which checks it once.
        connectionParams: () => internalHeaders(ROUTER_SERVICE),
      },
      {
        name: 'router, with a field from the orders subgraph',
        url: routerUrl,
        process: router,
        query: 'subscription ($id: ID) { customerEvents(customerId: $id) { id type data customer { name orders(first: 1) { totalCount } } } }',
        connectionParams: () => asRole('admin'),
      },
    ];
    const results: Result[] = [];
    for (const subscribers of SIZES) {
      for (const target of targets) {
        // The process serving the subscribers owns the server core; everything else shares the other.
        pin(customers.pid, target.process === customers ? SERVER_CORE : CLIENT_CORE);
        pin(router.pid, target.process === router ? SERVER_CORE : CLIENT_CORE);
        const result = await run(target, subscribers, customerId, routerUrl);
        console.log(JSON.stringify(result));
        results.push(result);
      }
    }
    writeReport(results);
  } finally {
    for (const service of services) await service.kill();
    await close();
  }
}

function writeReport(results: Result[]): void {
  const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(1));
  const rows = results.map((result) => {
    const limit = results.find((other) => other.subscribers === result.subscribers && other.target.startsWith('customers'))!;
    return `| ${result.subscribers} | ${result.target} | ${ms(result.p50)} | ${ms(result.p95)} | ${ms(result.p99)} | ${(result.p99 / limit.p99).toFixed(2)} | ${result.lost} | ${result.eventsPerSecond.toFixed(0)} | ${result.cpuSeconds.toFixed(2)} | ${result.peakRssMb.toFixed(0)} | ${result.idleKbPerSubscription.toFixed(1)} |`;
  });
  const section = `## Subscriptions (\`npm run bench:subscriptions\`)

Measured ${new Date().toISOString().slice(0, 10)} on this machine (${cpuModel()}, 2 cores).
${EVENTS} events at ${RATE_PER_SECOND} per second to N subscribers, one WebSocket connection each. The process
serving the subscribers (the router, or for the limit the customers subgraph) is pinned to core 0;
PostgreSQL, the other subgraph and the clients share core 1. Delay is from sending the mutation
to the client receiving the event. "p99 / limit" compares with the customers subgraph serving the
same subscribers directly, measured in the same run. CPU is the serving process's during the
events; memory per idle subscription is its RSS growth after subscribing, divided by N.
One run: p99 is set by the slowest few events and moves by tens of percent between runs.

| subscribers | target | p50 ms | p95 ms | p99 ms | p99 / limit | lost | events/s delivered | CPU s | peak RSS MB | idle KB / subscription |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  const path = writeBenchmarkSection('subscriptions', section);
  console.log(`wrote ${path}`);
}

await main();
