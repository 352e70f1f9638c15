import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestHub, type TestHub } from './support/hub.js';
import { asRole } from './support/tokens.js';

/** The queues subgraph through the router: ordering per kind, retries, dead letters, receipts, scopes, input rules. */

let hub: TestHub;
let counter = 0;
const name = (prefix: string) => `${prefix}-${++counter}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const MESSAGE = 'id state payload headers priority orderingKey dedupKey attempts lastError errors { attempt error at } createdAt availableAt';
const CREATE = 'mutation ($input: CreateQueueInput!) { createQueue(input: $input) { name kind deliveryMode maxSize messageTtlSeconds dedupWindowSeconds retryPolicy { maxAttempts backoffSeconds maxBackoffSeconds } } }';
const PUBLISH = `mutation ($queue: String!, $input: PublishMessageInput!) { publishMessage(queue: $queue, input: $input) { ${MESSAGE} } }`;
const PUBLISH_MANY = `mutation ($queue: String!, $inputs: [PublishMessageInput!]!) { publishMessages(queue: $queue, inputs: $inputs) { ${MESSAGE} } }`;
const RECEIVE = `mutation ($queue: String!, $max: Int, $visibility: Int) { receiveMessages(queue: $queue, max: $max, visibilitySeconds: $visibility) { receipt message { ${MESSAGE} } } }`;
const ACK = 'mutation ($receipts: [String!]!) { ackMessages(receipts: $receipts) }';
const NACK = 'mutation ($receipts: [String!]!, $delay: Int, $error: String) { nackMessages(receipts: $receipts, delaySeconds: $delay, error: $error) }';
const STATS = 'query ($name: String!) { queue(name: $name) { depth inFlight delayed failed deadLetters oldestAgeSeconds publishedPerMinute processedPerMinute } }';

async function createQueue(input: Record<string, unknown>): Promise<string> {
  const queue = name(String(input.name ?? 'q'));
  await hub.query(CREATE, { input: { kind: 'STANDARD', ...input, name: queue } });
  return queue;
}

async function publish(queue: string, inputs: Record<string, unknown>[]): Promise<any[]> {
  return (await hub.query(PUBLISH_MANY, { queue, inputs })).publishMessages;
}

async function receive(queue: string, max = 10, visibility = 30, headers?: Record<string, string>): Promise<{ receipt: string; message: any }[]> {
  return (await hub.query(RECEIVE, { queue, max, visibility }, headers)).receiveMessages;
}

async function stats(queue: string): Promise<any> {
  return (await hub.query(STATS, { name: queue })).queue;
}

function errorOf(response: { body: { errors?: { extensions?: Record<string, any>; message: string }[] } }) {
  const [error] = response.body.errors ?? [];
  assert.ok(error, 'expected an error');
  return error;
}

function badFields(response: Parameters<typeof errorOf>[0]): Record<string, string> {
  const error = errorOf(response);
  assert.equal(error.extensions?.code, 'BAD_USER_INPUT', error.message);
  return Object.fromEntries((error.extensions?.fields as { field: string; message: string }[]).map((f) => [f.field, f.message]));
}

before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

describe('queues through the router', () => {
  it('creates a queue with the default settings and lists it with its counters', async () => {
    const queue = name('defaults');
    const created = (await hub.query(CREATE, { input: { name: queue, kind: 'STANDARD' } })).createQueue;
    assert.deepEqual(created, {
      name: queue,
      kind: 'STANDARD',
      deliveryMode: 'AT_LEAST_ONCE',
      maxSize: 100_000,
      messageTtlSeconds: 345_600,
      dedupWindowSeconds: 300,
      retryPolicy: { maxAttempts: 5, backoffSeconds: 1, maxBackoffSeconds: 300 },
    });
    await publish(queue, [{ payload: { n: 1 } }, { payload: { n: 2 }, delaySeconds: 60 }]);
    const { queues } = await hub.query('{ queues { name depth delayed inFlight publishedPerMinute createdAt } }');
    const listed = queues.find((q: { name: string }) => q.name === queue);
    assert.equal(listed.depth, 1);
    assert.equal(listed.delayed, 1);
    assert.equal(listed.inFlight, 0);
    assert.equal(listed.publishedPerMinute, 2);
  });

  it('answers CONFLICT for a queue name that exists and NOT_FOUND for an unknown queue', async () => {
    const queue = await createQueue({ name: 'dup' });
    assert.equal(errorOf(await hub.request(CREATE, { input: { name: queue, kind: 'FIFO' } })).extensions?.code, 'CONFLICT');
    assert.equal(errorOf(await hub.request(PUBLISH, { queue: 'no-such-queue', input: { payload: 1 } })).extensions?.code, 'NOT_FOUND');
    assert.equal(errorOf(await hub.request(RECEIVE, { queue: 'no-such-queue' })).extensions?.code, 'NOT_FOUND');
    assert.equal(errorOf(await hub.request('mutation { purgeQueue(name: "no-such-queue") }')).extensions?.code, 'NOT_FOUND');
    assert.equal((await hub.query('{ queue(name: "no-such-queue") { name } }')).queue, null);
  });

  it('delivers a standard queue at least once and forgets acked messages', async () => {
    const queue = await createQueue({ name: 'std' });
    await publish(queue, [{ payload: 'a' }, { payload: 'b' }, { payload: 'c' }]);
    const received = await receive(queue, 10);
    assert.deepEqual(received.map((r) => r.message.payload).sort(), ['a', 'b', 'c']);
    assert.ok(received.every((r) => r.message.state === 'IN_FLIGHT' && r.message.attempts === 1));
    assert.deepEqual(await receive(queue), [], 'in-flight messages are hidden from other consumers');
    assert.equal((await hub.query(ACK, { receipts: received.map((r) => r.receipt) })).ackMessages, 3);
    const after = await stats(queue);
    assert.equal(after.depth + after.inFlight, 0);
    assert.equal(after.processedPerMinute, 3);
    assert.equal((await hub.query(ACK, { receipts: [received[0]!.receipt] })).ackMessages, 1, 'acking again is not an error');
  });

  it('keeps FIFO order per orderingKey with one message per key in flight, across two competing consumers', async () => {
    const queue = await createQueue({ name: 'fifo', kind: 'FIFO' });
    const keys = ['k1', 'k2', 'k3'];
    await publish(
      queue,
      Array.from({ length: 15 }, (_, i) => ({ payload: { key: keys[i % 3], n: Math.floor(i / 3) }, orderingKey: keys[i % 3] })),
    );
    const seen: Record<string, number[]> = { k1: [], k2: [], k3: [] };
    const consume = async () => {
      for (let round = 0; round < 40; round++) {
        const batch = await receive(queue, 10);
        const perKey = new Map<string, number>();
        for (const { message } of batch) perKey.set(message.orderingKey, (perKey.get(message.orderingKey) ?? 0) + 1);
        for (const [key, n] of perKey) assert.equal(n, 1, `two messages of ${key} in flight in one batch`);
        for (const { message } of batch) seen[message.orderingKey]!.push(message.payload.n);
        if (batch.length > 0) await hub.query(ACK, { receipts: batch.map((r) => r.receipt) });
        if (Object.values(seen).every((list) => list.length === 5)) return;
      }
    };
    await Promise.all([consume(), consume()]);
    for (const key of keys) assert.deepEqual(seen[key], [0, 1, 2, 3, 4], `order of ${key}`);
  });

  it('holds back the rest of a FIFO key while its head is in flight or waiting for its retry', async () => {
    const queue = await createQueue({ name: 'fifo-hold', kind: 'FIFO', backoffSeconds: 0, maxBackoffSeconds: 0 });
    await publish(queue, [{ payload: 1, orderingKey: 'a' }, { payload: 2, orderingKey: 'a' }, { payload: 3, orderingKey: 'b' }]);
    const first = await receive(queue, 10);
    assert.deepEqual(first.map((r) => r.message.payload), [1, 3]);
    assert.deepEqual(await receive(queue, 10), []);
    await hub.query(NACK, { receipts: [first[0]!.receipt], delay: 1, error: 'try later' });
    assert.deepEqual(await receive(queue, 10), [], 'the retried head still blocks its key');
    await sleep(1_100);
    const again = await receive(queue, 10);
    assert.deepEqual(again.map((r) => [r.message.payload, r.message.attempts]), [[1, 2]]);
  });

  it('delivers a priority queue highest priority first, oldest first within a priority', async () => {
    const queue = await createQueue({ name: 'prio', kind: 'PRIORITY' });
    await publish(queue, [
      { payload: 'low', priority: 0 },
      { payload: 'high-1', priority: 9 },
      { payload: 'mid', priority: 5 },
      { payload: 'high-2', priority: 9 },
    ]);
    assert.deepEqual((await receive(queue, 10)).map((r) => r.message.payload), ['high-1', 'high-2', 'mid', 'low']);
  });

  it('does not deliver a delayed message before its time', async () => {
    const queue = await createQueue({ name: 'delay' });
    const [message] = await publish(queue, [{ payload: 'later', delaySeconds: 1 }]);
    assert.equal(message.state, 'DELAYED');
    assert.deepEqual(await receive(queue), []);
    assert.equal((await stats(queue)).delayed, 1);
    await sleep(1_100);
    assert.deepEqual((await receive(queue)).map((r) => r.message.payload), ['later']);
  });

  it('answers a duplicate publish within the dedup window with the first message and adds nothing', async () => {
    const queue = await createQueue({ name: 'dedup' });
    const first = (await hub.query(PUBLISH, { queue, input: { payload: { v: 1 }, dedupKey: 'order-42' } })).publishMessage;
    const second = (await hub.query(PUBLISH, { queue, input: { payload: { v: 2 }, dedupKey: 'order-42' } })).publishMessage;
    assert.equal(second.id, first.id);
    assert.deepEqual(second.payload, { v: 1 });
    const batch = await publish(queue, [{ payload: 3, dedupKey: 'x' }, { payload: 4, dedupKey: 'x' }, { payload: 5, dedupKey: 'order-42' }]);
    assert.equal(batch[0].id, batch[1].id);
    assert.equal(batch[2].id, first.id);
    assert.equal((await stats(queue)).depth, 2);
    // Still deduplicated once the first was consumed and acked.
    const received = await receive(queue, 10);
    await hub.query(ACK, { receipts: received.map((r) => r.receipt) });
    const third = (await hub.query(PUBLISH, { queue, input: { payload: 6, dedupKey: 'order-42' } })).publishMessage;
    assert.equal(third.id, first.id);
    assert.equal(third.state, 'DONE');
  });

  it('answers QUEUE_FULL for a publish beyond maxSize and publishes none of the batch', async () => {
    const queue = await createQueue({ name: 'full', maxSize: 3 });
    await publish(queue, [{ payload: 1 }, { payload: 2 }]);
    const response = await hub.request(PUBLISH_MANY, { queue, inputs: [{ payload: 3 }, { payload: 4 }] });
    assert.equal(errorOf(response).extensions?.code, 'QUEUE_FULL');
    assert.equal(errorOf(response).extensions?.maxSize, 3);
    assert.equal((await stats(queue)).depth, 2);
    await publish(queue, [{ payload: 3 }]);
    assert.equal(errorOf(await hub.request(PUBLISH, { queue, input: { payload: 5 } })).extensions?.code, 'QUEUE_FULL');
    const received = await receive(queue, 10);
    await hub.query(ACK, { receipts: received.map((r) => r.receipt) });
    await publish(queue, [{ payload: 6 }]);
  });

  it('never delivers an expired message', async () => {
    const queue = await createQueue({ name: 'ttl', messageTtlSeconds: 1 });
    await publish(queue, [{ payload: 'stale' }]);
    await sleep(1_100);
    assert.deepEqual(await receive(queue), []);
    const after = await stats(queue);
    assert.equal(after.depth, 0);
    const { queue: listed } = await hub.query('query ($name: String!) { queue(name: $name) { messages { totalCount } } }', { name: queue });
    assert.equal(listed.messages.totalCount, 0);
  });

  it('redelivers a message whose visibility timed out, and refuses its late ack with RECEIPT_EXPIRED', async () => {
    const queue = await createQueue({ name: 'visibility' });
    await publish(queue, [{ payload: 'slow' }]);
    const [first] = await receive(queue, 1, 1);
    await sleep(1_100);
    const late = await hub.request(ACK, { receipts: [first!.receipt] });
    assert.equal(errorOf(late).extensions?.code, 'RECEIPT_EXPIRED');
    assert.equal((await stats(queue)).depth, 1, 'the message stays available');
    const [second] = await receive(queue, 1, 30);
    assert.equal(second!.message.payload, 'slow');
    assert.equal(second!.message.attempts, 2);
    assert.deepEqual(second!.message.errors.map((e: { attempt: number; error: string }) => [e.attempt, e.error]), [[1, 'visibility timeout']]);
    assert.notEqual(second!.receipt, first!.receipt);
    assert.equal(errorOf(await hub.request(ACK, { receipts: [first!.receipt] })).extensions?.code, 'RECEIPT_EXPIRED');
    assert.equal((await hub.query(ACK, { receipts: [second!.receipt] })).ackMessages, 1);
  });

  it('refuses a receipt it did not issue with RECEIPT_INVALID and acks none of the batch', async () => {
    const queue = await createQueue({ name: 'forged' });
    await publish(queue, [{ payload: 1 }]);
    const [good] = await receive(queue, 1);
    const [version, body, signature] = good!.receipt.split('.');
    const tampered = `${version}.${body}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const receipt of ['not-a-receipt', tampered]) {
      const response = await hub.request(ACK, { receipts: [good!.receipt, receipt] });
      assert.equal(errorOf(response).extensions?.code, 'RECEIPT_INVALID');
      assert.deepEqual(errorOf(response).extensions?.receipts, [1]);
    }
    assert.equal(errorOf(await hub.request(NACK, { receipts: ['r1.abc.def'] })).extensions?.code, 'RECEIPT_INVALID');
    assert.equal((await stats(queue)).inFlight, 1, 'the good receipt was not acked either');
  });

  it('retries with backoff and makes a dead letter of the last attempt, with every error, then replays it', async () => {
    const queue = await createQueue({ name: 'retry', maxAttempts: 3, backoffSeconds: 0, maxBackoffSeconds: 0 });
    const [published] = await publish(queue, [{ payload: { job: 'flaky' } }]);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [delivery] = await receive(queue, 1);
      assert.equal(delivery!.message.attempts, attempt);
      assert.equal((await hub.query(NACK, { receipts: [delivery!.receipt], error: `boom ${attempt}` })).nackMessages, 1);
    }
    assert.deepEqual(await receive(queue), []);
    assert.equal((await stats(queue)).deadLetters, 1);
    const { queue: dead } = await hub.query(`query ($name: String!) { queue(name: $name) { messages(state: DEAD) { totalCount edges { node { ${MESSAGE} } } } } }`, { name: queue });
    const letter = dead.messages.edges[0].node;
    assert.equal(letter.id, published.id);
    assert.equal(letter.lastError, 'boom 3');
    assert.deepEqual(letter.errors.map((e: { attempt: number; error: string }) => [e.attempt, e.error]), [[1, 'boom 1'], [2, 'boom 2'], [3, 'boom 3']]);
    assert.ok(letter.errors.every((e: { at: string }) => !Number.isNaN(Date.parse(e.at))));

    const replayed = await hub.query('mutation ($queue: String!, $ids: [ID!]) { replayDeadLetters(queue: $queue, ids: $ids) }', { queue, ids: [published.id] });
    assert.equal(replayed.replayDeadLetters, 1);
    const [again] = await receive(queue, 1);
    assert.equal(again!.message.id, published.id);
    assert.equal(again!.message.attempts, 1);
    await hub.query(ACK, { receipts: [again!.receipt] });
  });

  it('writes queue and dead-letter events in the same transaction as the change', async () => {
    const queue = await createQueue({ name: 'events', maxAttempts: 1 });
    await publish(queue, [{ payload: 1 }]);
    const [delivery] = await receive(queue, 1);
    await hub.query(NACK, { receipts: [delivery!.receipt], error: 'fatal' });
    await hub.query('mutation ($name: String!) { purgeQueue(name: $name) }', { name: queue });
    await hub.query('mutation ($name: String!, $input: UpdateQueueInput!) { updateQueue(name: $name, input: $input) { maxSize } }', { name: queue, input: { maxSize: 10 } });
    await hub.query('mutation ($name: String!) { deleteQueue(name: $name) }', { name: queue });
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: hub.database.url });
    await client.connect();
    try {
      const { rows } = await client.query(`select type, data from events.events where source = 'queues' and (data->>'name' = $1 or data->>'queue' = $1) order by id`, [queue]);
      assert.deepEqual(rows.map((row) => row.type), ['queue.created', 'message.dead_lettered', 'queue.purged', 'queue.updated', 'queue.deleted']);
      assert.equal(rows[1].data.lastError, 'fatal');
      assert.equal(rows[2].data.purged, 1);
    } finally {
      await client.end();
    }
  });

  it('makes a visibility timeout after the last attempt a dead letter', async () => {
    const queue = await createQueue({ name: 'timeout-dead', maxAttempts: 1 });
    await publish(queue, [{ payload: 1 }]);
    await receive(queue, 1, 1);
    await sleep(1_100);
    assert.equal((await stats(queue)).deadLetters, 1);
    assert.deepEqual(await receive(queue), []);
    const { queue: dead } = await hub.query('query ($name: String!) { queue(name: $name) { messages(state: DEAD) { edges { node { errors { error } } } } } }', { name: queue });
    assert.deepEqual(dead.messages.edges[0].node.errors, [{ error: 'visibility timeout' }]);
    assert.equal(
      (await hub.query('mutation ($queue: String!) { replayDeadLetters(queue: $queue, all: true) }', { queue })).replayDeadLetters,
      1,
    );
  });

  it('stores the dead letter and writes its event on an idle queue too, without a receive (background maintenance)', async () => {
    const queue = await createQueue({ name: 'idle-dead', maxAttempts: 1 });
    const [published] = await publish(queue, [{ payload: 1 }]);
    await receive(queue, 1, 1);
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: hub.database.url });
    await client.connect();
    try {
      const deadline = Date.now() + 15_000;
      let rows: { state: string; type: string | null }[] = [];
      while (Date.now() < deadline) {
        ({ rows } = await client.query(
          `select m.state, (select type from events.events e where e.subject_id = m.id::text) as type from queues.messages m where m.id = $1`,
          [published.id],
        ));
        if (rows[0]?.type) break;
        await sleep(200);
      }
      assert.deepEqual(rows, [{ state: 'DEAD', type: 'message.dead_lettered' }], 'applied within the maintenance interval');
    } finally {
      await client.end();
    }
  });

  it('never redelivers on an AT_MOST_ONCE queue', async () => {
    const queue = await createQueue({ name: 'amo', deliveryMode: 'AT_MOST_ONCE' });
    await publish(queue, [{ payload: 'once' }]);
    const [delivery] = await receive(queue, 1, 1);
    assert.equal(delivery!.message.state, 'DONE');
    await sleep(1_100);
    assert.deepEqual(await receive(queue), []);
    assert.equal(errorOf(await hub.request(NACK, { receipts: [delivery!.receipt] })).extensions?.code, 'RECEIPT_EXPIRED');
    assert.equal((await hub.query(ACK, { receipts: [delivery!.receipt] })).ackMessages, 1);
    const after = await stats(queue);
    assert.deepEqual([after.depth, after.inFlight, after.processedPerMinute], [0, 0, 1]);
  });

  it('purges every message of a queue', async () => {
    const queue = await createQueue({ name: 'purge' });
    await publish(queue, [{ payload: 1 }, { payload: 2 }]);
    assert.equal((await hub.query('mutation ($name: String!) { purgeQueue(name: $name) }', { name: queue })).purgeQueue, 2);
    assert.equal((await stats(queue)).depth, 0);
  });

  it('pages through a queue’s messages newest first', async () => {
    const queue = await createQueue({ name: 'pages' });
    // One at a time: messages of one batch share their createdAt and come in id order among themselves.
    for (let i = 0; i < 5; i++) await publish(queue, [{ payload: i }]);
    const page = `query ($name: String!, $after: String) { queue(name: $name) { messages(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { payload } } } } }`;
    const seen: number[] = [];
    let cursor: string | null = null;
    for (;;) {
      const data: any = await hub.query(page, { name: queue, after: cursor });
      assert.equal(data.queue.messages.totalCount, 5);
      seen.push(...data.queue.messages.edges.map((edge: { node: { payload: number } }) => edge.node.payload));
      if (!data.queue.messages.pageInfo.hasNextPage) break;
      cursor = data.queue.messages.pageInfo.endCursor;
    }
    assert.deepEqual(seen, [4, 3, 2, 1, 0]);
  });
});

