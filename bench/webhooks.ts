/**
 * `npm run bench:webhooks`: outbound webhook delivery under load and through a crash, on loopback
 * against PostgreSQL.
 *
 * The hub runs as processes (subgraphs and router); three local receivers verify every delivery
 * with the `standardwebhooks` package, one of them answering 500 to every second request for the
 * steady run's first minute. The events are committed to the hub's event store by the bench
 * process itself (as a subgraph commits its events), at a steady rate, so that the server core
 * does the webhook work alone; each receiver's endpoint subscribes to their type.
 *
 * 0. Warm-up: BENCH_WARMUP_EVENTS (1,000) events at the same rate, right after the processes
 *    start (JIT, pools, connections): checked like the others, their delays reported on a row of
 *    their own and not in the steady run's percentiles.
 * 1. Steady run: BENCH_EVENTS (10,000) events at BENCH_RATE (200/s). Counted per receiver: lost
 *    (an event never delivered), delivered twice (a second 2xx for one webhook-id), invalid
 *    signatures; commit-to-delivery p50/p99 for the healthy receivers (from the event's
 *    `occurredAt` to the receiver reading the request).
 * 2. Crash run: BENCH_CRASH_EVENTS (2,000) more events while the queues subgraph (which sends the
 *    webhooks) is killed with SIGKILL halfway and started again: still 0 lost (a delivery in flight
 *    at the kill may arrive twice: counted, allowed by at-least-once).
 *
 * Writes its section of docs/benchmarks.md (BENCH_NO_WRITE=true: print only) and exits non-zero
 * when a delivery was lost or a signature did not verify.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createDatabase } from '../infra/db/database.js';
import { appendEvents } from '../infra/events/event-store.js';
import { createLogger } from '../infra/logger.js';
import { spawnService, type ServiceProcess } from '../test/support/service-process.js';
import { roleToken } from '../test/support/tokens.js';
import { subgraphSecurityEnv } from './bench-security.js';
import { cpuModel, writeBenchmarkSection } from './benchmarks-doc.js';
import { GraphQLClient } from './graphql-client.js';
import { benchDatabase, CLIENT_CORE, percentile, pin, SERVER_CORE, spawnRouter, spawnSubgraphs } from './hub-processes.js';

const env = process.env;
const EVENTS = Number(env.BENCH_EVENTS ?? 10_000);
/** Events sent first to warm the hub's processes up (JIT, pools, connections): delivered and checked, their delays reported apart. */
const WARMUP_EVENTS = Number(env.BENCH_WARMUP_EVENTS ?? 1_000);
const CRASH_EVENTS = Number(env.BENCH_CRASH_EVENTS ?? 2_000);
const RATE = Number(env.BENCH_RATE ?? 200);
const FLAKY_SECONDS = Number(env.BENCH_FLAKY_SECONDS ?? 60);
const DRAIN_TIMEOUT_MS = Number(env.BENCH_DRAIN_TIMEOUT_MS ?? 180_000);
const NO_WRITE = env.BENCH_NO_WRITE === 'true';
/** Requests in flight per endpoint: the hub's default, 4. */
const MAX_CONCURRENCY = Number(env.BENCH_MAX_CONCURRENCY ?? 4);
const TICK_MS = 50;
const EVENT_TYPE = 'bench.item_created';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Receiver {
  name: string;
  url: string;
  healthy: boolean;
  server: Server;
  verifier?: Webhook;
  /** 2xx answers per webhook-id. */
  answered: Map<string, number>;
  /** Events delivered (their customer id), with the delay from the event's commit. */
  delivered: Map<string, number>;
  invalid: number;
  refused: number;
  /** From when a flaky receiver answers 500 to every second request (for FLAKY_SECONDS); unset: not yet. */
  flakySince?: number;
}

