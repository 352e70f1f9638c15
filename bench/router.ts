/**
 * `npm run bench`: throughput and latency of the router against plain @apollo/gateway (the
 * baseline) and a bare node:http server sending the same bytes (the limit), on two workloads,
 * in one run on loopback. Each target is a process of its own pinned to core 0; the load
 * generator (autocannon), the subgraphs and this process share core 1. The targets are measured
 * in interleaved rounds (see measureWorkload). Every target gets the same connections, warm-up and
 * duration, every request a distinct bearer JWT, and every response is compared with the
 * reference bytes: a non-200 or a different body fails the run.
 * Writes the results into docs/benchmarks.md (its own section only).
 *
 * Environment: BENCH_CONNECTIONS (50), BENCH_ROUNDS (3), BENCH_DURATION seconds measured per
 * round (5), BENCH_WARMUP seconds before a target's first round (3), BENCH_WORKLOADS (hub,federation), BENCH_TARGETS (limit,baseline,router,router-apollo,router-cached),
 * BENCH_ROUTER_LOG_LEVEL (info, the router's default), BENCH_CPU_PROF (a folder: the gateway targets
 * write V8 CPU profiles there), BENCH_SUBGRAPH_MEMO (true), BENCH_HUB_CUSTOMERS (20),
 * BENCH_NODE_OPTIONS (every target's NODE_OPTIONS; default the Dockerfile's, as the router is
 * deployed; empty for Node's defaults), BENCH_NO_WRITE (true: print the table, leave the docs alone), DATABASE_URL (the PostgreSQL
 * server for the hub workload; default postgres://postgres@127.0.0.1:5432/test).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { build } from 'esbuild';
import { parse } from 'graphql';
import { readAccessRequirements } from '../router/auth/access-requirements.js';
import { QueryPlanExecutor } from '../router/execution/query-plan-executor.js';
import { PLANNERS, type PlannerName } from '../router/execution/planners/planner.js';
import { InternalTokenSigner, INTERNAL_TOKEN_HEADER } from '../infra/auth/internal-token.js';
import { HUB_SUBGRAPHS } from '../infra/hub-subgraphs.js';
import { scopesOf } from '../infra/auth/principal.js';
import { loadConfig } from '../infra/config.js';
import { customersEnv } from '../subgraphs/customers/subgraph.js';
import { ordersEnv } from '../subgraphs/orders/subgraph.js';
import type { RunningSubgraph } from '../infra/graphql/subgraph-server.js';
import { createLogger } from '../infra/logger.js';
import { fromRoot } from '../infra/paths.js';
import * as customers from '../subgraphs/customers/server.js';
import * as orders from '../subgraphs/orders/server.js';
import { createTestDatabase, type TestDatabase } from '../test/support/postgres.js';
import { cpuModel, DEPLOYED_NODE_OPTIONS, writeBenchmarkSection } from './benchmarks-doc.js';
import { composeFederationSupergraph, SUBGRAPH_NAMES, TEST_QUERY, type SubgraphName } from './federation/subgraphs.js';
import { BENCH_JWT_SECRET, benchTokens } from './router/bench-tokens.js';
import type { LoadJob, LoadResult } from './router/load-generator.js';

const env = process.env;
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(env.BENCH_DURATION ?? 5);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(env.BENCH_WARMUP ?? 3);
/** Before each later round: the connections are new, and the hot cache's entries may have expired meanwhile. */
const ROUND_WARMUP = 1;
const WORKLOADS = (env.BENCH_WORKLOADS ?? 'hub,federation').split(',');
const TARGETS = (env.BENCH_TARGETS ?? 'limit,baseline,router,router-apollo,router-cached').split(',') as TargetKind[];
const ROUTER_LOG_LEVEL = env.BENCH_ROUTER_LOG_LEVEL ?? 'info';
const CPU_PROF = env.BENCH_CPU_PROF;
const HUB_CUSTOMERS = Number(env.BENCH_HUB_CUSTOMERS ?? 20);
/** Every target's, the baseline's too: only the gateways differ. */
const TARGET_NODE_OPTIONS = env.BENCH_NODE_OPTIONS ?? DEPLOYED_NODE_OPTIONS;
/** Shared by the router targets and the hub's subgraphs only. */
const INTERNAL_SECRET = 'interchange-bench-internal-secret-0123456789abcdef';

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
/** Read before this process pins itself (which narrows what availableParallelism reports). */
const CORES = cpus().length;
const PINNED = hasTaskset && CORES >= 2;
const TARGET_CORE = 0;
const LOAD_CORE = 1;

