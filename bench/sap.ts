/**
 * `npm run bench:sap`: what the SAP connector adds, measured in one run against the bundled SAP
 * simulator (a process of its own).
 *
 * 1. Direct: the exact OData request the connector sends for 50 business partners
 *    (`$filter=BusinessPartner eq '…' or …`, `$select`, `$format=json`, `sap-client`, basic
 *    authentication), sent by a plain undici client, one at a time.
 * 2. Connector: the same read through the connector (`SapConnector`, `odata.listAnyOf`) in this
 *    process: policy, pool, request and the conversion of every value by the service's $metadata.
 *    Its p50 minus the direct p50 is what the connector adds per SAP request (target: 2 ms at most).
 * 3. Federated: `customers(first: 50) { externalId sapBusinessPartner { id fullName } }` through the
 *    router (the hub as processes: router and subgraphs, over PostgreSQL, the response cache off), one at a time for the
 *    latency and BENCH_CONCURRENCY at once for the throughput; OData requests per operation from the
 *    simulator's counters, subgraph requests per operation through counting proxies.
 *
 * Writes its section of docs/benchmarks.md (BENCH_NO_WRITE=true: print only); exits non-zero when a
 * query makes more than one OData request for its page of keys.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, request } from 'undici';
import { findFreePort } from '../infra/http/free-port.js';
import { createLogger } from '../infra/logger.js';
import { filterAnyOf, queryString, SapConnector, sapSystemsFromEnv } from '../subgraphs/sap/connector/index.js';
import { SELECTS } from '../subgraphs/sap/sap-entities.js';
import { spawnService, type ServiceProcess } from '../test/support/service-process.js';
import { roleToken } from '../test/support/tokens.js';
import { subgraphSecurityEnv } from './bench-security.js';
import { cpuModel, writeBenchmarkSection } from './benchmarks-doc.js';
import { GraphQLClient } from './graphql-client.js';
import { benchDatabase, percentile, spawnRouter, spawnSubgraphs } from './hub-processes.js';

const env = process.env;
const ITERATIONS = Number(env.BENCH_ITERATIONS ?? 500);
const FEDERATED_ITERATIONS = Number(env.BENCH_FEDERATED_ITERATIONS ?? 300);
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 8);
const WARMUP = 50;
const CUSTOMERS = 50;
const NO_WRITE = env.BENCH_NO_WRITE === 'true';
const SYSTEM = 'SIM';
const USER = 'INTERCHANGE';
const PASSWORD = 'simulator';
const BATCH = `bench-sap-${Date.now()}`;

const SERVICE_PATH = '/sap/opu/odata/sap/API_BUSINESS_PARTNER';
const PARTNERS = Array.from({ length: CUSTOMERS }, (_, i) => String(10_000_001 + i).padStart(10, '0'));
const FEDERATED = `query BenchSap($search: String) { customers(first: ${CUSTOMERS}, filter: { search: $search }) { edges { node { id externalId sapBusinessPartner { id fullName category } } } } }`;

interface Timing {
  p50: number;
  p99: number;
  mean: number;
}

function timing(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length };
}

/** Runs `call` WARMUP times untimed, then `iterations` times one after another; milliseconds per call. */
async function sequential(iterations: number, call: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return samples;
}

/** `iterations` calls, `concurrency` at a time; calls per second. */
async function throughput(iterations: number, concurrency: number, call: () => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < iterations) await call();
    }),
  );
  return iterations / ((performance.now() - started) / 1000);
}