/** The customer id and commit time an event's delivery carries, wherever the body puts them. */
function eventOf(body: unknown): { id: string; committedAt: number } | undefined {
  const data = (body as { data?: Record<string, any> }).data ?? {};
  const id = data.subject?.id ?? data.id ?? data.data?.id;
  const occurredAt = data.occurredAt ?? (body as { timestamp?: string }).timestamp;
  return typeof id === 'string' && occurredAt ? { id, committedAt: Date.parse(occurredAt) } : undefined;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

async function startReceiver(name: string, healthy: boolean): Promise<Receiver> {
  let requests = 0;
  const receiver = { name, healthy, answered: new Map(), delivered: new Map(), invalid: 0, refused: 0 } as unknown as Receiver;
  receiver.server = createServer((request, response) => {
    const arrived = Date.now();
    void readBody(request).then((body) => {
      requests++;
      if (!healthy && receiver.flakySince !== undefined && arrived - receiver.flakySince < FLAKY_SECONDS * 1000 && requests % 2 === 0) {
        receiver.refused++;
        response.writeHead(500).end('flaky');
        return;
      }
      let payload: unknown;
      try {
        payload = receiver.verifier!.verify(body, request.headers as Record<string, string>);
      } catch {
        receiver.invalid++;
        response.writeHead(400).end('bad signature');
        return;
      }
      const id = String(request.headers['webhook-id']);
      receiver.answered.set(id, (receiver.answered.get(id) ?? 0) + 1);
      const event = eventOf(payload);
      if (event && !receiver.delivered.has(event.id)) receiver.delivered.set(event.id, arrived - event.committedAt);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hook`;
  return receiver;
}

/** Creates `count` customers at RATE per second; resolves with their ids. `halfway` runs once, at half. */
/**
 * Commits `count` events at RATE per second straight into the hub's event store (appendEvents, as
 * a subgraph's transaction does, NOTIFY included), a transaction per tick; resolves with their
 * subjects' ids. `halfway` runs once, at half.
 */
async function produce(db: Kysely<unknown>, count: number, label: string, halfway?: () => Promise<void>): Promise<string[]> {
  const ids: string[] = [];
  const started = Date.now();
  let halfDone = false;
  while (ids.length < count) {
    const due = Math.min(count, Math.floor(((Date.now() - started) / 1000) * RATE) + 1);
    const batch = Array.from({ length: due - ids.length }, (_, i) => ({ id: randomUUID(), n: ids.length + i }));
    if (batch.length > 0) {
      await db.transaction().execute((trx) =>
        appendEvents(
          trx,
          batch.map(({ id, n }) => ({ type: EVENT_TYPE, source: 'bench', subject: { typename: 'BenchItem', id }, data: { run: label, n }, requestId: null })),
        ),
      );
      ids.push(...batch.map(({ id }) => id));
    }
    if (halfway && !halfDone && ids.length >= count / 2) {
      halfDone = true;
      await halfway();
    }
    await sleep(TICK_MS);
  }
  return ids;
}

/** Waits until every receiver has every id, or the drain timeout. */
async function drain(receivers: Receiver[], ids: string[]): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < DRAIN_TIMEOUT_MS) {
    if (receivers.every((receiver) => ids.every((id) => receiver.delivered.has(id)))) break;
    await sleep(200);
  }
  return Date.now() - started;
}

interface RunResult {
  label: string;
  events: number;
  seconds: number;
  drainSeconds: number;
  perReceiver: { name: string; healthy: boolean; delivered: number; lost: number; twice: number; invalid: number; refused: number; p50: number; p99: number; max: number }[];
}

const snapshot = (receivers: Receiver[]) => new Map(receivers.map((receiver) => [receiver.name, { answered: new Map(receiver.answered), refused: receiver.refused }]));

function tally(label: string, receivers: Receiver[], ids: string[], seconds: number, drainMs: number, before: ReturnType<typeof snapshot>): RunResult {
  return {
    label,
    events: ids.length,
    seconds,
    drainSeconds: drainMs / 1000,
    perReceiver: receivers.map((receiver) => {
      const delays = ids.flatMap((id) => (receiver.delivered.has(id) ? [receiver.delivered.get(id)!] : [])).sort((a, b) => a - b);
      const earlier = before.get(receiver.name)!;
      let twice = 0;
      for (const [webhookId, count] of receiver.answered) twice += Math.max(0, count - Math.max(1, earlier.answered.get(webhookId) ?? 0));
      return {
        name: receiver.name,
        healthy: receiver.healthy,
        delivered: delays.length,
        lost: ids.length - delays.length,
        twice,
        invalid: receiver.invalid,
        refused: receiver.refused - earlier.refused,
        p50: percentile(delays, 50),
        p99: percentile(delays, 99),
        max: delays.at(-1) ?? NaN,
      };
    }),
  };
}


async function main(): Promise<number> {
  const logger = createLogger('bench', 'warn');
  const { database, close } = await benchDatabase(logger);
  const services: ServiceProcess[] = [];
  const closers: (() => Promise<void>)[] = [];
  const receivers = [await startReceiver('receiver A', true), await startReceiver('receiver B (500 to every 2nd request, the steady run\'s first minute)', false), await startReceiver('receiver C', true)];
  try {
    const common = {
      ...subgraphSecurityEnv,
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info', // production's default; the bench waits for the 'listening' lines
      NODE_ENV: 'production',
      PROCESSORS: 'none',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    };
    const subgraphs = await spawnSubgraphs(common);
    services.push(...subgraphs.processes.values());
    const { process: routerProcess, url: routerUrl } = await spawnRouter(database.url, subgraphs);
    services.push(routerProcess);
    for (const service of services) pin(service.pid, SERVER_CORE);
    pin(process.pid, CLIENT_CORE);

    const token = await roleToken('admin');
    const router = new GraphQLClient(routerUrl, async () => ({ authorization: `Bearer ${token}` }), 32);
    const producer = createDatabase<unknown>({ url: database.url, poolMax: 2, connectTimeoutMs: 5_000, schema: 'events', logger });
    closers.push(() => producer.close());
    for (const receiver of receivers) {
      const { createWebhookEndpoint } = await router.request<{ createWebhookEndpoint: { secret: string } }>(
        'mutation ($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }',
        { input: { url: receiver.url, eventTypes: [EVENT_TYPE], description: receiver.name, maxConcurrency: MAX_CONCURRENCY } },
      );
      receiver.verifier = new Webhook(createWebhookEndpoint.secret);
    }

    console.log(`warm-up: ${WARMUP_EVENTS} events at ${RATE}/s`);
    let before = snapshot(receivers);
    let started = Date.now();
    const warmUpIds = await produce(producer.db, WARMUP_EVENTS, 'warm-up');
    const warmUp = tally('warm-up', receivers, warmUpIds, (Date.now() - started) / 1000, await drain(receivers, warmUpIds), before);

    console.log(`steady run: ${EVENTS} events at ${RATE}/s to ${receivers.length} receivers`);
    before = snapshot(receivers);
    for (const receiver of receivers) if (!receiver.healthy) receiver.flakySince = Date.now();
    started = Date.now();
    const steadyIds = await produce(producer.db, EVENTS, 'steady');
    const steadySeconds = (Date.now() - started) / 1000;
    const steady = tally('steady', receivers, steadyIds, steadySeconds, await drain(receivers, steadyIds), before);

    console.log(`crash run: ${CRASH_EVENTS} events, the queues subgraph killed (SIGKILL) halfway and started again`);
    const queues = subgraphs.processes.get('queues')!;
    const queuesPort = new URL(String((await queues.logLine('subgraph listening')).url)).port;
    before = snapshot(receivers);
    started = Date.now();
    const crashIds = await produce(producer.db, CRASH_EVENTS, 'crash', async () => {
      await queues.kill();
      const restarted = spawnService('subgraphs/queues/index.ts', { ...common, PORT: queuesPort });
      services.push(restarted);
      await restarted.logLine('subgraph listening');
      pin(restarted.pid, SERVER_CORE);
    });
    const crashSeconds = (Date.now() - started) / 1000;
    const crash = tally('crash', receivers, crashIds, crashSeconds, await drain(receivers, crashIds), before);
    await router.close();

    const runs = [warmUp, steady, crash];
    const text = report(runs);
    console.log(text);
    if (!NO_WRITE) writeBenchmarkSection('webhooks', text);
    const failed = runs.some((run) => run.perReceiver.some((receiver) => receiver.lost > 0 || receiver.invalid > 0));
    return failed ? 1 : 0;
  } finally {
    for (const closer of closers) await closer();
    for (const service of services.reverse()) await service.kill();
    for (const receiver of receivers) receiver.server.close();
    await close();
  }
}

const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(0));

function report(runs: RunResult[]): string {
  const [, steady, crash] = runs as [RunResult, RunResult, RunResult];
  const healthy = steady.perReceiver.filter((receiver) => receiver.healthy);
  const p99 = Math.max(...healthy.map((receiver) => receiver.p99));
  const lost = runs.flatMap((run) => run.perReceiver).reduce((sum, receiver) => sum + receiver.lost, 0);
  const invalid = runs.flatMap((run) => run.perReceiver).reduce((sum, receiver) => sum + receiver.invalid, 0);
  const twiceHealthy = healthy.reduce((sum, receiver) => sum + receiver.twice, 0);
  const rows = runs.flatMap((run) =>
    run.perReceiver.map(
      (receiver) =>
        `| ${run.label} | ${receiver.name} | ${run.events.toLocaleString('en-US')} | ${(run.events / run.seconds).toFixed(0)} | ${receiver.delivered.toLocaleString('en-US')} | ${receiver.lost} | ${receiver.twice} | ${receiver.invalid} | ${receiver.refused} | ${ms(receiver.p50)} | ${ms(receiver.p99)} | ${ms(receiver.max)} | ${run.drainSeconds.toFixed(1)} |`,
    ),
  );
  return [
    '## Webhooks (`npm run bench:webhooks`)',
    '',
    `${new Date().toISOString().slice(0, 10)}, ${cpuModel()}, Node ${process.version}; the hub as processes (subgraphs and router) on core ${SERVER_CORE}, the event producer and`,
    `three local receivers in the bench process on core ${CLIENT_CORE}, PostgreSQL where the scheduler puts it. Endpoints have maxConcurrency ${MAX_CONCURRENCY}.`,
    `The events (\`${EVENT_TYPE}\`) are committed to the hub's event store by the bench process, a transaction per ${TICK_MS} ms as a subgraph`,
    'commits its events (NOTIFY included), so that the server core does the webhook work alone. Every receiver has an endpoint for them',
    'and verifies each delivery with the `standardwebhooks` package. Receiver B answers 500 to every',
    `second request for the first ${FLAKY_SECONDS} s of the steady run. Delay: from the event's \`occurredAt\` (its transaction) to the receiver reading the request.`,
    `The warm-up run (${WARMUP_EVENTS.toLocaleString('en-US')} events right after the processes started: JIT, pools, connections) is reported apart; the steady run follows it.`,
    '"Twice": a second 2xx for one `webhook-id`. The crash run kills the queues subgraph (which sends the webhooks) with SIGKILL halfway',
    'through and starts it again on the same port; a delivery in flight at the kill may then arrive twice (at-least-once).',
    '',
    '| run | receiver | events | events/s | delivered | lost | twice | bad signatures | refused (500) | p50 ms | p99 ms | max ms | drain s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Against the targets:',
    `- 0 lost, in every run: ${lost} lost: ${lost === 0 ? 'met' : 'MISSED'}.`,
    `- 0 delivered twice to a healthy receiver (steady run): ${twiceHealthy}: ${twiceHealthy === 0 ? 'met' : 'MISSED'}; crash run: ${crash.perReceiver.filter((r) => r.healthy).reduce((sum, r) => sum + r.twice, 0)} (allowed).`,
    `- Every signature valid by \`standardwebhooks\`: ${invalid} invalid: ${invalid === 0 ? 'met' : 'MISSED'}.`,
    `- Commit-to-delivery p99 under 500 ms at ${RATE} events/s for the healthy receivers: ${ms(p99)} ms: ${p99 < 500 ? 'met' : 'MISSED'}.`,
    '',
  ].join('\n');
}

process.exit(await main());
