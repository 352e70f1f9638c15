import { deepStrictEqual } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { fromRoot, projectRoot } from '../infra/paths.js';

/**
 * `npm run audit:federation -- [--suite <id> ...] [--planner hive|apollo] [--json <file>] [--min <passes>]`:
 * runs The Guild's federation gateway audit against our router and prints one `.` (pass) or `X` (fail)
 * per test, suite by suite, as the audit's results.txt does. docs/federation-audit.md has the scores.
 *
 * The audit's code never enters this repository. It is taken from AUDIT_DIR (a checkout) or else
 * fetched from GitHub at AUDIT_REF (default: AUDIT_COMMIT below) into a cache folder under the OS's
 * temporary folder, and installed there without its devDependencies (see installAudit).
 * Its subgraphs, every suite's on one port, run in one process; the router is built once if it is stale,
 * then started afresh for each suite on that suite's supergraph, with a clean environment.
 * Supergraphs and logs go to a new folder under the temporary folder, printed at the end.
 */
const usage = 'usage: npm run audit:federation -- [--suite <id> ...] [--planner hive|apollo] [--json <file>] [--min <passes>]';

const AUDIT_REPOSITORY = 'https://github.com/graphql-hive/federation-gateway-audit';
/** The audit's commit that docs/federation-audit.md reports on. */
const AUDIT_COMMIT = 'f59c05e3f48f4a4f8e8a731d67a1b71a9788a96f';
const PLANNERS = ['hive', 'apollo'] as const;
type Planner = (typeof PLANNERS)[number];

const ROUTER_ENTRY = fromRoot('dist/router/index.js');
/** What dist/router is built from: tsconfig.build.json's router and infra, less the dashboard, which it excludes. */
const ROUTER_SOURCES = ['router', 'infra'];
const ROUTER_SOURCES_EXCLUDED = join('router', 'dashboard') + sep;
const POLYFILL = fromRoot('scripts/audit/promise-with-resolvers.mjs');

/** How long the audit's server (which compiles every suite with tsx) and a router get to answer, and each readiness probe. */
const AUDIT_START_TIMEOUT_MS = 60_000;
const ROUTER_START_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 2_000;
/** The audit's own per-request timeout (src/test.ts). */
const TEST_TIMEOUT_MS = 10_000;
/** Room for a process to stop on SIGTERM before it gets SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;
const PRINTED_JSON_LENGTH = 400;

/** A test as `GET /<suite>/tests` serves it (the audit's src/testkit.ts). */
interface AuditTest {
  query: string;
  expected: { data?: unknown; errors?: boolean };
}

interface GraphQLResponse {
  data?: unknown;
  errors?: Array<{ message?: string }>;
}

interface SuiteResult {
  suite: string;
  /** One character per test, in the audit's order: `.` passed, `X` failed. */
  marks: string;
  routerStarted: boolean;
}

interface Failure {
  suite: string;
  index: number;
  query: string;
  expected: unknown;
  received: unknown;
}

/** Every child process still running, so that every way out of this script stops them. */
const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL if the process is still there after STOP_TIMEOUT_MS; resolves once it has exited. */
async function stop(child: ChildProcess): Promise<void> {
  // No pid: the process never started (the command was not found).
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited.catch(() => {});
  clearTimeout(timer);
}