describe('queue access rules', () => {
  it('lets a readonly caller look but not publish or consume', async () => {
    const queue = await createQueue({ name: 'scopes' });
    const readonly = await asRole('readonly');
    assert.equal((await hub.query('query ($name: String!) { queue(name: $name) { name depth } }', { name: queue }, readonly)).queue.name, queue);
    for (const [query, variables] of [
      [PUBLISH, { queue, input: { payload: 1 } }],
      [RECEIVE, { queue }],
    ] as const) {
      const response = await hub.request(query, variables, readonly);
      assert.equal(response.status, 403);
      assert.equal(errorOf(response).extensions?.code, 'FORBIDDEN');
      assert.deepEqual(errorOf(response).extensions?.requiredScopes, ['queues:publish']);
    }
  });

  it('lets an api_user publish and consume but not create queues or read them', async () => {
    const queue = await createQueue({ name: 'api-user' });
    const apiUser = await asRole('api_user');
    const published = (await hub.query(PUBLISH, { queue, input: { payload: 'from api_user' } }, apiUser)).publishMessage;
    const [delivery] = await receive(queue, 1, 30, apiUser);
    assert.equal(delivery!.message.id, published.id);
    assert.equal((await hub.query(ACK, { receipts: [delivery!.receipt] }, apiUser)).ackMessages, 1);
    const create = await hub.request(CREATE, { input: { name: name('nope'), kind: 'STANDARD' } }, apiUser);
    assert.equal(errorOf(create).extensions?.code, 'FORBIDDEN');
    assert.deepEqual(errorOf(create).extensions?.requiredScopes, ['admin']);
    assert.equal(errorOf(await hub.request('{ queues { name } }', {}, apiUser)).extensions?.code, 'FORBIDDEN');
  });
});