type TargetKind = 'limit' | 'baseline' | 'router' | 'router-apollo' | 'router-cached';

/**
 * The targets run as plain JavaScript, built from bench/router/target.ts before the run: under
 * tsx every Error's stack would go through source maps, which costs the gateways (agent-base,
 * used by @apollo/gateway's default fetcher, reads a stack per request) time a deployment does
 * not spend. Kept under node_modules so that the packages resolve as from the sources.
 */
const TARGET_ENTRY = 'node_modules/.cache/interchange-bench/target.mjs';

async function buildTargets(): Promise<void> {
  await build({
    entryPoints: [fromRoot('bench/router/target.ts')],
    outfile: fromRoot(TARGET_ENTRY),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
}

const TARGET_NAMES: Record<TargetKind, string> = {
  limit: 'bare node:http, same bytes (the limit)',
  baseline: '@apollo/gateway on @apollo/server 5 (the baseline)',
  router: 'our router, response cache off (Hive\'s planner, the default)',
  'router-apollo': 'our router, response cache off, QUERY_PLANNER=apollo',
  'router-cached': 'our router, response cache hot',
};

interface Workload {
  name: string;
  title: string;
  /** The request body every request sends. */
  body: string;
  supergraphPath: string;
  /** Extra environment for the gateway targets. */
  gatewayEnv: Record<string, string>;
  /** Subgraph requests so far, where they can be counted. */
  subgraphRequests?: () => Promise<number>;
  stop(): Promise<void>;
}

interface Measurement {
  target: TargetKind;
  /** The median round's. */
  load: LoadResult;
  /** The slowest and the fastest round's requests/s. */
  rangeRequestsPerSecond: [number, number];
  /** The target process's CPU time per request, ms. */
  cpuMsPerRequest: number;
  /** Share of each core busy during the measurement. */
  targetCoreBusy: number;
  loadCoreBusy: number;
  subgraphRequestsPerOperation?: number;
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Child {
  process: ChildProcess;
  /** The first IPC message the child sent. */
  hello: Record<string, unknown>;
  stderr(): string;
  /** Disconnects (the child exits by itself, writing a CPU profile if asked to) and waits. */
  stop(): Promise<void>;
}

/**
 * Runs an entry in its own Node process, pinned to `core` (a .ts entry through tsx, a built
 * .mjs one by plain node); resolves on its first IPC message.
 */
function startChild(entry: string, args: string[], childEnv: Record<string, string>, core: number, nodeArgs: string[] = []): Promise<Child> {
  const node = [...nodeArgs, ...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), fromRoot(entry), ...args];
  const [command, argv] = PINNED ? ['taskset', ['-c', String(core), process.execPath, ...node]] : [process.execPath, node];
  const child = spawn(command, argv, {
    cwd: fromRoot(),
    env: { ...pickEnv(), ...childEnv },
    // Log lines go nowhere: the router logs one line per operation at `info`, as in production.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} ${args.join(' ')} did not start within 60 s\n${stderr}`)), 60_000);
    const early = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`${entry} ${args.join(' ')} exited (${code ?? signal}) before it was ready\n${stderr}`));
    };
    child.once('exit', early);
    child.once('message', (hello: Record<string, unknown>) => {
      clearTimeout(timer);
      child.off('exit', early);
      resolve({
        process: child,
        hello,
        stderr: () => stderr,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.disconnect();
            const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            await exited;
            clearTimeout(killer);
          }
        },
      });
    });
  });
}

