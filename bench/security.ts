/**
 * `npm run bench:security`: the hostile cases of test/support/hostile-cases.ts (the ones
 * test/hostile-input.test.ts asserts) against the whole hub run as in production: PostgreSQL, the
 * three subgraphs and the router as separate processes, NODE_ENV=production, the router pinned
 * to one core. Each case runs RUNS times while /health is polled every 50 ms; for each it writes
 * the answer, the time to it (median), /health's latency meanwhile (max and p99) and the router
 * process's peak RSS (VmHWM, reset before every run) into docs/security.md. A router that stops
 * answering is killed and started again, and the case is not run again.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createLogger } from '../infra/logger.js';
import { fromRoot } from '../infra/paths.js';
import { graphql } from '../test/support/hub.js';
import {
  CASE_CEILING_MS,
  describeOutcome,
  hostileCases,
  HOSTILE_ROUTER_ENV,
  pollHealth,
  problemsOf,
  runCase,
  type CaseRun,
  type HostileCase,
} from '../test/support/hostile-cases.js';
import { spawnService, type ServiceProcess } from '../test/support/service-process.js';
import { cpuModel } from './benchmarks-doc.js';
import { benchDatabase, CLIENT_CORE, memoryKb, percentile, pin, SERVER_CORE, spawnSubgraphs } from './hub-processes.js';
import { routerSecurityEnv, subgraphSecurityEnv } from './bench-security.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Cases that wait for one of the router's timeouts on purpose run fewer times: their time is the timeout. */
const WAITING_RUNS = Math.min(RUNS, 2);
const POLL_MS = 50;
/** How long /health is polled on the idle router, for comparison. */
const IDLE_MS = 3_000;
const TARGETS = { routerMs: 250, healthMs: 50, peakRssMb: 300 };
/** Resets the process's VmHWM to its current RSS (Linux 4.0+); false where that is not allowed. */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

interface CaseResult {
  hostile: HostileCase;
  runs: CaseRun[];
  /** Peak RSS of the router during each run, in MB. */
  peakRssMb: number[];
  /** How far each run's peak rose over the RSS at its start, in MB. */
  growthMb: number[];
  restarted: boolean;
}

/** The router as a process of its own, replaced when a case leaves it unable to answer. */
class RouterProcess {
  process!: ServiceProcess;
  url!: string;
  /** Whether VmHWM can be reset per run; without it, peaks are sampled from VmRSS. */
  resettable = true;

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    this.process = spawnService('router/index.ts', this.env);
    this.url = String((await this.process.logLine('router listening')).url);
    pin(this.process.pid, SERVER_CORE);
    // The first requests compile code paths; the cases should not pay for that.
    for (let i = 0; i < 20; i++) await graphql(this.url, '{ customerGroups { code } customers(first: 5) { edges { node { name orders { totalCount } } } } }');
  }

  async restart(): Promise<void> {
    await this.process.kill();
    await this.start();
  }

  /** Runs the case once, measuring the router's peak RSS while it runs. */
  async run(hostile: HostileCase): Promise<{ run: CaseRun; peakRssMb: number; growthMb: number }> {
    const pid = this.process.pid;
    this.resettable = this.resettable && resetPeakRss(pid);
    const startKb = memoryKb(pid, 'VmRSS');
    let sampledKb = startKb;
    const sampler = this.resettable ? undefined : setInterval(() => (sampledKb = Math.max(sampledKb, memoryKb(pid, 'VmRSS'))), 10);
    const run = await runCase(hostile, this.url, { ceilingMs: CASE_CEILING_MS, pollMs: POLL_MS });
    clearInterval(sampler);
    const peakKb = this.resettable ? memoryKb(pid, 'VmHWM') : sampledKb;
    return { run, peakRssMb: peakKb / 1024, growthMb: Math.max(0, peakKb - startKb) / 1024 };
  }

  async answers(): Promise<boolean> {
    return 'latencyMs' in (await pollHealth(this.url));
  }
}

