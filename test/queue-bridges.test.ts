import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { connect as amqpConnect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { jetstream, jetstreamManager, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { connect as natsConnect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { ConfigError, loadConfig } from '../infra/config.js';
import { queuesEnv } from '../subgraphs/queues/subgraph.js';
import { startTestHub, type TestHub } from './support/hub.js';

/**
 * The broker bridges through the real path: a test hub with AMQP_URL / NATS_URL, queues and
 * messages through the router, and a real amqplib or NATS client on the broker's side. Each run
 * uses its own exchange, stream and queue names, and removes them afterwards.
 */

const amqpUrl = process.env.TEST_AMQP_URL;
const natsUrl = process.env.TEST_NATS_URL;
const NATS_SERVER = '/usr/sbin/nats-server';
const run = randomUUID().slice(0, 8);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const exec = promisify(execFile);

const CREATE_QUEUE = 'mutation ($name: String!) { createQueue(input: { name: $name, kind: STANDARD }) { name } }';
const PUBLISH = 'mutation ($queue: String!, $inputs: [PublishMessageInput!]!) { publishMessages(queue: $queue, inputs: $inputs) { id } }';
const RECEIVE = 'mutation ($queue: String!) { receiveMessages(queue: $queue, max: 100, visibilitySeconds: 60) { receipt message { id payload headers dedupKey orderingKey } } }';
const ACK = 'mutation ($receipts: [String!]!) { ackMessages(receipts: $receipts) }';
const STATS = 'query ($name: String!) { queue(name: $name) { depth inFlight failed deadLetters } }';
const CREATE_CUSTOMER = 'mutation ($name: String!, $email: String!) { createCustomer(input: { name: $name, email: $email }) { id } }';

/** Polls `check` until it returns a value (not undefined), failing with `what` after `timeoutMs`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

async function createCustomers(hub: TestHub, count: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { createCustomer } = await hub.query(CREATE_CUSTOMER, { name: `Bridge ${tag} ${i}`, email: `bridge-${run}-${tag}-${i}@example.com` });
    ids.push(createCustomer.id);
  }
  return ids;
}

async function publishToHub(hub: TestHub, queue: string, inputs: Record<string, unknown>[]): Promise<string[]> {
  return (await hub.query(PUBLISH, { queue, inputs })).publishMessages.map((message: { id: string }) => message.id);
}

/** Receives (and acks) what the hub queue holds until `count` messages came, in order of arrival. */
async function receiveFromHub(hub: TestHub, queue: string, count: number): Promise<any[]> {
  const received: any[] = [];
  await waitFor(`${count} messages in hub queue ${queue} (have ${received.length})`, async () => {
    const batch = (await hub.query(RECEIVE, { queue })).receiveMessages as { receipt: string; message: any }[];
    if (batch.length > 0) await hub.query(ACK, { receipts: batch.map((item) => item.receipt) });
    received.push(...batch.map((item) => item.message));
    return received.length >= count ? true : undefined;
  });
  return received;
}

/** Waits until the hub queue has nothing waiting, in flight or failed: every exported message was acked. */
async function drained(hub: TestHub, queue: string): Promise<void> {
  const stats = await waitFor(`hub queue ${queue} to be drained`, async () => {
    const { queue: row } = await hub.query(STATS, { name: queue });
    return row.depth === 0 && row.inFlight === 0 && row.failed === 0 ? row : undefined;
  });
  assert.equal(stats.deadLetters, 0);
}

function assertCustomerEvent(body: any, customerId: string): void {
  assert.equal(body.type, 'customer.created');
  assert.equal(body.source, 'customers');
  assert.deepEqual(body.subject, { typename: 'Customer', id: customerId });
  assert.match(body.id, /^\d+$/);
  assert.ok(!Number.isNaN(Date.parse(body.occurredAt)), body.occurredAt);
  assert.equal(typeof body.data, 'object');
  assert.ok('requestId' in body);
}

describe('bridge settings', () => {
  const base = { DATABASE_URL: 'postgres://localhost/db', INTERNAL_TOKEN_SECRET: 'a-secret-of-at-least-thirty-two-characters' };

  it('reads routes and lists, and mirrors nothing by default', () => {
    const config = loadConfig(queuesEnv, {
      ...base,
      AMQP_URL: 'amqp://guest:guest@rabbit:5672',
      AMQP_EXPORT_QUEUES: 'erp.invoices, erp.orders',
      AMQP_IMPORT: 'sap.out=erp.in; crm.out = crm.in',
      NATS_EVENT_TYPES: 'order.*,customer.created',
    });
    assert.equal(config.AMQP_EXCHANGE, 'interchange');
    assert.deepEqual(config.AMQP_EVENT_TYPES, []);
    assert.deepEqual(config.AMQP_EXPORT_QUEUES, ['erp.invoices', 'erp.orders']);
    assert.deepEqual(config.AMQP_IMPORT, [{ source: 'sap.out', hubQueue: 'erp.in' }, { source: 'crm.out', hubQueue: 'crm.in' }]);
    assert.equal(config.NATS_STREAM, 'INTERCHANGE');
    assert.equal(config.NATS_SUBJECT_PREFIX, 'interchange');
    assert.deepEqual(config.NATS_EVENT_TYPES, ['order.*', 'customer.created']);
  });

  it('names each bad variable and value, without the password of a URL', () => {
    assert.throws(
      () => loadConfig(queuesEnv, { ...base, AMQP_URL: 'http://guest:secret@rabbit', AMQP_IMPORT: 'orders', NATS_IMPORT: 'a.b=Bad Queue', NATS_EVENT_TYPES: 'order.**' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /AMQP_URL="http:\/\/guest:\(hidden\)@rabbit": must be an amqp:\/\/ or amqps:\/\/ URL/.test(error.message) &&
        /AMQP_IMPORT="orders": "orders" is not rabbitQueue=hubQueue/.test(error.message) &&
        /NATS_IMPORT="a.b=Bad Queue": "a.b=Bad Queue" is not subject=hubQueue/.test(error.message) &&
        /NATS_EVENT_TYPES="order.\*\*": "order.\*\*" is not an event type/.test(error.message) &&
        !error.message.includes('secret'),
    );
  });
});

describe('RabbitMQ bridge', { skip: amqpUrl ? false : 'RabbitMQ does not answer (set TEST_AMQP_URL)' }, () => {
  const exchange = `interchange-test-${run}`;
  const exportQueue = `bridge-export-${run}`;
  const importQueue = `bridge-import-${run}`;
  const rabbitImport = `interchange-test-${run}.inbound`;
  /** Test queues bound to the exchange: each run's own, deleted afterwards. */
  const eventsQueue = `interchange-test-${run}.events`;
  const exportedQueue = `interchange-test-${run}.exported`;
  let hub: TestHub;
  let connection: ChannelModel;
  let channel: Channel;

  /** A connection of the test's own; it ignores the broker going away (the restart test reconnects). */
  async function open(): Promise<void> {
    connection = await amqpConnect(amqpUrl!);
    connection.on('error', () => {});
    channel = await connection.createChannel();
    channel.on('error', () => {});
  }

  /** Every message of `queue` until `until` holds, acked; bounded. */
  async function consumeUntil(queue: string, what: string, until: (messages: ConsumeMessage[]) => boolean, timeoutMs = 30_000): Promise<ConsumeMessage[]> {
    const messages: ConsumeMessage[] = [];
    const { consumerTag } = await channel.consume(queue, (message) => {
      if (!message) return;
      messages.push(message);
      channel.ack(message);
    });
    try {
      await waitFor(`${what} (have ${messages.length})`, () => (until(messages) ? true : undefined), timeoutMs);
    } finally {
      await channel.cancel(consumerTag).catch(() => {});
    }
    return messages;
  }

  before(async () => {
    await open();
    // Bound before the hub starts, so that no mirrored event finds the exchange without them.
    await channel.assertExchange(exchange, 'topic', { durable: true });
    await channel.assertQueue(eventsQueue, { durable: true });
    await channel.bindQueue(eventsQueue, exchange, 'event.#');
    await channel.assertQueue(exportedQueue, { durable: true });
    await channel.bindQueue(exportedQueue, exchange, `queue.${exportQueue}`);
    hub = await startTestHub({
      env: {
        AMQP_URL: amqpUrl!,
        AMQP_EXCHANGE: exchange,
        AMQP_EVENT_TYPES: 'customer.*',
        AMQP_EXPORT_QUEUES: exportQueue,
        AMQP_IMPORT: `${rabbitImport}=${importQueue}`,
      },
    });
    await hub.query(CREATE_QUEUE, { name: exportQueue });
    await hub.query(CREATE_QUEUE, { name: importQueue });
    // The bridge declares the import queue; declared here too (the same way) so that the test can send before it connected.
    await channel.assertQueue(rabbitImport, { durable: true });
  });

  after(async () => {
    await hub?.stop();
    for (const queue of [eventsQueue, exportedQueue, rabbitImport]) await channel?.deleteQueue(queue).catch(() => {});
    await channel?.deleteExchange(exchange).catch(() => {});
    await connection?.close().catch(() => {});
  });

  it('mirrors the hub events of the configured types to the exchange, each once, in commit order, confirmed and persistent', async () => {
    const customers = await createCustomers(hub, 3, 'amqp');
    const messages = await consumeUntil(eventsQueue, '3 mirrored events', (received) => received.length >= 3);
    // The queues created before are events too (queue.created): not of the configured types, so not mirrored.
    assert.deepEqual(
      messages.map((message) => message.fields.routingKey),
      ['event.customer.created', 'event.customer.created', 'event.customer.created'],
    );
    const bodies = messages.map((message) => JSON.parse(message.content.toString('utf8')));
    bodies.forEach((body, i) => assertCustomerEvent(body, customers[i]!));
    assert.deepEqual(messages.map((message) => message.properties.messageId), bodies.map((body) => body.id));
    assert.equal(new Set(bodies.map((body) => body.id)).size, 3);
    for (const message of messages) {
      assert.equal(message.properties.deliveryMode, 2, 'persistent');
      assert.equal(message.properties.contentType, 'application/json');
      assert.equal(message.properties.headers?.['x-event-type'], 'customer.created');
    }
  });

  it('moves the messages of an exported hub queue to the exchange with their ids and headers, and acks them in the hub', async () => {
    const ids = await publishToHub(hub, exportQueue, [
      { payload: { invoice: 'INV-1' }, headers: { tenant: 'acme' } },
      { payload: { invoice: 'INV-2' }, orderingKey: 'customer-42' },
      { payload: 'plain' },
    ]);
    const messages = await consumeUntil(exportedQueue, '3 exported messages', (received) => received.length >= 3);
    const byId = new Map(messages.map((message) => [message.properties.messageId as string, message]));
    assert.deepEqual([...byId.keys()].sort(), [...ids].sort());
    assert.deepEqual(JSON.parse(byId.get(ids[0]!)!.content.toString()), { invoice: 'INV-1' });
    assert.equal(byId.get(ids[0]!)!.properties.headers?.tenant, 'acme');
    assert.equal(byId.get(ids[1]!)!.properties.headers?.['x-ordering-key'], 'customer-42');
    assert.equal(JSON.parse(byId.get(ids[2]!)!.content.toString()), 'plain');
    assert.equal(byId.get(ids[0]!)!.fields.routingKey, `queue.${exportQueue}`);
    await drained(hub, exportQueue);
  });

  it('imports a RabbitMQ queue into a hub queue: JSON as it is, text as a string, a repeated messageId once', async () => {
    channel.sendToQueue(rabbitImport, Buffer.from(JSON.stringify({ order: 1 })), { messageId: 'rabbit-1', persistent: true, headers: { source: 'erp', 'x-ordering-key': 'order-1' } });
    channel.sendToQueue(rabbitImport, Buffer.from(JSON.stringify({ order: 1 })), { messageId: 'rabbit-1', persistent: true });
    channel.sendToQueue(rabbitImport, Buffer.from(JSON.stringify({ order: 2 })), { messageId: 'rabbit-2', persistent: true });
    channel.sendToQueue(rabbitImport, Buffer.from('not JSON at all'), { persistent: true });
    const received = await receiveFromHub(hub, importQueue, 3);
    const byKey = new Map(received.map((message) => [message.dedupKey, message]));
    assert.deepEqual(byKey.get('rabbit-1').payload, { order: 1 });
    assert.equal(byKey.get('rabbit-1').headers.source, 'erp');
    assert.equal(byKey.get('rabbit-1').orderingKey, 'order-1');
    assert.deepEqual(byKey.get('rabbit-2').payload, { order: 2 });
    assert.equal(byKey.get('rabbit-2').orderingKey, `amqp:${rabbitImport}`);
    const text = received.find((message) => message.payload === 'not JSON at all');
    assert.ok(text, 'the text body is imported as a JSON string');
    assert.equal(text.headers['x-interchange-encoding'], 'text');
    assert.match(text.dedupKey, /^[0-9a-f]{64}$/, 'without a messageId, the SHA-256 of the body');
    assert.equal(received.length, 3, 'the repeated messageId added nothing');
    await waitFor('the import queue to be empty (all acked)', async () => ((await channel.checkQueue(rabbitImport)).messageCount === 0 ? true : undefined));
  });

  it('loses nothing across a broker restart: events and exports made while it is down arrive after, imports resume', async () => {
    await exec('rabbitmqctl', ['stop_app'], { timeout: 60_000 });
    try {
      const customers = await createCustomers(hub, 3, 'restart');
      const exported = await publishToHub(hub, exportQueue, [1, 2, 3, 4, 5].map((n) => ({ payload: { n } })));

      await exec('rabbitmqctl', ['start_app'], { timeout: 120_000 });
      await exec('rabbitmqctl', ['await_startup'], { timeout: 120_000 });
      await open();

      const events = await consumeUntil(eventsQueue, 'the 3 events made while RabbitMQ was down', (received) => new Set(received.map((message) => message.properties.messageId)).size >= 3, 90_000);
      const eventBodies = new Map(events.map((message) => [message.properties.messageId as string, JSON.parse(message.content.toString())]));
      assert.deepEqual([...eventBodies.values()].map((body) => body.subject.id).sort(), [...customers].sort(), 'each event once by id, none missing, no other');
      for (const [id, body] of eventBodies) assert.equal(body.id, id);

      const messages = await consumeUntil(exportedQueue, 'the 5 messages exported while RabbitMQ was down', (received) => new Set(received.map((message) => message.properties.messageId)).size >= 5, 90_000);
      assert.deepEqual([...new Set(messages.map((message) => message.properties.messageId))].sort(), [...exported].sort());
      await drained(hub, exportQueue);

      channel.sendToQueue(rabbitImport, Buffer.from(JSON.stringify({ after: 'restart' })), { messageId: 'rabbit-after-restart', persistent: true });
      const [imported] = await receiveFromHub(hub, importQueue, 1);
      assert.deepEqual(imported.payload, { after: 'restart' });
    } finally {
      // Never leave the machine's broker stopped.
      await exec('rabbitmqctl', ['start_app'], { timeout: 120_000 }).catch(() => {});
    }
  });
});

/** Every message on `subject` of `stream`, read by an ordered consumer, until `until` holds; bounded. */
async function readStream(js: JetStreamClient, stream: string, subject: string, what: string, until: (messages: JsMsg[]) => boolean, timeoutMs = 30_000): Promise<JsMsg[]> {
  const messages: JsMsg[] = [];
  // A single filter as a string: filter_subjects as a list needs nats-server 2.10.
  const consumer = await js.consumers.get(stream, { filter_subjects: subject });
  const iterator = await consumer.consume();
  const reading = (async () => {
    for await (const message of iterator) messages.push(message);
  })();
  try {
    await waitFor(`${what} (have ${messages.length})`, () => (until(messages) ? true : undefined), timeoutMs);
  } finally {
    await iterator.close();
    await reading;
  }
  return messages;
}

const json = (message: JsMsg) => JSON.parse(new TextDecoder().decode(message.data));

describe('NATS JetStream bridge', { skip: natsUrl ? false : 'NATS does not answer (set TEST_NATS_URL)' }, () => {
  const stream = `INTERCHANGE_TEST_${run}`;
  const prefix = `interchange-test-${run}`;
  const exportQueue = `bridge-export-${run}`;
  const importQueue = `bridge-import-${run}`;
  const importSubject = `${prefix}.inbound`;
  let hub: TestHub;
  let nc: NatsConnection;
  let js: JetStreamClient;

  before(async () => {
    nc = await natsConnect({ servers: natsUrl! });
    js = jetstream(nc);
    hub = await startTestHub({
      env: {
        NATS_URL: natsUrl!,
        NATS_STREAM: stream,
        NATS_SUBJECT_PREFIX: prefix,
        NATS_EVENT_TYPES: 'customer.*',
        NATS_EXPORT_QUEUES: exportQueue,
        NATS_IMPORT: `${importSubject}=${importQueue}`,
      },
    });
    await hub.query(CREATE_QUEUE, { name: exportQueue });
    await hub.query(CREATE_QUEUE, { name: importQueue });
    const jsm = await jetstreamManager(nc);
    await waitFor('the bridge to create its stream', async () => ((await jsm.streams.info(stream).catch(() => undefined)) ? true : undefined));
  });

  after(async () => {
    await hub?.stop();
    if (nc) {
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => {});
      await nc.close();
    }
  });

  it('mirrors the hub events of the configured types to JetStream, each once, with the event id as Nats-Msg-Id', async () => {
    const customers = await createCustomers(hub, 3, 'nats');
    const messages = await readStream(js, stream, `${prefix}.event.>`, '3 mirrored events', (received) => received.length >= 3);
    assert.deepEqual(messages.map((message) => message.subject), Array(3).fill(`${prefix}.event.customer.created`));
    const bodies = messages.map(json);
    bodies.forEach((body, i) => assertCustomerEvent(body, customers[i]!));
    assert.deepEqual(messages.map((message) => message.headers?.get('Nats-Msg-Id')), bodies.map((body) => body.id));
    const info = await (await jetstreamManager(nc)).streams.info(stream, { subjects_filter: `${prefix}.event.>` });
    assert.deepEqual(info.state.subjects, { [`${prefix}.event.customer.created`]: 3 }, 'no event twice, no other type');
  });

  it('moves the messages of an exported hub queue to JetStream and acks them in the hub', async () => {
    const ids = await publishToHub(hub, exportQueue, [{ payload: { invoice: 'INV-1' }, headers: { tenant: 'acme' } }, { payload: [1, 2] }]);
    const messages = await readStream(js, stream, `${prefix}.queue.${exportQueue}`, '2 exported messages', (received) => received.length >= 2);
    const byId = new Map(messages.map((message) => [message.headers?.get('Nats-Msg-Id'), message]));
    assert.deepEqual([...byId.keys()].sort(), [...ids].sort());
    assert.deepEqual(json(byId.get(ids[0])!), { invoice: 'INV-1' });
    assert.equal(byId.get(ids[0])!.headers?.get('tenant'), 'acme');
    assert.deepEqual(json(byId.get(ids[1])!), [1, 2]);
    await drained(hub, exportQueue);
  });

  it('imports a JetStream subject into a hub queue through a durable consumer: JSON as it is, bytes as base64', async () => {
    const headers = natsHeaders();
    headers.set('source', 'erp');
    await js.publish(importSubject, JSON.stringify({ order: 1 }), { msgID: 'nats-1', headers });
    await js.publish(importSubject, new Uint8Array([0xff, 0x00, 0x01]));
    const received = await receiveFromHub(hub, importQueue, 2);
    const first = received.find((message) => message.dedupKey === 'nats-1');
    assert.deepEqual(first.payload, { order: 1 });
    assert.equal(first.headers.source, 'erp');
    const binary = received.find((message) => message !== first);
    assert.equal(binary.payload, Buffer.from([0xff, 0x00, 0x01]).toString('base64'));
    assert.equal(binary.headers['x-interchange-encoding'], 'base64');
    assert.match(binary.dedupKey, new RegExp(`^${stream}:\\d+$`), 'without a Nats-Msg-Id, its place in the stream');
    const consumer = await (await jetstreamManager(nc)).consumers.info(stream, `interchange-import-${prefix}_inbound`);
    await waitFor('the import consumer to have acked both', async () => {
      const info = await (await jetstreamManager(nc)).consumers.info(stream, consumer.name);
      return info.num_ack_pending === 0 && info.num_pending === 0 ? true : undefined;
    });
  });
});

/** A free TCP port on 127.0.0.1 (bound once to port 0, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('NATS JetStream bridge across a server restart', { skip: natsUrl ? false : 'NATS does not answer (set TEST_NATS_URL)' }, () => {
  let port: number;
  let storeDir: string;
  let server: ChildProcess | undefined;
  let hub: TestHub;
  const exportQueue = `bridge-restart-${run}`;
  const importQueue = `bridge-restart-in-${run}`;

  /** A nats-server of this test's own (the machine's is shared), with JetStream stored in storeDir. */
  async function startServer(): Promise<void> {
    let failed: Error | undefined;
    server = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
    server.on('error', (error) => (failed = error));
    await waitFor('the test nats-server to answer with JetStream', async () => {
      if (failed) throw new Error(`${NATS_SERVER} did not start: ${failed.message}`);
      const nc = await natsConnect({ servers: `nats://127.0.0.1:${port}`, timeout: 1_000 }).catch(() => undefined);
      if (!nc) return undefined;
      try {
        await (await jetstreamManager(nc)).getAccountInfo();
        return true;
      } catch {
        return undefined;
      } finally {
        await nc.close();
      }
    });
  }

  async function killServer(): Promise<void> {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  before(async () => {
    port = await freePort();
    storeDir = mkdtempSync(join(tmpdir(), 'interchange-test-nats-'));
    await startServer();
    // The defaults: stream INTERCHANGE, subjects interchange.>.
    hub = await startTestHub({
      env: { NATS_URL: `nats://127.0.0.1:${port}`, NATS_EVENT_TYPES: 'customer.created', NATS_EXPORT_QUEUES: exportQueue, NATS_IMPORT: `interchange.inbound=${importQueue}` },
    });
    await hub.query(CREATE_QUEUE, { name: exportQueue });
    await hub.query(CREATE_QUEUE, { name: importQueue });
  });

  after(async () => {
    await hub?.stop();
    await killServer();
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  });

  it('loses nothing when the server is killed and started again: events and exports made while it is down arrive once each', async () => {
    const url = `nats://127.0.0.1:${port}`;
    // Before: the bridge is connected and its import consumer exists.
    const earlier = await createCustomers(hub, 1, 'nats-before');
    const beforeExport = await publishToHub(hub, exportQueue, [{ payload: { n: 0 } }]);
    let nc = await natsConnect({ servers: url });
    await js(nc).publish('interchange.inbound', JSON.stringify({ in: 'before' }), { msgID: 'in-before' });
    await readStream(js(nc), 'INTERCHANGE', 'interchange.queue.>', 'the first export', (received) => received.length >= 1);
    await receiveFromHub(hub, importQueue, 1);
    await nc.close();

    await killServer();
    const customers = await createCustomers(hub, 3, 'nats-down');
    const exported = await publishToHub(hub, exportQueue, [1, 2, 3, 4].map((n) => ({ payload: { n } })));
    await startServer();

    nc = await natsConnect({ servers: url });
    try {
      await js(nc).publish('interchange.inbound', JSON.stringify({ in: 'after' }), { msgID: 'in-after' });
      const events = await readStream(js(nc), 'INTERCHANGE', 'interchange.event.>', '4 events', (received) => received.length >= 4, 90_000);
      const eventIds = events.map((message) => json(message).id);
      assert.equal(new Set(eventIds).size, events.length, 'each event once by id');
      assert.deepEqual(events.map((message) => json(message).subject.id), [...earlier, ...customers], 'in commit order, none missing');

      const messages = await readStream(js(nc), 'INTERCHANGE', 'interchange.queue.>', '5 exported messages', (received) => received.length >= 5, 90_000);
      const messageIds = messages.map((message) => message.headers?.get('Nats-Msg-Id'));
      assert.deepEqual([...messageIds].sort(), [...beforeExport, ...exported].sort(), 'each message once by id, none missing');
      await drained(hub, exportQueue);
      const info = await (await jetstreamManager(nc)).streams.info('INTERCHANGE', { subjects_filter: '>' });
      assert.equal(info.state.subjects?.['interchange.event.customer.created'], 4);

      const [imported] = await receiveFromHub(hub, importQueue, 1);
      assert.deepEqual(imported.payload, { in: 'after' });
    } finally {
      await nc.close();
    }
  });
});

function js(nc: NatsConnection): JetStreamClient {
  return jetstream(nc);
}