/** Runs a command to its end with this terminal as its output; throws unless it exits with 0. */
async function run(command: string, args: string[], cwd: string): Promise<void> {
  const child = track(spawn(command, args, { cwd, stdio: 'inherit' }));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) ended with ${signal ?? `exit code ${code}`}`);
}

/** A port nothing listens on, found by binding port 0 on every interface. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, listening));
  const { port } = server.address() as AddressInfo;
  await new Promise((closed) => server.close(closed));
  return port;
}

/** Polls `ready` until it returns true (false: it did not within `timeoutMs`, or the process exited first). */
async function waitUntilReady(child: ChildProcess, ready: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    if (await ready().catch(() => false)) return true;
    await new Promise((wake) => setTimeout(wake, 100));
  }
  return false;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
  return (await response.json()) as T;
}

/** A request exactly as the audit's src/test.ts sends it: the query alone, no variables or operation name. */
async function postQuery(graphqlUrl: string, body: { query: string; operationName?: string }, timeoutMs = TEST_TIMEOUT_MS): Promise<GraphQLResponse> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return (await response.json()) as GraphQLResponse;
}

/**
 * The audit's comparison (src/test.ts): `data` deep-equal, in any key order; the presence of `errors`
 * only when the test states a boolean.
 */
function compared(test: AuditTest, response: GraphQLResponse): { expected: unknown; received: unknown } {
  const errorsOptional = typeof test.expected.errors !== 'boolean';
  return {
    expected: { data: test.expected.data ?? null, errors: errorsOptional ? null : test.expected.errors },
    received: { data: response.data ?? null, errors: errorsOptional ? null : Boolean(response.errors?.length) },
  };
}

function passes({ expected, received }: { expected: unknown; received: unknown }): boolean {
  try {
    deepStrictEqual(received, expected);
    return true;
  } catch {
    return false;
  }
}

/**
 * Installs the audit's run-time dependencies in `dir`. Its devDependencies are the other gateways it
 * scores (heavy, and not all resolvable from every registry) and its lock file pins them, so both go;
 * graphql, there only a devDependency and a peer, becomes a dependency. Install scripts are not run.
 */
async function installAudit(dir: string): Promise<void> {
  const manifestPath = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    overrides?: Record<string, string>;
  };
  manifest.dependencies = { graphql: manifest.devDependencies?.graphql ?? '^16', ...manifest.dependencies };
  manifest.overrides = { ...manifest.overrides, graphql: '$graphql' };
  delete manifest.devDependencies;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(join(dir, 'package-lock.json'), { force: true });
  await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], dir);
}

/**
 * The audit's checkout, installed: AUDIT_DIR as it is (installed first if it has no node_modules), or
 * a cached fetch of AUDIT_REF. A fetch is completed in a side folder and renamed, so that an
 * interrupted one is never reused.
 */
async function auditCheckout(): Promise<{ dir: string; source: string }> {
  if (process.env.AUDIT_DIR) {
    const dir = resolve(process.env.AUDIT_DIR);
    if (!existsSync(join(dir, 'src', 'cli.ts'))) throw new Error(`AUDIT_DIR=${dir}: no src/cli.ts there; expected a checkout of ${AUDIT_REPOSITORY}`);
    if (!existsSync(join(dir, 'node_modules'))) await installAudit(dir);
    return { dir, source: `AUDIT_DIR=${dir}` };
  }
  const ref = process.env.AUDIT_REF || AUDIT_COMMIT;
  const dir = join(tmpdir(), `interchange-federation-audit-${ref.replace(/[^\w.-]/g, '-')}`);
  const source = `${AUDIT_REPOSITORY} @ ${ref}`;
  if (existsSync(dir)) return { dir, source };
  const partial = `${dir}.partial-${process.pid}`;
  try {
    console.log(`fetching ${source} into ${dir}`);
    await run('git', ['init', '--quiet', partial], tmpdir());
    await run('git', ['fetch', '--quiet', '--depth', '1', AUDIT_REPOSITORY, ref], partial);
    await run('git', ['checkout', '--quiet', 'FETCH_HEAD'], partial);
    await installAudit(partial);
    renameSync(partial, dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`could not fetch and install the audit (${error instanceof Error ? error.message : error}); set AUDIT_DIR to a checkout of it`);
  }
  return { dir, source };
}

/** Starts the audit's subgraph server, with our tsx and the polyfill; resolves with its URL once it answers. */
async function startAudit(dir: string, logPath: string): Promise<string> {
  const port = await freePort();
  const log = openSync(logPath, 'w');
  const server = track(
    spawn(process.execPath, ['--import', pathToFileURL(POLYFILL).href, '--import', import.meta.resolve('tsx'), 'src/cli.ts', 'serve', '--port', String(port)], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', log, log],
    }),
  );
  closeSync(log);
  // The audit writes every subgraph URL into a supergraph from the address it was asked on.
  const url = `http://127.0.0.1:${port}`;
  if (!(await waitUntilReady(server, async () => (await fetch(`${url}/_health`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })).ok, AUDIT_START_TIMEOUT_MS))) {
    throw new Error(`the audit's subgraph server did not answer on ${url}/_health; see ${logPath}`);
  }
  return url;
}