async function measure(router: RouterProcess, hostile: HostileCase): Promise<CaseResult> {
  const result: CaseResult = { hostile, runs: [], peakRssMb: [], growthMb: [], restarted: false };
  const runs = hostile.waits ? WAITING_RUNS : RUNS;
  for (let i = 0; i < runs; i++) {
    const { run, peakRssMb, growthMb } = await router.run(hostile);
    result.runs.push(run);
    result.peakRssMb.push(peakRssMb);
    result.growthMb.push(growthMb);
    if (!(await router.answers())) {
      result.restarted = true;
      await router.restart();
      break;
    }
  }
  return result;
}

function gitCommit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: fromRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return dirty ? `${commit} with uncommitted changes` : commit;
  } catch {
    return 'an unknown commit';
  }
}

/** The router with no case running: /health polled every POLL_MS for `ms`. */
async function idleHealth(router: RouterProcess, ms: number): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const started = performance.now();
    const polled = await pollHealth(router.url);
    if ('latencyMs' in polled) latencies.push(polled.latencyMs);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + POLL_MS - performance.now())));
  }
  return latencies.sort((a, b) => a - b);
}

interface Baseline {
  /** The machine's 1-minute load average as the cases started: other work on the machine shows in the latencies. */
  load: number;
  rssMb: number;
  /** /health latencies of the idle router, sorted. */
  idleHealthMs: number[];
}