/** This process's environment without what would configure a child by accident. */
function pickEnv(): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name.startsWith('BENCH_') || name === 'NODE_TEST_CONTEXT' || /^(SUBGRAPH_.+_URL|SUPERGRAPH_PATH|RESPONSE_CACHE.*|REDIS_URL|DATABASE_URL|JWT_.*|INTERNAL_TOKEN_SECRET|LOG_LEVEL|PORT|HOST|NODE_OPTIONS)$/.test(name)) continue;
    picked[name] = value;
  }
  return picked;
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Busy and total jiffies of one core. */
function coreTimes(core: number): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${core} `));
  const values = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

// ---------------------------------------------------------------------------------------------
// Workloads

function writeSupergraph(dir: string, name: string, sdl: string): string {
  const path = join(dir, `${name}.supergraph.graphql`);
  writeFileSync(path, sdl);
  return path;
}

/** The customers and orders subgraphs over a fresh database, seeded with customers, orders and lines. */
async function hubWorkload(dir: string): Promise<Workload> {
  env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  const database: TestDatabase = await createTestDatabase();
  const subgraphEnv = { DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'warn', INTERNAL_TOKEN_SECRET: INTERNAL_SECRET };
  const running: RunningSubgraph[] = [];
  try {
    const customersServer = await customers.start(loadConfig(customersEnv, subgraphEnv), { logger: createLogger('customers', 'warn') });
    running.push(customersServer);
    const ordersServer = await orders.start(loadConfig(ordersEnv, { ...subgraphEnv, CUSTOMERS_URL: customersServer.url }), { logger: createLogger('orders', 'warn') });
    running.push(ordersServer);

    const signer = new InternalTokenSigner(INTERNAL_SECRET);
    const admin = { kind: 'user' as const, id: 'bench-seeder', roles: ['admin'], scopes: scopesOf(['admin']) };
    const call = async (url: string, query: string, variables: Record<string, unknown>) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: await signer.token(admin, HUB_SUBGRAPHS) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(`seeding failed: ${JSON.stringify(body.errors)}`);
      return body.data;
    };
    const tiers = ['STANDARD', 'PREMIUM', 'PLATINUM'];
    for (let c = 0; c < HUB_CUSTOMERS; c++) {
      const created = await call(customersServer.url, 'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
        input: { name: `Customer ${String(c).padStart(3, '0')}`, email: `customer${c}@example.com`, creditLimit: `${1000 + c * 250}.00`, tier: tiers[c % 3] },
      });
      for (let o = 0; o < 3; o++) {
        const lines = Array.from({ length: 3 }, (_, l) => ({ sku: `SKU-${o}${l}`, description: `Part ${o}-${l}`, quantity: 1 + l * 5, unitPrice: `${(l + 1) * 1.25}` }));
        await call(ordersServer.url, 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
          input: { customerId: created.createCustomer.id, currency: 'EUR', lines },
        });
      }
    }

    const composed = composeServices(
      [
        { name: 'customers', url: customersServer.url, typeDefs: parse(readFileSync(fromRoot('schema/customers.graphql'), 'utf8')) },
        { name: 'orders', url: ordersServer.url, typeDefs: parse(readFileSync(fromRoot('schema/orders.graphql'), 'utf8')) },
      ],
    );
    if (composed.errors) throw new Error(`composition failed: ${composed.errors.map((error) => error.message).join('; ')}`);
    const query = `query CustomersWithOrders {
  customers(first: ${HUB_CUSTOMERS}) {
    totalCount
    edges { node { id name email tier creditLimit
      orders(first: 3) { totalCount edges { node { number status currency total lines { sku description quantity unitPrice lineTotal } } } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;
    return {
      name: 'hub',
      title: `the hub's own schema: ${HUB_CUSTOMERS} customers, each with 3 orders of 3 lines (customers and orders subgraphs over PostgreSQL)`,
      body: JSON.stringify({ query, operationName: 'CustomersWithOrders' }),
      supergraphPath: writeSupergraph(dir, 'hub', composed.supergraphSdl),
      gatewayEnv: { INTERNAL_TOKEN_SECRET: INTERNAL_SECRET },
      async stop() {
        for (const server of running.reverse()) await server.stop(1_000);
        await database.drop();
      },
    };
  } catch (error) {
    for (const server of running.reverse()) await server.stop(1_000);
    await database.drop();
    throw error;
  }
}

/** The public federation benchmark's four subgraphs, in memory, in a process of their own. */
async function federationWorkload(dir: string): Promise<Workload> {
  const subgraphs = await startChild('bench/federation/index.ts', [], { BENCH_SUBGRAPH_MEMO: env.BENCH_SUBGRAPH_MEMO ?? 'true' }, LOAD_CORE);
  const urls = subgraphs.hello.urls as Record<SubgraphName, string>;
  return {
    name: 'federation',
    title: 'the public federation benchmark: accounts, inventory, products and reviews, its nested TestQuery',
    body: JSON.stringify({ query: TEST_QUERY, operationName: 'TestQuery' }),
    supergraphPath: writeSupergraph(dir, 'federation', composeFederationSupergraph(urls)),
    gatewayEnv: {},
    subgraphRequests: () =>
      new Promise((resolve) => {
        subgraphs.process.once('message', (message: { requests: Record<SubgraphName, number> }) =>
          resolve(SUBGRAPH_NAMES.reduce((sum, name) => sum + message.requests[name], 0)),
        );
        subgraphs.process.send({ type: 'counts' });
      }),
    stop: () => subgraphs.stop(),
  };
}

// ---------------------------------------------------------------------------------------------
// Targets and runs

function targetEnv(kind: TargetKind, workload: Workload, bodyFile: string): Record<string, string> {
  const common = { NODE_ENV: 'production', NODE_OPTIONS: TARGET_NODE_OPTIONS, HOST: '127.0.0.1', PORT: '0', SUPERGRAPH_PATH: workload.supergraphPath };
  switch (kind) {
    case 'limit':
      return { NODE_ENV: 'production', NODE_OPTIONS: TARGET_NODE_OPTIONS, BENCH_BODY_FILE: bodyFile };
    case 'baseline':
      return { ...common, ...workload.gatewayEnv };
    case 'router':
    case 'router-apollo':
    case 'router-cached':
      return {
        ...common,
        ...workload.gatewayEnv,
        LOG_LEVEL: ROUTER_LOG_LEVEL,
        JWT_SECRET: BENCH_JWT_SECRET,
        // One caller sends thousands of operations a second here: no per-caller limit.
        RATE_LIMIT_PER_CLIENT: '0',
        // As the baseline does: each request's own token reaches the subgraphs, so none can be merged.
        FORWARD_HEADERS: 'authorization,accept-language',
        RESPONSE_CACHE: kind === 'router-cached' ? 'true' : 'false',
        QUERY_PLANNER: kind === 'router-apollo' ? 'apollo' : 'hive',
      };
  }
}

class LoadGenerator {
  private constructor(private readonly child: Child) {}

  static async start(): Promise<LoadGenerator> {
    return new LoadGenerator(await startChild('bench/router/load-generator.ts', [], {}, LOAD_CORE));
  }

  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      this.child.process.once('message', (message: { type: string; result?: LoadResult; message?: string }) => {
        if (message.type === 'result') resolve(message.result!);
        else reject(new Error(`load generator: ${message.message}`));
      });
      this.child.process.send({ type: 'run', job });
    });
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}

/** One request with a token of its own, outside the measured runs. */
async function probe(url: string, body: string): Promise<{ status: number; text: string }> {
  const [authorization] = benchTokens(1);
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: authorization! }, body });
  return { status: response.status, text: await response.text() };
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at byte ${i}: expected …${JSON.stringify(a.slice(Math.max(0, i - 80), i + 80))}…, got …${JSON.stringify(b.slice(Math.max(0, i - 80), i + 80))}…`;
}

interface Target {
  kind: TargetKind;
  child: Child;
  url: string;
}

/** Starts a target and checks that its first answer is the reference, byte for byte. */
async function startTarget(kind: TargetKind, workload: Workload, reference: string, bodyFile: string): Promise<Target> {
  const profileDir = CPU_PROF && kind !== 'limit' ? join(CPU_PROF, `${workload.name}-${kind}`) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const entry = kind === 'router-cached' || kind === 'router-apollo' ? 'router' : kind;
  const child = await startChild(TARGET_ENTRY, [entry], targetEnv(kind, workload, bodyFile), TARGET_CORE, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  const url = String(child.hello.url);
  const first = await probe(url, workload.body);
  if (first.status !== 200 || first.text !== reference) {
    await child.stop();
    throw new Error(`${TARGET_NAMES[kind]} answers differently from the reference (status ${first.status}) ${firstDifference(reference, first.text)}`);
  }
  return { kind, child, url };
}

interface Round {
  load: LoadResult;
  cpuSeconds: number;
  targetCoreBusy: number;
  loadCoreBusy: number;
  subgraphRequests?: number;
}

/** One measured round of one target, after a warm-up of `warmSeconds`. */
async function measureRound(target: Target, workload: Workload, reference: string, load: LoadGenerator, warmSeconds: number, problems: string[]): Promise<Round> {
  const job: LoadJob = { url: target.url, body: workload.body, expectBody: reference, connections: CONNECTIONS, durationSeconds: warmSeconds };
  // A warm-up may end before any answer (a cached target's entries expire between rounds, and its
  // first misses can outlast a 1 s warm-up): only its wrong answers count.
  check(`${workload.name} / ${target.kind} (warm-up)`, await load.run(job), problems, { answersRequired: false });
  const pid = target.child.process.pid!;
  const cpuBefore = cpuSeconds(pid);
  const [targetBefore, loadBefore] = [coreTimes(TARGET_CORE), coreTimes(LOAD_CORE)];
  const subgraphBefore = await workload.subgraphRequests?.();
  const result = await load.run({ ...job, durationSeconds: DURATION });
  const subgraphAfter = await workload.subgraphRequests?.();
  const [targetAfter, loadAfter] = [coreTimes(TARGET_CORE), coreTimes(LOAD_CORE)];
  check(`${workload.name} / ${target.kind}`, result, problems);
  const share = (after: { busy: number; total: number }, before: { busy: number; total: number }) => (after.busy - before.busy) / Math.max(1, after.total - before.total);
  return {
    load: result,
    cpuSeconds: cpuSeconds(pid) - cpuBefore,
    targetCoreBusy: share(targetAfter, targetBefore),
    loadCoreBusy: share(loadAfter, loadBefore),
    subgraphRequests: subgraphBefore === undefined || subgraphAfter === undefined ? undefined : subgraphAfter - subgraphBefore,
  };
}

/**
 * Every target is started, then measured in ROUNDS rounds that take the targets in turn, so that
 * a slow spell of the machine falls on all of them alike. A target's requests/s and latencies are
 * its median round's; CPU per request and subgraph requests per operation are over all rounds.
 */
async function measureWorkload(workload: Workload, reference: string, bodyFile: string, load: LoadGenerator, problems: string[]): Promise<Measurement[]> {
  const targets: Target[] = [];
  try {
    for (const kind of TARGETS) targets.push(await startTarget(kind, workload, reference, bodyFile));
    const rounds = new Map<TargetKind, Round[]>(targets.map((target) => [target.kind, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets) {
        const measured = await measureRound(target, workload, reference, load, round === 0 ? WARMUP : ROUND_WARMUP, problems);
        rounds.get(target.kind)!.push(measured);
        console.log(
          `${workload.name.padEnd(10)} ${target.kind.padEnd(13)} round ${round + 1}/${ROUNDS} ${measured.load.requestsPerSecond.toFixed(0).padStart(7)} req/s  ` +
            `p50 ${measured.load.p50} ms  p99 ${measured.load.p99} ms  cpu ${((measured.cpuSeconds * 1000) / Math.max(1, measured.load.requests)).toFixed(2)} ms/req  ` +
            `cores ${(measured.targetCoreBusy * 100).toFixed(0)}%/${(measured.loadCoreBusy * 100).toFixed(0)}%`,
        );
      }
    }
    return targets.map(({ kind }) => summarise(kind, rounds.get(kind)!));
  } finally {
    for (const target of targets) await target.child.stop();
  }
}

function summarise(kind: TargetKind, rounds: Round[]): Measurement {
  const sorted = [...rounds].sort((a, b) => a.load.requestsPerSecond - b.load.requestsPerSecond);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const sum = (pick: (round: Round) => number) => rounds.reduce((total, round) => total + pick(round), 0);
  const requests = sum((round) => round.load.requests);
  const counted = rounds.every((round) => round.subgraphRequests !== undefined) && kind !== 'limit';
  return {
    target: kind,
    load: median.load,
    rangeRequestsPerSecond: [sorted[0]!.load.requestsPerSecond, sorted.at(-1)!.load.requestsPerSecond],
    cpuMsPerRequest: (sum((round) => round.cpuSeconds) * 1000) / Math.max(1, requests),
    targetCoreBusy: sum((round) => round.targetCoreBusy) / rounds.length,
    loadCoreBusy: sum((round) => round.loadCoreBusy) / rounds.length,
    subgraphRequestsPerOperation: counted ? sum((round) => round.subgraphRequests!) / Math.max(1, requests) : undefined,
  };
}

function check(what: string, result: LoadResult, problems: string[], { answersRequired = true } = {}): void {
  const bad: string[] = [];
  if (answersRequired && result.requests === 0) bad.push('no responses');
  if (result.non2xx > 0) bad.push(`${result.non2xx} non-2xx responses`);
  if (result.mismatches > 0) bad.push(`${result.mismatches} bodies different from the reference${result.sampleMismatch ? ` (e.g. ${result.sampleMismatch.slice(0, 300)})` : ''}`);
  if (result.errors > 0) bad.push(`${result.errors} errors (${result.timeouts} timeouts)`);
  if (bad.length > 0) {
    problems.push(`${what}: ${bad.join(', ')}`);
    console.error(`FAILED ${what}: ${bad.join(', ')}`);
  }
}

/** What planning the workload's operation costs with each planner: building the planner over the supergraph, the first plan, and a plan once warm. */
interface PlanningCost {
  planner: PlannerName;
  startMs: number;
  coldPlanMs: number;
  warmPlanMs: number;
}

function planningCosts(workload: Workload): PlanningCost[] {
  const sdl = readAccessRequirements(readFileSync(workload.supergraphPath, 'utf8')).gatewaySdl;
  const { query, operationName } = JSON.parse(workload.body) as { query: string; operationName?: string };
  return PLANNERS.map((planner) => {
    let started = performance.now();
    const executor = new QueryPlanExecutor(sdl, { planner, exposeQueryPlan: false });
    const startMs = performance.now() - started;
    started = performance.now();
    executor.planner.plan(parse(query), operationName);
    const coldPlanMs = performance.now() - started;
    const documents = Array.from({ length: 200 }, () => parse(query));
    started = performance.now();
    for (const document of documents) executor.planner.plan(document, operationName);
    return { planner, startMs, coldPlanMs, warmPlanMs: (performance.now() - started) / documents.length };
  });
}

// ---------------------------------------------------------------------------------------------
// Report

function report(results: { workload: Workload; responseBytes: number; measurements: Measurement[]; planning: PlanningCost[] }[]): string {
  const ratio = (value: number, of: number | undefined) => (of ? `${(value / of).toFixed(2)}×` : 'n/a');
  const sections = results.map(({ workload, responseBytes, measurements, planning }) => {
    const rps = (kind: TargetKind) => measurements.find((m) => m.target === kind)?.load.requestsPerSecond;
    const rows = measurements.map((m) => {
      const subgraph = m.subgraphRequestsPerOperation === undefined ? '–' : m.subgraphRequestsPerOperation.toFixed(1);
      const [slowest, fastest] = m.rangeRequestsPerSecond;
      return `| ${TARGET_NAMES[m.target]} | ${m.load.requestsPerSecond.toFixed(0)} | ${slowest.toFixed(0)}–${fastest.toFixed(0)} | ${m.load.p50} | ${m.load.p99} | ${ratio(m.load.requestsPerSecond, rps('baseline'))} | ${ratio(m.load.requestsPerSecond, rps('limit'))} | ${m.cpuMsPerRequest.toFixed(2)} | ${(m.targetCoreBusy * 100).toFixed(0)}% | ${(m.loadCoreBusy * 100).toFixed(0)}% | ${subgraph} |`;
    });
    // The issue's targets: cache off at least 1.5 times the baseline, cache hot at least half the limit.
    const verdict = (name: string, value: number | undefined, of: number | undefined, target: number) =>
      value === undefined || of === undefined ? [] : [`${name} ${(value / of).toFixed(2)}× (target ${target}×: ${value / of >= target ? 'met' : 'not met'})`];
    const targets = [
      ...verdict('cache off / baseline', rps('router'), rps('baseline'), 1.5),
      ...(workload.name === 'federation' ? verdict('Hive\'s planner / Apollo\'s planner, cache off', rps('router'), rps('router-apollo'), 1.5) : verdict('Hive\'s planner / Apollo\'s planner, cache off (no slower)', rps('router'), rps('router-apollo'), 0.95)),
      ...verdict('cache hot / limit', rps('router-cached'), rps('limit'), 0.5),
    ];
    return `### ${workload.name === 'hub' ? 'Hub schema' : 'Federation benchmark schema'}