describe('queue input rules', () => {
  it('names each bad setting of a new queue', async () => {
    const fields = badFields(
      await hub.request(CREATE, { input: { name: 'Bad Name!', kind: 'STANDARD', maxAttempts: 0, backoffSeconds: 10, maxBackoffSeconds: 5, maxSize: 0, messageTtlSeconds: 0 } }),
    );
    assert.deepEqual(Object.keys(fields).sort(), ['maxAttempts', 'maxBackoffSeconds', 'maxSize', 'messageTtlSeconds', 'name']);
    for (const bad of ['', '-start', 'a'.repeat(64), 'UPPER']) assert.ok(badFields(await hub.request(CREATE, { input: { name: bad, kind: 'STANDARD' } })).name, bad);
    assert.ok(badFields(await hub.request(CREATE, { input: { name: 'a', kind: 'STANDARD', maxAttempts: 0 } })).maxAttempts);
  });

  it('names each bad field of a message, in a batch by its index', async () => {
    const queue = await createQueue({ name: 'rules', kind: 'FIFO' });
    const big = 'x'.repeat(256 * 1024);
    const single = badFields(await hub.request(PUBLISH, { queue, input: { payload: big, priority: 10, orderingKey: 'k' } }));
    assert.deepEqual(Object.keys(single).sort(), ['payload', 'priority']);
    assert.match(single.payload!, /256 KB/);
    assert.ok(badFields(await hub.request(PUBLISH, { queue, input: { payload: 1, priority: -1, orderingKey: 'k' } })).priority);
    const batch = badFields(await hub.request(PUBLISH_MANY, { queue, inputs: [{ payload: 1, orderingKey: 'k' }, { payload: 2 }, { payload: 3, orderingKey: 'k', headers: [1] }] }));
    assert.deepEqual(Object.keys(batch).sort(), ['inputs.1.orderingKey', 'inputs.2.headers']);
    const tooMany = badFields(await hub.request(PUBLISH_MANY, { queue, inputs: Array.from({ length: 1_001 }, () => ({ payload: 1, orderingKey: 'k' })) }));
    assert.match(tooMany.inputs!, /1,000/);
    assert.equal((await stats(queue)).depth, 0, 'nothing of a refused batch was published');
  });

  it('names a bad max, visibility, delay or replay argument', async () => {
    const queue = await createQueue({ name: 'args' });
    const fields = badFields(await hub.request(RECEIVE, { queue, max: 0, visibility: 0 }));
    assert.deepEqual(Object.keys(fields).sort(), ['max', 'visibilitySeconds']);
    assert.ok(badFields(await hub.request(PUBLISH, { queue, input: { payload: 1, delaySeconds: -1 } })).delaySeconds);
    assert.ok(badFields(await hub.request('mutation ($queue: String!) { replayDeadLetters(queue: $queue) }', { queue })).ids);
  });
});

describe('SQL statements for a list of queues', () => {
  it('stays constant whatever the number of queues', async () => {
    const query = '{ queues { name depth inFlight delayed failed deadLetters oldestAgeSeconds publishedPerMinute processedPerMinute retryPolicy { maxAttempts } messages(first: 2) { totalCount edges { node { id } } } } }';
    const counts: number[] = [];
    for (const more of [1, 5]) {
      for (let i = 0; i < more; i++) await publish(await createQueue({ name: 'count' }), [{ payload: i }]);
      // A background maintenance round (every 5 s) may fall into the window: then measure again.
      let statements: string[] = [];
      for (let tries = 0; tries < 3 && (tries === 0 || statements.some((statement) => statement.includes('pg_try_advisory_xact_lock'))); tries++) {
        hub.statements.reset();
        const data = await hub.query(query);
        assert.ok(data.queues.length > more);
        statements = hub.statements.list();
      }
      counts.push(statements.length);
    }
    // the queues, their counters, their first pages of messages with their counts
    assert.deepEqual(counts, [3, 3]);
  });
});