/** True when dist/router/index.js is missing or older than a source file. */
function routerIsStale(): boolean {
  if (!existsSync(ROUTER_ENTRY)) return true;
  const built = statSync(ROUTER_ENTRY).mtimeMs;
  return ROUTER_SOURCES.some((dir) =>
    readdirSync(fromRoot(dir), { recursive: true, encoding: 'utf8' }).some((file) => {
      const path = join(dir, file);
      return path.endsWith('.ts') && !path.startsWith(ROUTER_SOURCES_EXCLUDED) && statSync(fromRoot(path)).mtimeMs > built;
    }),
  );
}

/** What every suite's router shares. */
interface RouterSettings {
  runDir: string;
  jwtSecret: string;
  planner: Planner | undefined;
}

/**
 * The router's whole environment. Nothing comes from the caller's shell: a SUBGRAPH_<NAME>_URL that
 * names no subgraph of the suite's supergraph, for one, stops the router.
 */
function routerEnv(port: number, supergraphPath: string, { jwtSecret, planner }: RouterSettings): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    SUPERGRAPH_PATH: supergraphPath,
    // Without it the router writes a development secret into the project's DATA_DIR.
    JWT_SECRET: jwtSecret,
    RATE_LIMIT_PER_CLIENT: '0',
    RESPONSE_CACHE: 'false',
    METRICS: 'false',
    ...(planner ? { QUERY_PLANNER: planner } : {}),
  };
}

/** The audit's readiness check for a gateway: /health answers 2xx, then `query ping { __typename }` answers "Query". */
async function routerAnswers(origin: string): Promise<boolean> {
  if (!(await fetch(`${origin}/health`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })).ok) return false;
  const ping = await postQuery(`${origin}/graphql`, { operationName: 'ping', query: 'query ping { __typename }' }, PROBE_TIMEOUT_MS);
  return (ping.data as { __typename?: unknown } | null | undefined)?.__typename === 'Query';
}

/** Runs one suite's tests, in order, against a router of its own, which is stopped before this returns. */
async function runSuite(auditUrl: string, suite: string, settings: RouterSettings): Promise<{ result: SuiteResult; failures: Failure[] }> {
  const supergraphPath = join(settings.runDir, `${suite}.graphql`);
  const logPath = join(settings.runDir, `${suite}.log`);
  const supergraph = await fetch(`${auditUrl}/${suite}/supergraph`);
  if (!supergraph.ok) throw new Error(`GET ${auditUrl}/${suite}/supergraph: ${supergraph.status} ${supergraph.statusText}`);
  writeFileSync(supergraphPath, await supergraph.text());
  const tests = await getJson<AuditTest[]>(`${auditUrl}/${suite}/tests`);

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const log = openSync(logPath, 'w');
  const router = track(spawn(process.execPath, [ROUTER_ENTRY], { cwd: projectRoot, env: routerEnv(port, supergraphPath, settings), stdio: ['ignore', log, log] }));
  closeSync(log);
  try {
    const routerStarted = await waitUntilReady(router, () => routerAnswers(origin), ROUTER_START_TIMEOUT_MS);
    let marks = '';
    const failures: Failure[] = [];
    for (const [index, test] of tests.entries()) {
      let outcome = compared(test, {});
      let passed = false;
      if (!routerStarted) {
        outcome.received = { error: `the router did not start; see ${logPath}` };
      } else {
        try {
          const response = await postQuery(`${origin}/graphql`, { query: test.query });
          outcome = compared(test, response);
          passed = passes(outcome);
          // A failure shows the error messages rather than only whether there were any.
          if (!passed) outcome.received = { data: response.data ?? null, errors: response.errors?.map((error) => error.message) ?? null };
        } catch (error) {
          outcome.received = { error: error instanceof Error ? error.message : String(error) };
        }
      }
      marks += passed ? '.' : 'X';
      if (!passed) failures.push({ suite, index, query: test.query.trim().replace(/\s+/g, ' '), ...outcome });
    }
    return { result: { suite, marks, routerStarted }, failures };
  } finally {
    await stop(router);
  }
}