Workload: ${workload.title}; ${(responseBytes / 1024).toFixed(1)} KB per response.

| target | requests/s (median round) | rounds, slowest–fastest | p50 ms | p99 ms | / baseline | / limit | target CPU ms / request | core 0 busy | core 1 busy | subgraph requests / operation |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
${targets.length > 0 ? `\nAgainst the targets: ${targets.join('; ')}.` : ''}

Planning this operation (in the bench process, each planner built anew; the router plans a document once and keeps the plan):

| planner | planner built over the supergraph, ms | first plan, ms | a plan once warm, ms |
| --- | --- | --- | --- |
${planning.map((cost) => `| ${cost.planner} | ${cost.startMs.toFixed(0)} | ${cost.coldPlanMs.toFixed(2)} | ${cost.warmPlanMs.toFixed(3)} |`).join('\n')}`;
  });
  const pinning = PINNED
    ? `Each target is a process of its own pinned to core ${TARGET_CORE} (taskset, all its threads); the load generator, the subgraphs and the bench share core ${LOAD_CORE}. PostgreSQL (hub workload) is not pinned.`
    : 'Not pinned (no taskset, or one core): targets, load generator and subgraphs share the cores.';
  return `## Router (\`npm run bench\`)

Measured ${new Date().toISOString().slice(0, 10)} on this machine (${cpuModel()}, ${CORES} cores, Node ${process.version}), loopback.
${pinning}
Every target of a workload is started first; then ${ROUNDS} rounds take the targets in turn, so that a slow spell of the machine
falls on all of them alike. Each round: autocannon, ${CONNECTIONS} connections, a warm-up (${WARMUP} s in the first round, ${ROUND_WARMUP} s later)
then ${DURATION} s measured. requests/s, p50 and p99 are a target's median round's; CPU per request, core shares and
subgraph requests per operation are over all its rounds. Each request carries its own
HS256 bearer JWT (same subject, distinct \`jti\`, generated before the run), which the gateways forward to the subgraphs, so no
two requests can be merged. Every response body was compared with the reference response and all were equal, with no non-2xx.
Our router runs with NODE_ENV=production, LOG_LEVEL=${ROUTER_LOG_LEVEL} (its operation and audit log lines), JWT_SECRET set (tokens verified),
RATE_LIMIT_PER_CLIENT=0, FORWARD_HEADERS=authorization,accept-language, and RESPONSE_CACHE=false or true (in-process store; warmed by the warm-up).
"core 0 busy" near 100% means the target was the bottleneck; "core 1 busy" near 100% means the load generator and the subgraphs were.
The federation subgraphs answer a repeated request body from memory (set BENCH_SUBGRAPH_MEMO=false to turn it off), as the public
benchmark's Rust subgraphs cost little beside the gateway; the hub's subgraphs run in full over PostgreSQL on every request,
in the bench process, as deployed: NODE_ENV=production, graphql-jit, \`--max-semi-space-size=64\`.
Every target runs with NODE_OPTIONS=${TARGET_NODE_OPTIONS ? `\`${TARGET_NODE_OPTIONS}\`` : '(none: Node\'s defaults)'}${TARGET_NODE_OPTIONS === DEPLOYED_NODE_OPTIONS ? ', the Dockerfile\'s, as the router is deployed (\`npm start\` and \`npm run router\` set the same); the baseline and the limit get it too, so that only the gateways differ' : ' (BENCH_NODE_OPTIONS)'}.
On this machine the speed of the cores changes from one minute to the next (a target's rounds can differ by half);
the ratios compare medians of interleaved rounds, and the range column shows the spread.

${sections.join('\n\n')}
`;
}

async function main(): Promise<void> {
  if (PINNED) execFileSync('taskset', ['-a', '-p', '-c', String(LOAD_CORE), String(process.pid)], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'interchange-bench-'));
  await buildTargets();
  console.log(`load generator: generating tokens`);
  const load = await LoadGenerator.start();
  const problems: string[] = [];
  const results: { workload: Workload; responseBytes: number; measurements: Measurement[]; planning: PlanningCost[] }[] = [];
  try {
    for (const name of WORKLOADS) {
      const workload = name === 'hub' ? await hubWorkload(dir) : name === 'federation' ? await federationWorkload(dir) : undefined;
      if (!workload) throw new Error(`BENCH_WORKLOADS: unknown workload ${name} (hub, federation)`);
      console.log(`${workload.name}: subgraphs ready`);
      try {
        // The reference: what plain @apollo/gateway answers; every target must answer the same bytes.
        const bodyFile = join(dir, `${workload.name}.response.json`);
        const baseline = await startChild(TARGET_ENTRY, ['baseline'], targetEnv('baseline', workload, bodyFile), TARGET_CORE);
        const reference = await probe(String(baseline.hello.url), workload.body).finally(() => baseline.stop());
        const parsed = JSON.parse(reference.text) as { data?: unknown; errors?: unknown };
        if (reference.status !== 200 || parsed.errors || !parsed.data) throw new Error(`the baseline's reference response is not a success: ${reference.text.slice(0, 1_000)}`);
        writeFileSync(bodyFile, reference.text);
        console.log(`${workload.name}: reference response ${reference.text.length} bytes`);

        const planning = planningCosts(workload);
        const measurements = await measureWorkload(workload, reference.text, bodyFile, load, problems);
        results.push({ workload, responseBytes: Buffer.byteLength(reference.text), measurements, planning });
      } finally {
        await workload.stop();
      }
    }
  } finally {
    await load.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const markdown = report(results);
  console.log(`\n${markdown}`);
  if (problems.length > 0) {
    console.error(`\nBENCH FAILED, docs/benchmarks.md left unchanged:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  if (env.BENCH_NO_WRITE !== 'true') console.log(`wrote ${writeBenchmarkSection('router', markdown)}`);
}

await main();