function report(results: CaseResult[], baseline: Baseline, resettable: boolean): string {
  const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US'));
  const over = (value: number, target: number, text = ms(value)) => (value > target ? `**${text}**` : text);
  let asExpected = 0;
  let overTarget = 0;
  const rows = results.map((result) => {
    const { hostile, runs } = result;
    const answers = [...new Set(runs.map((run) => (run.outcome ? describeOutcome(run.outcome) : `no answer: ${run.failure}`)))];
    const good = runs.every((run) => problemsOf(hostile, run).length === 0);
    if (good) asExpected += 1;
    const latencies = runs.flatMap((run) => run.health.latenciesMs).sort((a, b) => a - b);
    const healthFailures = runs.reduce((n, run) => n + run.health.failures.length, 0);
    const healthMax = latencies.at(-1) ?? NaN;
    const healthP99 = percentile(latencies, 99);
    const routerMs = median(runs.map((run) => run.elapsedMs));
    const peak = Math.max(...result.peakRssMb);
    const growth = Math.max(...result.growthMb);
    const timeCell = hostile.waits ? `${ms(routerMs)} (waits for ${hostile.waits})` : over(routerMs, TARGETS.routerMs);
    const healthCell = `${over(healthMax, TARGETS.healthMs)} / ${over(healthP99, TARGETS.healthMs)}${healthFailures > 0 ? `, **${healthFailures} polls failed**` : ''}`;
    if ((!hostile.waits && routerMs > TARGETS.routerMs) || healthMax > TARGETS.healthMs || healthFailures > 0 || peak > TARGETS.peakRssMb) overTarget += 1;
    const answer = `${answers.join('; ')}${result.restarted ? '; **the router stopped answering and was restarted**' : ''}`;
    return `| ${hostile.name} | ${hostile.transport} | ${hostile.expected.description} | ${answer.replaceAll('|', '\\|')} | ${good ? 'yes' : '**no**'} | ${timeCell} | ${healthCell} | ${over(peak, TARGETS.peakRssMb, peak.toFixed(0))} | ${growth.toFixed(0)} | ${runs.length} |`;
  });

  return `# Security: hostile input

Written by \`npm run bench:security\` on ${new Date().toISOString().slice(0, 10)} (${gitCommit()}), on ${cpuModel()}, Node ${process.version}.

Each hostile case of \`test/support/hostile-cases.ts\` (the ones \`test/hostile-input.test.ts\` asserts) is
sent to the whole hub run as in production: PostgreSQL, the three subgraphs and the router as separate
processes, \`NODE_ENV=production\` (introspection off), bearer JWTs verified, the router pinned to one core
and everything else on the other. The router runs with its defaults (OPERATION_MAX_TOKENS 5000,
OPERATION_MAX_ROOT_FIELDS 10, WS_MAX_PAYLOAD_BYTES 1 MiB, a 1 MiB body limit) and
${Object.entries(HOSTILE_ROUTER_ENV)
  .map(([name, value]) => `${name}=${value}`)
  .join(', ')}.

- **answer**: what the router answered (HTTP status, \`extensions.code\` and \`extensions.limit\`, or the
  WebSocket close code), and the answer's size. **as expected**: every run got the expected answer,
  never a 5xx or a stack trace, with every /health poll answered, within ${CASE_CEILING_MS / 1000} s.
- **router ms**: from sending the case to its answer, seen by the client (loopback), median of the runs
  (${RUNS}; ${WAITING_RUNS} for a case that waits for one of the router's timeouts, whose time is that timeout).
  Target: under ${TARGETS.routerMs} ms.
- **/health ms**: latency of GET /health, polled every ${POLL_MS} ms (one at a time, the first as the case starts)
  while the case ran, max and p99 over all its runs. Target: under ${TARGETS.healthMs} ms.
- **peak RSS**: the router process's ${resettable ? 'VmHWM from /proc/<pid>/status, reset (clear_refs) before each run' : 'VmRSS, sampled every 10 ms (VmHWM could not be reset here)'},
  the highest over the runs. Target: under ${TARGETS.peakRssMb} MB. V8 keeps much of the heap a case grew, so a
  peak includes what earlier cases left; **RSS growth** is how far a run's peak rose over the RSS at its start
  (the highest over the runs): the case's own cost.

The machine's load average was ${baseline.load.toFixed(1)} (${cpus().length} cores) as the cases started. Before the cases, after warm-up, the router's RSS was ${baseline.rssMb.toFixed(0)} MB, and /health polled the same way for
${IDLE_MS / 1000} s answered in ${ms(percentile(baseline.idleHealthMs, 50))} ms (median), ${ms(percentile(baseline.idleHealthMs, 99))} ms (p99), ${ms(baseline.idleHealthMs.at(-1) ?? NaN)} ms (max).

Figures over a target are in bold. ${asExpected} of ${results.length} cases were answered as expected; ${overTarget} missed a target.

| case | transport | expected | answer | as expected | router ms (target < ${TARGETS.routerMs}) | /health ms max / p99 (target < ${TARGETS.healthMs}) | peak RSS MB (target < ${TARGETS.peakRssMb}) | RSS growth MB | runs |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
}

async function main(): Promise<void> {
  pin(process.pid, CLIENT_CORE);
  const logger = createLogger('bench', 'warn');
  const { database, close } = await benchDatabase(logger);
  const common = { ...subgraphSecurityEnv, DATABASE_URL: database.url, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production' };
  const services: ServiceProcess[] = [];
  let router: RouterProcess | undefined;
  try {
    const subgraphs = await spawnSubgraphs(common);
    services.push(...subgraphs.processes.values());
    for (const service of services) pin(service.pid, CLIENT_CORE);

    // With DATABASE_URL, as in production: audit records of refused operations go to PostgreSQL.
    router = new RouterProcess({
      ...routerSecurityEnv,
      ...HOSTILE_ROUTER_ENV,
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...subgraphs.routerEnv,
    });
    await router.start();
    // Something for the queries that run to find.
    const created = await graphql(router.url, 'mutation { createCustomer(input: { name: "Bench Customer", email: "security-bench@example.com" }) { id } }');
    if (created.body.errors) throw new Error(`seeding failed: ${JSON.stringify(created.body.errors)}`);
    const baseline: Baseline = { load: loadavg()[0]!, rssMb: memoryKb(router.process.pid, 'VmRSS') / 1024, idleHealthMs: await idleHealth(router, IDLE_MS) };

    const results: CaseResult[] = [];
    for (const hostile of hostileCases()) {
      const result = await measure(router, hostile);
      const first = result.runs[0]!;
      console.log(`${hostile.name}: ${first.outcome ? describeOutcome(first.outcome) : first.failure}, ${Math.round(median(result.runs.map((run) => run.elapsedMs)))} ms${result.restarted ? ', router restarted' : ''}`);
      results.push(result);
    }
    const path = fromRoot('docs/security.md');
    writeFileSync(path, report(results, baseline, router.resettable));
    console.log(`wrote ${path}`);
  } finally {
    await router?.process?.kill();
    for (const service of services) await service.kill();
    await close();
  }
}

await main();