/** A proxy in front of a subgraph that counts the requests it forwards. */
async function countingProxy(target: string): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  const upstream = new URL(target);
  let count = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    count++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = await request(new URL(req.url ?? '/', upstream.origin), { method: req.method as 'POST', headers: req.headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
    res.writeHead(answer.statusCode, answer.headers as Record<string, string>);
    res.end(Buffer.from(await answer.body.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${upstream.pathname}`,
    count: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function simulatorCounts(origin: string): Promise<Record<string, number>> {
  return (await (await fetch(`${origin}/__simulator/${SYSTEM}/counts`)).json()) as Record<string, number>;
}

const ms = (value: number) => value.toFixed(2);

async function main(): Promise<number> {
  const logger = createLogger('bench', 'warn');
  const { database, close } = await benchDatabase(logger);
  const services: ServiceProcess[] = [];
  const closers: (() => Promise<void>)[] = [];
  try {
    const simulator = spawnService('simulators/sap/main.ts', { SAP_SIMULATOR_PORT: String(await findFreePort()), SAP_SIMULATOR_SYSTEMS: `${SYSTEM}:100`, LOG_LEVEL: 'info', NODE_ENV: 'production' });
    services.push(simulator);
    const systemUrl = String((await simulator.logLine('SAP simulator system')).url);
    const origin = new URL(systemUrl).origin;
    const sapEnv = { SAP_SYSTEMS: SYSTEM, [`SAP_${SYSTEM}_URL`]: systemUrl, [`SAP_${SYSTEM}_CLIENT`]: '100', [`SAP_${SYSTEM}_USER`]: USER, [`SAP_${SYSTEM}_PASSWORD`]: PASSWORD };

    // 1. Direct: the request line the connector sends, by a plain client.
    const search = queryString({ filter: filterAnyOf('BusinessPartner', PARTNERS), select: SELECTS.A_BusinessPartner, top: CUSTOMERS });
    const direct = new Pool(origin, { connections: 10 });
    closers.push(() => direct.close());
    const directPath = `${new URL(systemUrl).pathname}${SERVICE_PATH}/A_BusinessPartner?${search}&sap-client=100`;
    const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    let directRows = 0;
    const directSamples = await sequential(ITERATIONS, async () => {
      const response = await direct.request({ path: directPath, method: 'GET', headers: { authorization, accept: 'application/json' } });
      const body = (await response.body.json()) as { d: { results: unknown[] } };
      if (response.statusCode !== 200) throw new Error(`the simulator answered ${response.statusCode}`);
      directRows = body.d.results.length;
    });

    // 2. The same read through the connector.
    const connector = new SapConnector(sapSystemsFromEnv(sapEnv), { logger });
    closers.push(() => connector.close());
    const system = connector.system(SYSTEM);
    let connectorRows = 0;
    const connectorSamples = await sequential(ITERATIONS, async () => {
      connectorRows = (await system.odata.listAnyOf('businessPartner', 'A_BusinessPartner', 'BusinessPartner', PARTNERS, { select: SELECTS.A_BusinessPartner })).length;
    });

    // 3. The federated query through the hub.
    const subgraphs = await spawnSubgraphs({
      ...subgraphSecurityEnv,
      ...sapEnv,
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info', // production's default; the bench waits for the 'listening' lines
      NODE_ENV: 'production',
      PROCESSORS: 'none',
      SAP_SIMULATOR: 'false',
    });
    services.push(...subgraphs.processes.values());
    // The response cache off: every operation goes to the subgraphs and SAP.
    const routerEnv = { RESPONSE_CACHE: 'false' };
    const { process: routerProcess, url: routerUrl } = await spawnRouter(database.url, subgraphs, routerEnv);
    services.push(routerProcess);
    const token = await roleToken('admin');
    const router = new GraphQLClient(routerUrl, async () => ({ authorization: `Bearer ${token}` }), CONCURRENCY);
    closers.push(() => router.close());
    for (const [index, partner] of PARTNERS.entries()) {
      await router.request('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
        input: { name: `${BATCH} ${index}`, email: `${BATCH}-${index}@example.com`, externalId: partner.replace(/^0+/, '') },
      });
    }
    let linked = 0;
    const federated = async () => {
      const data = await router.request<{ customers: { edges: { node: { sapBusinessPartner: { id: string } | null } }[] } }>(FEDERATED, { search: BATCH });
      linked = data.customers.edges.filter((edge) => edge.node.sapBusinessPartner).length;
    };
    await federated(); // the connector reads $metadata once
    const before = await simulatorCounts(origin);
    const federatedSamples = await sequential(FEDERATED_ITERATIONS, federated);
    const afterSequential = await simulatorCounts(origin);
    const perSecond = await throughput(FEDERATED_ITERATIONS, CONCURRENCY, federated);
    const afterConcurrent = await simulatorCounts(origin);
    const odataPerOperation = ((afterSequential.odata ?? 0) - (before.odata ?? 0)) / (FEDERATED_ITERATIONS + WARMUP);
    const odataPerConcurrentOperation = ((afterConcurrent.odata ?? 0) - (afterSequential.odata ?? 0)) / FEDERATED_ITERATIONS;

    // Subgraph requests per operation: a second router whose subgraph URLs are counting proxies.
    const proxies = await Promise.all(Object.entries(subgraphs.routerEnv).map(async ([variable, url]) => [variable, await countingProxy(url)] as const));
    closers.push(async () => void (await Promise.all(proxies.map(([, proxy]) => proxy.close()))));
    const counted = await spawnRouter(database.url, { routerEnv: Object.fromEntries(proxies.map(([variable, proxy]) => [variable, proxy.url])) }, routerEnv);
    services.push(counted.process);
    const countedClient = new GraphQLClient(counted.url, async () => ({ authorization: `Bearer ${token}` }), 1);
    closers.push(() => countedClient.close());
    await countedClient.request(FEDERATED, { search: BATCH });
    const countedBefore = proxies.reduce((sum, [, proxy]) => sum + proxy.count(), 0);
    const COUNTED = 20;
    for (let i = 0; i < COUNTED; i++) await countedClient.request(FEDERATED, { search: BATCH });
    const subgraphPerOperation = (proxies.reduce((sum, [, proxy]) => sum + proxy.count(), 0) - countedBefore) / COUNTED;

    const d = timing(directSamples);
    const c = timing(connectorSamples);
    const f = timing(federatedSamples);
    const added = c.p50 - d.p50;
    const markdown = `## SAP connector (\`npm run bench:sap\`)

${new Date().toISOString().slice(0, 10)}, ${cpuModel()}, Node ${process.version}; the bundled SAP simulator as a process of its own, the hub as processes
(router and subgraphs, the response cache off) over PostgreSQL, nothing pinned. One read: ${CUSTOMERS} business partners by key in one OData request
(\`$filter=BusinessPartner eq '…' or …\`, \`$select\` of ${SELECTS.A_BusinessPartner.length} properties, ${directRows} rows). ${ITERATIONS} reads one after another
after ${WARMUP} untimed; the federated query ${FEDERATED_ITERATIONS} times one after another, then ${FEDERATED_ITERATIONS} more with ${CONCURRENCY} at once.

| path | p50 ms | p99 ms | mean ms | rows |
| --- | --- | --- | --- | --- |
| direct: the same request line by a plain undici client | ${ms(d.p50)} | ${ms(d.p99)} | ${ms(d.mean)} | ${directRows} |
| connector: \`odata.listAnyOf\` (policy, pool, values converted by $metadata) | ${ms(c.p50)} | ${ms(c.p99)} | ${ms(c.mean)} | ${connectorRows} |
| federated: ${CUSTOMERS} hub customers with \`sapBusinessPartner\`, through the router | ${ms(f.p50)} | ${ms(f.p99)} | ${ms(f.mean)} | ${linked} linked |

- The connector adds ${ms(added)} ms p50 per SAP request over the direct call (${(c.p50 / d.p50).toFixed(2)}× its p50). Target: at most 2 ms: ${added <= 2 ? 'met' : 'MISSED'}.
- Federated query, one at a time: ${odataPerOperation.toFixed(2)} OData requests per operation (one per page of keys, never one per customer: ${odataPerOperation <= 1 ? 'met' : 'MISSED'}),
  ${subgraphPerOperation.toFixed(1)} subgraph requests per operation (customers, then sap's \`_entities\` for the page).
- ${CONCURRENCY} at once: ${perSecond.toFixed(0)} operations/s, ${odataPerConcurrentOperation.toFixed(2)} OData requests per operation (the router sends identical subgraph requests in flight once).
`;
    console.log(markdown);
    if (!NO_WRITE) console.log(`wrote ${writeBenchmarkSection('sap', markdown)}`);
    return odataPerOperation <= 1 && linked === CUSTOMERS && connectorRows === CUSTOMERS ? 0 : 1;
  } finally {
    for (const closer of closers.reverse()) await closer().catch(() => {});
    await Promise.all(services.map((service) => service.kill()));
    await close();
  }
}

process.exit(await main());
