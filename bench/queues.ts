/**
 * `npm run bench:queues`: the queues subgraph's throughput and push latency, in one run on
 * loopback against PostgreSQL, each against the engine measured in the same run:
 *
 * 1. the engine alone: QueuesRepository in this process on its own pool, publishing in batches
 *    of 100 while consumers receive and ack in batches of 100;
 * 2. the same load through the router's GraphQL API (publishMessages, receiveMessages max 100
 *    and ackMessages, over keep-alive HTTP with an admin bearer token);
 * 3. a FIFO queue with 100 ordering keys through the router, counting per-key order violations;
 * 4. queueMessages push subscribers (graphql-ws through the router) under a steady publish rate,
 *    each message acked on arrival in small batches: publish-to-subscriber latency;
 * 5. one call at a time through each layer (engine, subgraph directly, router): where a call's
 *    time and CPU go.
 *
 * Every run is counted: each message published must be acked once (lost), a second delivery is a
 * duplicate (allowed by at-least-once, counted apart), and PostgreSQL is asked at the end whether
 * every message of the queue is DONE. The router and the queues subgraph are processes of their
 * own on the server core (the engine alone runs there too); the load and the other subgraphs run
 * on the client core, and PostgreSQL where the scheduler puts it. The router gets the bench's
 * database, as in production (its audit records), never the server's default one. Writes its section of docs/benchmarks.md and exits
 * non-zero only when a message was lost (a missed speed target is reported, not fatal).
 *
 * Environment: BENCH_MESSAGES (20,000 per throughput run), BENCH_FIFO_MESSAGES (10,000),
 * BENCH_PUSH_RATE (500 per second), BENCH_PUSH_SECONDS (20), BENCH_PUSH_SUBSCRIBERS (1,2: a push run
 * for each count), BENCH_PUSH_PREFETCH (100), BENCH_ACK_BATCH (50) and BENCH_ACK_DELAY_MS (20) for
 * the push acks, BENCH_PUBLISH_TICK_MS (20: the push publisher sends what is due this often),
 * BENCH_NO_WRITE (true: print, leave the docs alone), DATABASE_URL (default: the machine's
 * postgres://postgres@127.0.0.1:5432/test when it answers, else an embedded PostgreSQL).
 */
import { sql, type Kysely } from 'kysely';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { scopesOf, type Principal } from '../infra/auth/principal.js';
import { subgraphUrlVariable } from '../infra/config.js';
import { createDatabase } from '../infra/db/database.js';
import { createLogger } from '../infra/logger.js';
import { QueuesRepository, type NewMessage, type QueueRow, type QueuesTables } from '../subgraphs/queues/queues-repository.js';
import type { Delivery } from '../subgraphs/queues/receipts.js';
import { internalHeaders } from '../test/support/hub.js';
import type { ServiceProcess } from '../test/support/service-process.js';
import { roleToken } from '../test/support/tokens.js';
import { subgraphSecurityEnv } from './bench-security.js';
import { cpuModel, writeBenchmarkSection } from './benchmarks-doc.js';
import { GraphQLClient } from './graphql-client.js';
import { benchDatabase, CLIENT_CORE, cpuSeconds, percentile, pin, SERVER_CORE, spawnRouter, spawnSubgraphs } from './hub-processes.js';

const env = process.env;
const MESSAGES = Number(env.BENCH_MESSAGES ?? 20_000);
const FIFO_MESSAGES = Number(env.BENCH_FIFO_MESSAGES ?? 10_000);
const PUSH_RATE = Number(env.BENCH_PUSH_RATE ?? 500);
const PUSH_SECONDS = Number(env.BENCH_PUSH_SECONDS ?? 20);
const PUSH_SUBSCRIBERS = (env.BENCH_PUSH_SUBSCRIBERS ?? '1,2').split(',').map(Number);
const NO_WRITE = env.BENCH_NO_WRITE === 'true';

const BATCH = 100;
const KEYS = 100;
const PRODUCERS = 2;
const CONSUMERS = 4;
/** Each side's PostgreSQL pool: the engine's here, and the queues subgraph's (DB_POOL_MAX). */
const POOL_MAX = 10;
const VISIBILITY_SECONDS = 30;
/** A consumer that finds nothing waits this long before it asks again (both paths alike). */
const EMPTY_WAIT_MS = 5;
/** A throughput run that has not completed by then stops, and what is missing counts as lost. */
const RUN_TIMEOUT_MS = 90_000;
/** Published before the measured push messages, at the same rate; counted, not timed. */
const PUSH_WARMUP_SECONDS = 2;
const PUSH_PREFETCH = Number(env.BENCH_PUSH_PREFETCH ?? 100);
/** A push subscriber acks what it has when it holds this many receipts, or after ACK_DELAY_MS. */
const ACK_BATCH = Number(env.BENCH_ACK_BATCH ?? 50);
const ACK_DELAY_MS = Number(env.BENCH_ACK_DELAY_MS ?? 20);
/** The push publisher sends what is due every PUBLISH_TICK_MS. */
const PUBLISH_TICK_MS = Number(env.BENCH_PUBLISH_TICK_MS ?? 20);
const DRAIN_TIMEOUT_MS = 20_000;
/** Calls of 100 per layer in the serial, one-call-at-a-time measurement. */
const LAYER_BATCHES = 40;