function truncated(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > PRINTED_JSON_LENGTH ? `${text.slice(0, PRINTED_JSON_LENGTH)}…` : text;
}

function parseOptions() {
  try {
    return parseArgs({
      options: {
        suite: { type: 'string', multiple: true, default: [] },
        planner: { type: 'string' },
        json: { type: 'string' },
        min: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n${usage}`);
    process.exit(1);
  }
}
const values = parseOptions();
if (values.help) {
  console.log(usage);
  process.exit(0);
}
/** --planner, else QUERY_PLANNER, else none (the router's default). */
function plannerOption(): Planner | undefined {
  const value = values.planner ?? (process.env.QUERY_PLANNER || undefined);
  if (value === undefined || (PLANNERS as readonly string[]).includes(value)) return value as Planner | undefined;
  console.error(`${values.planner ? `--planner ${value}` : `QUERY_PLANNER=${value}`}: expected ${PLANNERS.join(' or ')}\n${usage}`);
  process.exit(1);
}
const planner = plannerOption();
const min = values.min === undefined ? undefined : Number(values.min);
if (min !== undefined && !(Number.isInteger(min) && min >= 0)) {
  console.error(`--min ${values.min}: expected a number of passes\n${usage}`);
  process.exit(1);
}

async function main(): Promise<number> {
  const startedAt = Date.now();
  const runDir = mkdtempSync(join(tmpdir(), 'interchange-federation-audit-run-'));
  const audit = await auditCheckout();
  if (routerIsStale()) {
    console.log('building the router: npx tsc -p tsconfig.build.json');
    await run('npx', ['tsc', '-p', 'tsconfig.build.json'], projectRoot);
  }
  const auditUrl = await startAudit(audit.dir, join(runDir, 'audit-subgraphs.log'));

  const ids = await getJson<string[]>(`${auditUrl}/ids`);
  const unknown = values.suite.filter((suite) => !ids.includes(suite));
  if (unknown.length > 0) throw new Error(`no suite ${unknown.join(', ')} in the audit; its suites are ${ids.join(', ')}`);
  const suites = values.suite.length > 0 ? ids.filter((id) => values.suite.includes(id)) : ids;
  console.log(`federation gateway audit ${audit.source}, ${suites.length} suite${suites.length === 1 ? '' : 's'}, planner: ${planner ?? "the router's default"}\n`);

  const settings: RouterSettings = { runDir, jwtSecret: randomBytes(32).toString('hex'), planner };
  const width = Math.max(...suites.map((suite) => suite.length)) + 2;
  const results: SuiteResult[] = [];
  const failures: Failure[] = [];
  for (const suite of suites) {
    const outcome = await runSuite(auditUrl, suite, settings);
    results.push(outcome.result);
    failures.push(...outcome.failures);
    console.log(`${suite.padEnd(width)}${outcome.result.marks}${outcome.result.routerStarted ? '' : '  (the router did not start)'}`);
  }

  const total = results.reduce((sum, result) => sum + result.marks.length, 0);
  const passed = total - failures.length;
  console.log(`---\nTotal: ${total}\nPassed: ${passed}\nFailed: ${failures.length}`);
  for (const failure of failures) {
    console.log(`\n${failure.suite} #${failure.index}\n  query     ${failure.query}`);
    console.log(`  expected  ${truncated(failure.expected)}\n  received  ${truncated(failure.received)}`);
  }
  if (values.json) {
    // `npm run` starts in the package folder; a relative path means the caller's own folder.
    const jsonPath = resolve(process.env.INIT_CWD ?? process.cwd(), values.json);
    const report = { date: new Date().toISOString(), audit: audit.source, planner: planner ?? null, total, passed, suites: results, failures };
    writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${jsonPath}`);
  }
  console.log(`\nsupergraphs and logs: ${runDir}\n${((Date.now() - startedAt) / 1000).toFixed(0)} s`);

  if (min !== undefined && passed < min) {
    console.error(`${passed} passes, fewer than --min ${min}`);
    return 1;
  }
  return 0;
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the audit's subgraph server and the router`);
    void Promise.all([...children].map(stop)).then(() => process.exit(code));
  });
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  await Promise.all([...children].map(stop));
}
process.exit(exitCode);
