/**
 * `npm run bench:import`: imports a generated CSV file of BENCH_IMPORT_ROWS customers (default
 * 1,000,000, about 120 MB) through the hub as processes of their own, as a user would: the
 * file is uploaded to the router (POST /imports/customers, upsert mode), the queues subgraph
 * runs the job, and the rows go in batches through the router to the customers subgraph.
 * Measures the rows per second of the job (from its startedAt to its finishedAt), the queues
 * process's resident memory throughout (sampled every 100 ms, and its peak, VmHWM), the gaps
 * between importProgress events, and a second import of the same file (every row unchanged).
 * Writes its section of docs/benchmarks.md (BENCH_NO_WRITE=true: print only); exits non-zero
 * when a row is lost or the numbers miss the targets. BENCH_CPU_PROF=<folder>: every hub
 * process writes V8 CPU profiles there (a folder per process) when the bench stops them.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import pg from 'pg';
import { createLogger } from '../infra/logger.js';
import { fromRoot } from '../infra/paths.js';
import { queues as queuesSubgraph } from '../subgraphs/queues/subgraph.js';
import { spawnService, type ServiceProcess } from '../test/support/service-process.js';
import { roleToken } from '../test/support/tokens.js';
import { subscribe, wsClient } from '../test/support/ws.js';
import { subgraphSecurityEnv } from './bench-security.js';
import { cpuModel, DEPLOYED_NODE_OPTIONS, writeBenchmarkSection } from './benchmarks-doc.js';
import { GraphQLClient } from './graphql-client.js';
import { benchDatabase, cpuProfileArgs, cpuSeconds, memoryKb, spawnRouter, spawnSubgraphs } from './hub-processes.js';

const env = process.env;
const ROWS = Number(env.BENCH_IMPORT_ROWS ?? 1_000_000);
const NO_WRITE = env.BENCH_NO_WRITE === 'true';
const TARGET_ROWS_PER_SECOND = 20_000;
const TARGET_RSS_MB = 250;

const JOB = `query ($id: ID!) { importJob(id: $id) { status rowsRead rowsInserted rowsUpdated rowsUnchanged rowsRejected startedAt finishedAt failure { code message } } }`;

interface Job {
  status: string;
  rowsRead: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsRejected: number;
  startedAt: string;
  finishedAt: string | null;
  failure: { code: string; message: string } | null;
}

interface Run {
  name: string;
  job: Job;
  uploadSeconds: number;
  jobSeconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  maxRssSampleMb: number;
  progressEvents: number;
  maxProgressGapMs: number;
}

/** Writes the file: a customer per row, about 120 bytes each. */
async function generate(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  out.write('externalId,name,email,phone,customerGroup,creditLimit,tier\n');
  const tiers = ['STANDARD', 'PREMIUM', 'PLATINUM'];
  const groups = ['RETAIL', 'WHOLESALE', 'DISTRIBUTOR'];
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const n = String(i).padStart(7, '0');
    chunk += `BULK-${n},Bulk Customer ${n} Trading Company,bulk.customer.${n}@example.com,+49 30 ${n},${groups[i % 3]},${(i % 100_000) + 0.5},${tiers[i % 3]}\n`;
    if (i % 10_000 === 0) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return statSync(path).size;
}