const TARGET_RATIO = 0.5;
const TARGET_RATE = 2_000;
const TARGET_P99_MS = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Milliseconds since the epoch, with the sub-millisecond part. */
const nowMs = () => performance.timeOrigin + performance.now();

interface Payload {
  seq: number;
  /** When the publish was sent (nowMs()); push messages only. */
  sentAt?: number;
}

interface Delivered<Handle> {
  payload: Payload;
  handle: Handle;
}

/** One way to reach the queues: the repository in this process, or a GraphQL endpoint (the router's, or the queues subgraph's). */
interface QueuePath<Handle> {
  name: string;
  publish(queue: string, messages: readonly { payload: Payload; orderingKey: string | null }[]): Promise<void>;
  receive(queue: string, max: number): Promise<Delivered<Handle>[]>;
  ack(handles: readonly Handle[]): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The paths

function enginePath(repository: QueuesRepository, queues: Map<string, QueueRow>): QueuePath<Delivery> {
  const newMessage = (payload: Payload, orderingKey: string | null): NewMessage => ({ payload, headers: null, priority: 0, delaySeconds: 0, dedupKey: null, orderingKey });
  return {
    name: 'engine',
    async publish(queue, messages) {
      const published = await repository.publish(
        queue,
        messages.map((message) => newMessage(message.payload, message.orderingKey)),
        null,
      );
      if (published?.length !== messages.length) throw new Error(`engine: publish to ${queue} answered ${published?.length} of ${messages.length}`);
    },
    async receive(queue, max) {
      const claimed = await repository.receive(queues.get(queue)!, max, VISIBILITY_SECONDS, null);
      return claimed.map(({ message, delivery }) => ({ payload: message.payload as Payload, handle: delivery }));
    },
    async ack(handles) {
      await repository.ack(handles);
    },
  };
}

const CREATE_QUEUE = 'mutation ($input: CreateQueueInput!) { createQueue(input: $input) { name } }';
const PUBLISH = 'mutation Publish($queue: String!, $inputs: [PublishMessageInput!]!) { publishMessages(queue: $queue, inputs: $inputs) { id } }';
const RECEIVE = 'mutation Receive($queue: String!, $max: Int!, $visibility: Int!) { receiveMessages(queue: $queue, max: $max, visibilitySeconds: $visibility) { receipt message { payload } } }';
const ACK = 'mutation Ack($receipts: [String!]!) { ackMessages(receipts: $receipts) }';
const SUBSCRIBE = `subscription Consume($queue: String!, $prefetch: Int!, $visibility: Int!) {
  queueMessages(queue: $queue, prefetch: $prefetch, visibilitySeconds: $visibility) { receipt message { payload } }
}`;

function graphqlPath(router: GraphQLClient, name = 'graphql'): QueuePath<string> {
  return {
    name,
    async publish(queue, messages) {
      const inputs = messages.map((message) => (message.orderingKey ? { payload: message.payload, orderingKey: message.orderingKey } : { payload: message.payload }));
      const data = await router.request<{ publishMessages: { id: string }[] }>(PUBLISH, { queue, inputs });
      if (data.publishMessages.length !== messages.length) throw new Error(`graphql: publish to ${queue} answered ${data.publishMessages.length} of ${messages.length}`);
    },
    async receive(queue, max) {
      const data = await router.request<{ receiveMessages: { receipt: string; message: { payload: Payload } }[] }>(RECEIVE, { queue, max, visibility: VISIBILITY_SECONDS });
      return data.receiveMessages.map((received) => ({ payload: received.message.payload, handle: received.receipt }));
    },
    async ack(handles) {
      await router.request(ACK, { receipts: handles });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Counting

/**
 * What consumers did with each message, by seq: deliveries beyond the first are duplicates; with
 * `keys`, a first delivery whose predecessor of the same key had not been acked (its ack not even
 * sent) is an order violation. The ack is marked when it is sent, before the server can commit it,
 * so a FIFO queue that keeps order is never counted as violating it.
 */
class Tally {
  readonly deliveries: Uint16Array;
  readonly acks: Uint8Array;
  completed = 0;
  duplicates = 0;
  violations = 0;
  ackErrors = 0;
  receiveErrors = 0;
  private readonly ackSent: Int32Array;

  constructor(
    readonly total: number,
    private readonly keys: number | null,
  ) {
    this.deliveries = new Uint16Array(total);
    this.acks = new Uint8Array(total);
    this.ackSent = new Int32Array(keys ?? 0).fill(-1);
  }

  delivered(seq: number): void {
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.total) throw new Error(`a message this run did not publish: seq ${seq}`);
    if (this.deliveries[seq]!++ > 0) {
      this.duplicates += 1;
      return;
    }
    if (this.keys && Math.floor(seq / this.keys) !== this.ackSent[seq % this.keys]! + 1) this.violations += 1;
  }

  ackSending(seqs: readonly number[]): void {
    if (!this.keys) return;
    for (const seq of seqs) this.ackSent[seq % this.keys] = Math.max(this.ackSent[seq % this.keys]!, Math.floor(seq / this.keys));
  }

  acked(seqs: readonly number[]): void {
    for (const seq of seqs) if (this.acks[seq]!++ === 0) this.completed += 1;
  }
}

/** The messages of `queue` by stored state, as PostgreSQL has them. */
async function statesOf(db: Kysely<QueuesTables>, queue: string): Promise<Record<string, number>> {
  const { rows } = await sql<{ state: string; count: string }>`
    select m.state, count(*) as count from queues.messages m join queues.queues q on q.id = m.queue_id
    where q.name = ${queue} group by m.state`.execute(db);
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
}

interface Check {
  /** Published and never acked, by the consumers' count or by PostgreSQL's, whichever is more. */
  lost: number;
  duplicates: number;
  /** Rows of the queue: must equal the messages published. */
  stored: number;
  notDone: number;
}

async function check(db: Kysely<QueuesTables>, queue: string, tally: Tally): Promise<Check> {
  const states = await statesOf(db, queue);
  const stored = Object.values(states).reduce((sum, count) => sum + count, 0);
  const done = states.DONE ?? 0;
  if (stored !== tally.total) console.error(`${queue}: PostgreSQL holds ${stored} messages, ${tally.total} were published`);
  return { lost: Math.max(tally.total - tally.completed, tally.total - done), duplicates: tally.duplicates, stored, notDone: stored - done };
}

// ---------------------------------------------------------------------------------------------
// CPU

interface CpuMeter {
  /** CPU seconds each measured process (and PostgreSQL's backends for the bench database) used since start. */
  stop(): Promise<Record<string, number>>;
}

async function postgresBackends(admin: pg.Pool, database: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [database]);
  return rows.map((row) => row.pid);
}

/** PostgreSQL's CPU is read from /proc: only when it runs on this machine (it does on loopback). */
async function startCpuMeter(processes: Record<string, number>, admin: pg.Pool, database: string): Promise<CpuMeter> {
  const before = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const backendsBefore = new Map((await postgresBackends(admin, database)).map((pid) => [pid, cpuSeconds(pid)]));
  return {
    async stop() {
      const used: Record<string, number> = {};
      for (const [name, pid] of Object.entries(processes)) used[name] = cpuSeconds(pid) - before[name]!;
      let postgres = 0;
      for (const pid of await postgresBackends(admin, database)) postgres += cpuSeconds(pid) - (backendsBefore.get(pid) ?? 0);
      used.postgres = Math.max(0, postgres);
      return used;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Throughput

interface CallTimes {
  publish: number[];
  receive: number[];
  ack: number[];
}

interface ThroughputResult {
  path: string;
  queue: string;
  kind: 'STANDARD' | 'FIFO';
  messages: number;
  publishedPerSecond: number;
  /** Messages acked per second, from the first publish to the last ack. */
  completedPerSecond: number;
  seconds: number;
  /** Median wall time of one call, ms. */
  publishMs: number;
  receiveMs: number;
  ackMs: number;
  /** Receives that found nothing. */
  emptyReceives: number;
  violations: number;
  ackErrors: number;
  receiveErrors: number;
  check: Check;
  cpu: Record<string, number>;
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

/**
 * PRODUCERS publish `total` messages in batches of BATCH while CONSUMERS receive (max BATCH) and
 * ack each batch they get, until every message is acked. Message `seq` has ordering key
 * `seq % KEYS` (sent on a FIFO queue only); each producer publishes the keys of its own, in seq
 * order, so that each key's publication order is its seq order.
 */
async function throughput<Handle>(
  path: QueuePath<Handle>,
  queue: string,
  kind: 'STANDARD' | 'FIFO',
  total: number,
  db: Kysely<QueuesTables>,
  meter: () => Promise<CpuMeter>,
): Promise<ThroughputResult> {
  const fifo = kind === 'FIFO';
  const tally = new Tally(total, fifo ? KEYS : null);
  const times: CallTimes = { publish: [], receive: [], ack: [] };
  let emptyReceives = 0;
  let published = 0;
  let publishedAt = 0;
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  const cpu = await meter();
  const started = performance.now();

  const produce = async (producer: number) => {
    const seqs: number[] = [];
    for (let seq = 0; seq < total; seq++) if ((seq % KEYS) % PRODUCERS === producer) seqs.push(seq);
    for (let from = 0; from < seqs.length; from += BATCH) {
      const batch = seqs.slice(from, from + BATCH).map((seq) => ({ payload: { seq }, orderingKey: fifo ? `key-${seq % KEYS}` : null }));
      const at = performance.now();
      await path.publish(queue, batch);
      times.publish.push(performance.now() - at);
      published += batch.length;
    }
  };
  const consume = async () => {
    while (tally.completed < total && Date.now() < deadline) {
      let got: Delivered<Handle>[];
      const at = performance.now();
      try {
        got = await path.receive(queue, BATCH);
      } catch (error) {
        tally.receiveErrors += 1;
        console.error(`${path.name} ${queue}: receive failed: ${String(error)}`);
        await sleep(100);
        continue;
      }
      times.receive.push(performance.now() - at);
      if (got.length === 0) {
        emptyReceives += 1;
        await sleep(EMPTY_WAIT_MS);
        continue;
      }
      const seqs = got.map((delivered) => delivered.payload.seq);
      for (const seq of seqs) tally.delivered(seq);
      tally.ackSending(seqs);
      const acking = performance.now();
      try {
        await path.ack(got.map((delivered) => delivered.handle));
        times.ack.push(performance.now() - acking);
        tally.acked(seqs);
      } catch (error) {
        // Not acked: delivered again after its visibility, which shows as a duplicate (or as lost if the run ends first).
        tally.ackErrors += 1;
        console.error(`${path.name} ${queue}: ack failed: ${String(error)}`);
      }
    }
  };

  const producers = Promise.all(Array.from({ length: PRODUCERS }, (_, producer) => produce(producer))).then(() => {
    publishedAt = performance.now();
  });
  await Promise.all([producers, ...Array.from({ length: CONSUMERS }, () => consume())]);
  const seconds = (performance.now() - started) / 1000;
  const used = await cpu.stop();
  if (published !== total) throw new Error(`${path.name} ${queue}: published ${published} of ${total}`);
  return {
    path: path.name,
    queue,
    kind,
    messages: total,
    publishedPerSecond: total / ((publishedAt - started) / 1000),
    completedPerSecond: tally.completed / seconds,
    seconds,
    publishMs: median(times.publish),
    receiveMs: median(times.receive),
    ackMs: median(times.ack),
    emptyReceives,
    violations: tally.violations,
    ackErrors: tally.ackErrors,
    receiveErrors: tally.receiveErrors,
    check: await check(db, queue, tally),
    cpu: used,
  };
}

// ---------------------------------------------------------------------------------------------
// Push latency

interface PushResult {
  queue: string;
  subscribers: number;
  rate: number;
  messages: number;
  /** Publish-to-subscriber delay of the messages after the warm-up, ms. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Messages delivered per second over the measured part. */
  deliveredPerSecond: number;
  publishMs: number;
  /** From the first publish until every message was acked (or the drain gave up). */
  seconds: number;
  subscriptionErrors: number;
  ackErrors: number;
  check: Check;
  cpu: Record<string, number>;
}

/**
 * `subscribers` graphql-ws clients subscribe to queueMessages through the router; this process
 * publishes at PUSH_RATE messages a second in batches due every PUBLISH_TICK_MS (without waiting for one
 * publish before the next), each payload carrying the time its publish was sent. Every message is
 * acked on arrival, in batches of up to ACK_BATCH or after ACK_DELAY_MS.
 */
async function pushLatency(router: GraphQLClient, token: string, queue: string, subscribers: number, db: Kysely<QueuesTables>, meter: () => Promise<CpuMeter>): Promise<PushResult> {
  const total = Math.round(PUSH_RATE * (PUSH_WARMUP_SECONDS + PUSH_SECONDS));
  const warmup = Math.round(PUSH_RATE * PUSH_WARMUP_SECONDS);
  const tally = new Tally(total, null);
  const delays: number[] = [];
  let subscriptionErrors = 0;
  let firstMeasured = 0;
  let lastMeasured = 0;

  const clients: Client[] = [];
  const stops: (() => void)[] = [];
  const flushes: Promise<void>[] = [];
  for (let i = 0; i < subscribers; i++) {
    let connected: () => void = () => {};
    const ready = new Promise<void>((resolve) => (connected = resolve));
    const client = createClient({
      url: router.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => {},
      on: { connected: () => connected(), closed: () => connected() },
    });
    clients.push(client);
    let receipts: { receipt: string; seq: number }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      const batch = receipts;
      receipts = [];
      if (batch.length === 0) return;
      const seqs = batch.map((item) => item.seq);
      const sent = router.request(ACK, { receipts: batch.map((item) => item.receipt) }).then(
        () => tally.acked(seqs),
        (error: unknown) => {
          tally.ackErrors += 1;
          console.error(`push ${queue}: ack failed: ${String(error)}`);
        },
      );
      flushes.push(sent);
    };
    stops.push(
      client.subscribe<{ queueMessages: { receipt: string; message: { payload: Payload } } }>(
        { query: SUBSCRIBE, variables: { queue, prefetch: PUSH_PREFETCH, visibility: VISIBILITY_SECONDS } },
        {
          next: ({ data, errors }) => {
            const arrived = nowMs();
            if (!data) {
              subscriptionErrors += 1;
              console.error(`push ${queue}: ${JSON.stringify(errors)}`);
              return;
            }
            const { receipt, message } = data.queueMessages;
            const { seq, sentAt } = message.payload;
            const first = tally.deliveries[seq] === 0;
            tally.delivered(seq);
            if (first && seq >= warmup && sentAt !== undefined) {
              delays.push(arrived - sentAt);
              firstMeasured ||= arrived;
              lastMeasured = arrived;
            }
            receipts.push({ receipt, seq });
            if (receipts.length >= ACK_BATCH) flush();
            else timer ??= setTimeout(flush, ACK_DELAY_MS);
          },
          error: (error) => {
            subscriptionErrors += 1;
            console.error(`push ${queue}: subscription ended: ${JSON.stringify(error)}`);
          },
          complete: () => {},
        },
      ),
    );
    await ready;
  }
  // Each subscriber's upstream subscription is open before the first publish.
  await sleep(1_000);

  const publishTimes: number[] = [];
  const publishing = new Set<Promise<void>>();
  const cpu = await meter();
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * PUSH_RATE) + 1);
    if (due > sent) {
      const batch = Array.from({ length: Math.min(BATCH, due - sent) }, (_, i) => sent + i);
      sent += batch.length;
      const at = nowMs();
      const publish = router
        .request(PUBLISH, { queue, inputs: batch.map((seq) => ({ payload: { seq, sentAt: at } })) })
        .then(() => {
          publishTimes.push(nowMs() - at);
        })
        .finally(() => publishing.delete(publish));
      publishing.add(publish);
    }
    await sleep(PUBLISH_TICK_MS);
  }
  await Promise.all(publishing);
  const drainUntil = Date.now() + DRAIN_TIMEOUT_MS;
  while (tally.completed < total && Date.now() < drainUntil) {
    await sleep(20);
    // A receipt held back by the batching timer goes at once now.
    await Promise.all(flushes.splice(0));
  }
  const seconds = (performance.now() - started) / 1000;
  const used = await cpu.stop();
  for (const stop of stops) stop();
  await Promise.all(clients.map((client) => client.dispose()));
  await Promise.all(flushes.splice(0));
  // Ending a subscription releases what it still held; that must be nothing.
  await sleep(500);

  delays.sort((a, b) => a - b);
  return {
    queue,
    subscribers,
    rate: PUSH_RATE,
    messages: total,
    p50: percentile(delays, 50),
    p95: percentile(delays, 95),
    p99: percentile(delays, 99),
    max: delays.at(-1) ?? NaN,
    deliveredPerSecond: delays.length / Math.max(0.001, (lastMeasured - firstMeasured) / 1000),
    publishMs: median(publishTimes),
    seconds,
    subscriptionErrors,
    ackErrors: tally.ackErrors,
    check: await check(db, queue, tally),
    cpu: used,
  };
}

// ---------------------------------------------------------------------------------------------
// Layers

interface LayerResult {
  layer: string;
  /** Median wall time of one call of 100 messages, ms, one call at a time. */
  publishMs: number;
  receiveMs: number;
  ackMs: number;
  /** CPU ms per 100 messages published, received and acked, by process. */
  cpuPer100: Record<string, number>;
}

/**
 * Where the time of one call goes, without contention: LAYER_BATCHES publishes of 100, one at a
 * time, then as many receives of 100 each followed by its ack, through one path.
 */
async function layer<Handle>(path: QueuePath<Handle>, name: string, queue: string, meter: () => Promise<CpuMeter>): Promise<LayerResult> {
  const times: CallTimes = { publish: [], receive: [], ack: [] };
  const timed = async <T>(list: number[], call: () => Promise<T>): Promise<T> => {
    const at = performance.now();
    const result = await call();
    list.push(performance.now() - at);
    return result;
  };
  const cpu = await meter();
  for (let batch = 0; batch < LAYER_BATCHES; batch++) {
    const messages = Array.from({ length: BATCH }, (_, i) => ({ payload: { seq: batch * BATCH + i }, orderingKey: null }));
    await timed(times.publish, () => path.publish(queue, messages));
  }
  for (let batch = 0; batch < LAYER_BATCHES; batch++) {
    const got = await timed(times.receive, () => path.receive(queue, BATCH));
    await timed(times.ack, () => path.ack(got.map((delivered) => delivered.handle)));
  }
  const used = await cpu.stop();
  return {
    layer: name,
    publishMs: median(times.publish),
    receiveMs: median(times.receive),
    ackMs: median(times.ack),
    cpuPer100: Object.fromEntries(Object.entries(used).map(([process, seconds]) => [process, (seconds * 1000) / LAYER_BATCHES])),
  };
}

// ---------------------------------------------------------------------------------------------
// The run

/** DATABASE_URL, else the machine's `test` database when it answers, else none (benchDatabase embeds one). */
async function chooseServer(): Promise<void> {
  if (env.DATABASE_URL) return;
  const url = 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    env.DATABASE_URL = url;
  } catch {
    // Not there: an embedded PostgreSQL.
  } finally {
    await client.end().catch(() => {});
  }
}

async function main(): Promise<number> {
  pin(process.pid, CLIENT_CORE);
  const logger = createLogger('bench', 'warn');
  await chooseServer();
  const { database, close } = await benchDatabase(logger);
  const databaseName = new URL(database.url).pathname.slice(1);
  const common = { ...subgraphSecurityEnv, DATABASE_URL: database.url, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production', DB_POOL_MAX: String(POOL_MAX) };
  const services: ServiceProcess[] = [];
  const engineDb = createDatabase<QueuesTables>({ url: database.url, poolMax: POOL_MAX, connectTimeoutMs: 5_000, schema: 'queues', logger });
  const admin = new pg.Pool({ connectionString: database.url, max: 1 });
  let router: GraphQLClient | undefined;
  let subgraph: GraphQLClient | undefined;
  try {
    // All of them, so that the router's supergraph is whole; the queues subgraph migrates the schema.
    const subgraphs = await spawnSubgraphs(common);
    services.push(...subgraphs.processes.values());
    const queues = subgraphs.processes.get('queues')!;
    // With the hub's database, as in production: audit records (batched) and the event follower.
    const { process: routerProcess, url: routerUrl } = await spawnRouter(database.url, subgraphs);
    services.push(routerProcess);
    for (const [name, service] of subgraphs.processes) pin(service.pid, name === 'queues' ? SERVER_CORE : CLIENT_CORE);
    pin(routerProcess.pid, SERVER_CORE);

    const token = await roleToken('admin');
    const bearer = { authorization: `Bearer ${token}` };
    router = new GraphQLClient(routerUrl, async () => bearer, PRODUCERS + CONSUMERS + 4);
    const principal: Principal = { kind: 'user', id: 'bench-queues', roles: ['admin'], scopes: scopesOf(['admin']) };
    subgraph = new GraphQLClient(subgraphs.routerEnv[subgraphUrlVariable('queues')]!, () => internalHeaders(principal, 'queues'), 1);
    const names = {
      warmEngine: 'warm-engine',
      warmGraphql: 'warm-graphql',
      engine: 'bench-engine',
      graphql: 'bench-graphql',
      fifo: 'bench-fifo',
      layerEngine: 'layer-engine',
      layerSubgraph: 'layer-subgraph',
      layerRouter: 'layer-router',
    };
    const pushQueues = PUSH_SUBSCRIBERS.map((subscribers) => `bench-push-${subscribers}`);
    for (const [key, name] of Object.entries(names)) {
      await router.request(CREATE_QUEUE, { input: { name, kind: key === 'fifo' ? 'FIFO' : 'STANDARD' } });
    }
    for (const name of pushQueues) await router.request(CREATE_QUEUE, { input: { name, kind: 'STANDARD' } });
    const repository = new QueuesRepository(engineDb.db);
    const rows = new Map((await repository.findByNames(Object.values(names))).map((row) => [row.name, row]));
    const engine = enginePath(repository, rows);
    const graphql = graphqlPath(router);
    const meter = () => startCpuMeter({ bench: process.pid, router: routerProcess.pid, queues: queues.pid }, admin, databaseName);

    // The engine runs in this process: on the server core while it is measured, as the queues subgraph does.
    pin(process.pid, SERVER_CORE);
    await throughput(engine, names.warmEngine, 'STANDARD', 2_000, engineDb.db, meter);
    const engineResult = await throughput(engine, names.engine, 'STANDARD', MESSAGES, engineDb.db, meter);
    console.log(JSON.stringify(engineResult));
    const layers = [await layer(engine, 'engine alone (in process)', names.layerEngine, meter)];
    pin(process.pid, CLIENT_CORE);

    await throughput(graphql, names.warmGraphql, 'STANDARD', 2_000, engineDb.db, meter);
    layers.push(await layer(graphqlPath(subgraph, 'subgraph'), 'queues subgraph directly (GraphQL over HTTP)', names.layerSubgraph, meter));
    layers.push(await layer(graphql, 'through the router', names.layerRouter, meter));
    for (const result of layers) console.log(JSON.stringify(result));
    const graphqlResult = await throughput(graphql, names.graphql, 'STANDARD', MESSAGES, engineDb.db, meter);
    console.log(JSON.stringify(graphqlResult));
    const fifoResult = await throughput(graphql, names.fifo, 'FIFO', FIFO_MESSAGES, engineDb.db, meter);
    console.log(JSON.stringify(fifoResult));
    const pushResults: PushResult[] = [];
    for (const [i, subscribers] of PUSH_SUBSCRIBERS.entries()) {
      pushResults.push(await pushLatency(router, token, pushQueues[i]!, subscribers, engineDb.db, meter));
      console.log(JSON.stringify(pushResults.at(-1)));
    }

    const lost = [engineResult, graphqlResult, fifoResult, ...pushResults].reduce((sum, result) => sum + result.check.lost, 0);
    report(engineResult, graphqlResult, fifoResult, pushResults, layers);
    if (lost > 0) console.error(`LOST ${lost} messages`);
    return lost > 0 ? 1 : 0;
  } finally {
    await router?.close();
    await subgraph?.close();
    await engineDb.close();
    await admin.end();
    for (const service of services) await service.kill();
    await close();
  }
}

function report(engine: ThroughputResult, graphql: ThroughputResult, fifo: ThroughputResult, pushes: PushResult[], layers: LayerResult[]): void {
  const rate = (value: number) => Math.round(value).toLocaleString('en-US');
  const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(1));
  const perMessage = (seconds: number, messages: number) => ((seconds * 1000) / messages).toFixed(2);
  const cpu = (used: Record<string, number>, ...names: string[]) => names.map((name) => `${name} ${(used[name] ?? 0).toFixed(1)}`).join(', ');
  const ratio = graphql.completedPerSecond / engine.completedPerSecond;
  const publishRatio = graphql.publishedPerSecond / engine.publishedPerSecond;
  const met = (ok: boolean) => (ok ? 'met' : '**missed**');
  const throughputRow = (name: string, result: ThroughputResult, versus: string) =>
    `| ${name} | ${rate(result.messages)} | ${rate(result.publishedPerSecond)} | ${rate(result.completedPerSecond)} | ${versus} | ${ms(result.publishMs)} / ${ms(result.receiveMs)} / ${ms(result.ackMs)} | ${result.kind === 'FIFO' ? result.violations : 'n/a'} | ${result.check.lost} | ${result.check.duplicates} | ${cpu(result.cpu, ...(result.path === 'engine' ? ['bench'] : ['router', 'queues']), 'postgres')} | ${perMessage(result.path === 'engine' ? result.cpu.bench! : result.cpu.router! + result.cpu.queues!, result.messages)} |`;
  const lines = [
    `| run | messages | published/s | completed/s (end to end) | completed / engine | ms per call: publish / receive / ack (median) | order violations | lost | duplicates | CPU s | core-0 CPU ms per message |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
    throughputRow('engine alone (QueuesRepository in process), STANDARD', engine, '1.00×'),
    throughputRow('router GraphQL API, STANDARD', graphql, `${ratio.toFixed(2)}×`),
    throughputRow(`router GraphQL API, FIFO with ${KEYS} ordering keys`, fifo, `${(fifo.completedPerSecond / engine.completedPerSecond).toFixed(2)}×`),
  ];
  const pushLines = [
    `| subscribers | publish rate /s | messages | p50 ms | p95 ms | p99 ms | max ms | delivered/s | publish call ms (median) | lost | duplicates | CPU s | core-0 CPU ms per message (router + queues) | core 0 busy with router + queues |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...pushes.map(
      (push) =>
        `| ${push.subscribers} | ${push.rate} | ${rate(push.messages)} | ${ms(push.p50)} | ${ms(push.p95)} | ${ms(push.p99)} | ${ms(push.max)} | ${rate(push.deliveredPerSecond)} | ${ms(push.publishMs)} | ${push.check.lost} | ${push.check.duplicates} | ${cpu(push.cpu, 'router', 'queues', 'postgres')} | ${perMessage(push.cpu.router! + push.cpu.queues!, push.messages)} | ${Math.round((100 * (push.cpu.router! + push.cpu.queues!)) / push.seconds)}% |`,
    ),
  ];
  const layerLines = [
    `| path (one call at a time) | publish ms | receive ms | ack ms | CPU ms per ${BATCH} messages published, received and acked |`,
    `| --- | --- | --- | --- | --- |`,
    ...layers.map(
      (result) =>
        `| ${result.layer} | ${ms(result.publishMs)} | ${ms(result.receiveMs)} | ${ms(result.ackMs)} | ${['bench', 'queues', 'router', 'postgres'].map((name) => `${name} ${(result.cpuPer100[name] ?? 0).toFixed(1)}`).join(', ')} |`,
    ),
  ];
  const all = [engine, graphql, fifo, ...pushes];
  const lost = all.reduce((sum, result) => sum + result.check.lost, 0);
  const duplicates = all.reduce((sum, result) => sum + result.check.duplicates, 0);
  const errors = [engine, graphql, fifo].reduce((sum, result) => sum + result.ackErrors + result.receiveErrors, 0) + pushes.reduce((sum, push) => sum + push.ackErrors + push.subscriptionErrors, 0);
  const targets = [
    `- GraphQL path at least ${TARGET_RATIO}× the engine's throughput: ${ratio.toFixed(2)}× end to end (publishing alone ${publishRatio.toFixed(2)}×): ${met(ratio >= TARGET_RATIO)}.`,
    `- At least ${rate(TARGET_RATE)} messages/s end to end with batches through the GraphQL API: ${rate(graphql.completedPerSecond)}/s: ${met(graphql.completedPerSecond >= TARGET_RATE)}.`,
    ...pushes.map((push) => `- Publish-to-subscriber p99 under ${TARGET_P99_MS} ms at ${push.rate} messages/s, ${push.subscribers} subscriber${push.subscribers === 1 ? '' : 's'}: ${ms(push.p99)} ms: ${met(push.p99 < TARGET_P99_MS)}.`),
    `- 0 lost: ${lost} lost: ${met(lost === 0)}; duplicates (redeliveries at-least-once allows) ${duplicates}; FIFO order violations ${fifo.violations}: ${met(fifo.violations === 0)}; failed acks, receives or subscriptions ${errors}.`,
  ];
  const section = `## Queues (\`npm run bench:queues\`)

Measured ${new Date().toISOString().slice(0, 10)} on this machine (${cpuModel()}, 2 cores, Node ${process.version}), loopback, PostgreSQL on the same machine.
The queues subgraph's throughput through the router's GraphQL API against its engine alone, measured in the same run.
**Engine alone**: \`QueuesRepository\` called in the bench process on a pool of its own (${POOL_MAX} connections), pinned to core 0.
**Router GraphQL API**: the router (with the hub's database: batched audit records) and the queues subgraph (NODE_ENV=production, pool of ${POOL_MAX}) are processes pinned to core 0,
the load comes from core 1 over keep-alive HTTP with an admin bearer token, rate limits off. Each run: ${PRODUCERS} producers publish
in batches of ${BATCH} (\`publishMessages\`) while ${CONSUMERS} consumers receive (\`receiveMessages(max: ${BATCH})\`) and ack each batch
(\`ackMessages\`), until every message is acked; "completed/s" is messages acked per second from the first publish to the last ack.
On the FIFO queue message n has ordering key n mod ${KEYS} and each producer publishes its own keys in order; a first delivery whose
predecessor of its key had not been acked is an order violation. **Push**: ${PUSH_SUBSCRIBERS.join(' or ')} graphql-ws subscribers (competing consumers) on
\`queueMessages(prefetch: ${PUSH_PREFETCH})\` through the router while ${PUSH_RATE} messages/s are published (a batch due every ${PUBLISH_TICK_MS} ms, without
waiting for the previous publish), each payload carrying its send time; the delay is from sending the publish to the subscriber
receiving the message, over ${PUSH_SECONDS} s after a ${PUSH_WARMUP_SECONDS} s warm-up; each message is acked on arrival (batches of up to ${ACK_BATCH}, or after ${ACK_DELAY_MS} ms).
Every run is counted: lost is a message published and never acked (by the consumers' count, checked against PostgreSQL: every row DONE),
duplicates are deliveries after the first. CPU is what each process used during the run (postgres: the bench database's backends;
router and queues together share core 0, so their CPU per message bounds the rate core 0 can carry).
One run, on a machine where other work may run: the numbers move by tens of percent between runs, and the push p95 and p99
by much more: the push path keeps core 0 busy (the last column), and any other work there queues in front of it.

${lines.join('\n')}

${pushLines.join('\n')}

Where the time of one call goes, without contention (${LAYER_BATCHES} calls of ${BATCH} of each kind, one at a time; "bench" is the engine itself in
the first row and the HTTP client in the others):

${layerLines.join('\n')}

Against the targets:
${targets.join('\n')}
`;
  console.log(`\n${section}`);
  if (!NO_WRITE) console.log(`wrote ${writeBenchmarkSection('queues', section)}`);
}

process.exitCode = await main();