async function run(name: string, path: string, routerUrl: string, token: string, router: GraphQLClient, queues: () => ServiceProcess): Promise<Run> {
  const started = Date.now();
  const response = await fetch(new URL('/imports/customers?mode=upsert', routerUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': String(statSync(path).size) },
    body: Readable.toWeb(createReadStream(path)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const answer = (await response.json()) as { job?: { id: string }; errors?: unknown };
  if (response.status !== 202 || !answer.job) throw new Error(`the upload was answered ${response.status}: ${JSON.stringify(answer)}`);
  const uploadSeconds = (Date.now() - started) / 1000;
  const id = answer.job.id;
  console.log(`queues process after the upload: ${Math.round(memoryKb(queues().pid, 'VmRSS') / 1024)} MB`);

  let maxRss = 0;
  const sampler = setInterval(() => {
    try {
      maxRss = Math.max(maxRss, memoryKb(queues().pid, 'VmRSS'));
    } catch {
      // between samples the process may be gone
    }
  }, 100);
  const client = wsClient(routerUrl, { connectionParams: { authorization: `Bearer ${token}` } });
  const progress = subscribe<{ importProgress: { status: string; rowsRead: number } }>(client, 'subscription ($id: ID!) { importProgress(jobId: $id) { status rowsRead } }', { id });
  const arrivals: number[] = [];
  let job: Job;
  try {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      while (arrivals.length < progress.results.length) arrivals.push(Date.now());
      const last = progress.results.at(-1)?.data?.importProgress;
      if (last && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(last.status)) break;
    }
    job = (await router.request<{ importJob: Job }>(JOB, { id })).importJob;
  } finally {
    clearInterval(sampler);
    progress.stop();
    await client.dispose();
  }
  const gaps = arrivals.slice(1).map((at, index) => at - arrivals[index]!);
  const jobSeconds = (new Date(job.finishedAt!).getTime() - new Date(job.startedAt).getTime()) / 1000;
  return {
    name,
    job,
    uploadSeconds,
    jobSeconds,
    rowsPerSecond: Math.round(job.rowsRead / jobSeconds),
    peakRssMb: Math.round(memoryKb(queues().pid, 'VmHWM') / 1024),
    maxRssSampleMb: Math.round(maxRss / 1024),
    progressEvents: arrivals.length,
    maxProgressGapMs: Math.max(0, ...gaps),
  };
}

function report(runs: Run[], bytes: number, stored: number, restMb: number, nodeArgs: readonly string[]): string {
  const [first, second] = runs as [Run, Run];
  const rows = runs
    .map((r) => `| ${r.name} | ${r.job.status} | ${r.job.rowsInserted.toLocaleString('en-US')} / ${r.job.rowsUpdated} / ${r.job.rowsUnchanged.toLocaleString('en-US')} / ${r.job.rowsRejected} | ${r.uploadSeconds.toFixed(1)} s | ${r.jobSeconds.toFixed(1)} s | **${r.rowsPerSecond.toLocaleString('en-US')}** | ${r.maxRssSampleMb} MB (peak ${r.peakRssMb} MB) | ${r.progressEvents}, longest gap ${r.maxProgressGapMs} ms |`)
    .join('\n');
  return `## Bulk import (\`npm run bench:import\`)

${new Date().toISOString().slice(0, 10)}, ${cpuModel()}, Node ${process.version}; the hub as processes of its own (router, subgraphs, PostgreSQL on the same 2 cores, nothing pinned).
A generated file of ${ROWS.toLocaleString('en-US')} customers (${(bytes / 1024 / 1024).toFixed(0)} MB) uploaded to \`POST /imports/customers?mode=upsert\`; the queues subgraph's job sends batches of 2,000 rows, two at a time, through the router to \`importCustomers\`, which writes each batch and its events with one set-based statement (rows equal to the stored ones are not sent to it). Every process runs with the Dockerfile's NODE_OPTIONS (${DEPLOYED_NODE_OPTIONS}). Rows per second are the job's (startedAt to finishedAt; the upload, stored in PostgreSQL in 256 KiB chunks, is before it). Memory is the queues process's (compiled, with the Node flags its compose service runs it with, ${nodeArgs.join(' ') || 'none'}; it stores the upload and reads the file): the highest of its RSS samples every 100 ms from the end of the upload, and its peak (VmHWM) since it started, the upload included; at rest, before the first upload, ${restMb} MB.

| Import | Status | Inserted / updated / unchanged / rejected | Upload | Job | Rows/s | Queues process RSS | importProgress events |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows}

- Second import (every row unchanged: no write, no event) **${(first.jobSeconds / second.jobSeconds).toFixed(2)}×** as fast as the first (target 2×).
- Customers stored after both: ${stored.toLocaleString('en-US')} (of ${ROWS.toLocaleString('en-US')}).
- Targets: ≥ ${TARGET_ROWS_PER_SECOND.toLocaleString('en-US')} rows/s, RSS < ${TARGET_RSS_MB} MB throughout, a progress event at least every second.
`;
}

async function main(): Promise<number> {
  const logger = createLogger('bench', 'warn');
  const { database, close } = await benchDatabase(logger);
  const services: ServiceProcess[] = [];
  const path = join(tmpdir(), `interchange-import-${process.pid}.csv`);
  try {
    console.log(`generating ${ROWS} customers`);
    const bytes = await generate(path, ROWS);
    const common = { ...subgraphSecurityEnv, DATABASE_URL: database.url, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production', PROCESSORS: 'none', NODE_OPTIONS: DEPLOYED_NODE_OPTIONS };
    const subgraphs = await spawnSubgraphs(common);
    services.push(...subgraphs.processes.values());
    const { process: routerProcess, url: routerUrl } = await spawnRouter(database.url, subgraphs, { NODE_OPTIONS: DEPLOYED_NODE_OPTIONS });
    services.push(routerProcess);
    const token = await roleToken('admin');
    const router = new GraphQLClient(routerUrl, async () => ({ authorization: `Bearer ${token}` }), 4);

    // The queues subgraph runs import jobs with credentials of its own: an API key, and the router's URL.
    const { createApiKey } = await router.request<{ createApiKey: { secret: string } }>("mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }", {
      input: { name: 'bench importer', scopes: ['customers:read', 'customers:write', 'orders:read', 'orders:write'] },
    });
    const first = subgraphs.processes.get('queues')!;
    const port = new URL(String((await first.logLine('subgraph listening')).url)).port;
    await first.kill();
    // Compiled, as `npm start` runs it: its memory is measured, and tsx's own would count in it.
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    // With the Node flags its compose service and Deployment run it with (BENCH_IMPORT_NODE_ARGS: others).
    const nodeArgs = env.BENCH_IMPORT_NODE_ARGS !== undefined ? env.BENCH_IMPORT_NODE_ARGS.split(' ').filter(Boolean) : [...(queuesSubgraph.nodeArgs ?? [])];
    const queues = spawnService('dist/subgraphs/queues/index.js', { ...common, PORT: port, ROUTER_URL: routerUrl, ROUTER_API_KEY: createApiKey.secret, IMPORT_MAX_BYTES: String(1024 ** 3), ...Object.fromEntries(['IMPORT_BATCH_ROWS', 'IMPORT_CONCURRENCY'].filter((name) => env[name]).map((name) => [name, env[name]!])) }, [...nodeArgs, ...cpuProfileArgs('queues')]);
    services.push(queues);
    await queues.logLine('subgraph listening');

    const runs: Run[] = [];
    const restMb = Math.round(memoryKb(queues.pid, 'VmRSS') / 1024);
    console.log(`queues process at rest: ${restMb} MB`);
    const named = () => [...subgraphs.processes.entries()].filter(([name]) => name !== 'queues').concat([['queues', queues], ['router', routerProcess]]);
    for (const name of ['first import (all new)', 'second import (all unchanged)']) {
      console.log(name);
      const cpuBefore = named().map(([service, p]) => [service, cpuSeconds(p.pid)] as const);
      runs.push(await run(name, path, routerUrl, token, router, () => queues));
      console.log(JSON.stringify(runs.at(-1)));
      console.log('cpu seconds', named().map(([service, p], index) => `${service} ${(cpuSeconds(p.pid) - cpuBefore[index]![1]).toFixed(1)}`).join(', '));
    }
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const stored = Number((await db.query(`select count(*) from customers.customers where external_id like 'BULK-%'`)).rows[0].count);
    await db.end();
    await router.close();

    const text = report(runs, bytes, stored, restMb, nodeArgs);
    console.log(text);
    if (!NO_WRITE) console.log(`wrote ${writeBenchmarkSection('import', text)}`);
    const [a, b] = runs as [Run, Run];
    const ok = stored === ROWS && a.job.rowsInserted === ROWS && b.job.rowsUnchanged === ROWS && a.rowsPerSecond >= TARGET_ROWS_PER_SECOND && Math.max(a.maxRssSampleMb, b.maxRssSampleMb) < TARGET_RSS_MB && a.jobSeconds / b.jobSeconds >= 2 && Math.max(a.maxProgressGapMs, b.maxProgressGapMs) <= 1_100;
    return ok ? 0 : 1;
  } finally {
    for (const service of services.reverse()) {
      // A CPU profile is written when the process stops by itself (BENCH_CPU_PROF).
      if (env.BENCH_CPU_PROF) {
        service.signal('SIGTERM');
        await service.exited().catch(() => {});
      }
      await service.kill().catch(() => {});
    }
    await close();
    rmSync(path, { force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
