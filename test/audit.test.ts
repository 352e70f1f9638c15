import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import WebSocket from 'ws';
import { graphql, startTestHub, type TestHub } from './support/hub.js';
import { testToken } from './support/tokens.js';

/**
 * Audit records through the real hub (router on port 0, PostgreSQL): what an operation did and
 * not only what the client called it, the router's request id beside the client's, cache purges
 * and refused WebSocket logins. Records are read back through the access subgraph's auditRecords.
 */

let hub: TestHub;
let db: pg.Client;

before(async () => {
  hub = await startTestHub();
  db = new pg.Client({ connectionString: hub.database.url });
  await db.connect();
});

after(async () => {
  await db?.end();
  await hub?.stop();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const AUDIT = `query Audit($filter: AuditRecordFilter) {
  auditRecords(filter: $filter, first: 50) {
    edges { node { action requestId clientRequestId principal clientIp operationName operationType rootFields outcome code detail } }
  }
}`;

/** The audit records `filter` finds, oldest first, once there are `count` (the router writes them in batches every 500 ms). */
async function auditRecords(filter: Record<string, unknown>, count: number): Promise<Record<string, any>[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { auditRecords } = await hub.query(AUDIT, { filter });
    const records = auditRecords.edges.map((edge: any) => edge.node).reverse();
    if (records.length >= count || Date.now() > deadline) return records;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function bearer(sub: string, roles: string[]): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await testToken({ sub, roles })}` };
}

describe('an audited mutation', () => {
  it('holds the root fields it selected, through fragments, whatever name the client gave it', async () => {
    const { createApiKey: existing } = await hub.query('mutation { createApiKey(input: { name: "to revoke", role: "readonly" }) { apiKey { id } } }');
    const misleading = `mutation ListCustomers($id: ID!) {
      first: createApiKey(input: { name: "misnamed one", role: "readonly" }) { apiKey { id } }
      ...MoreKeys
      ... on Mutation { revokeApiKey(id: $id) { id } }
    }
    fragment MoreKeys on Mutation { second: createApiKey(input: { name: "misnamed two", role: "readonly" }) { apiKey { id } } }`;
    const response = await graphql(hub.routerUrl, misleading, { id: existing.apiKey.id }, { ...(await bearer('misnamer', ['admin'])), 'x-request-id': 'client-misnamed-1' });
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));

    const [record] = await auditRecords({ principal: 'user:misnamer' }, 1);
    assert.equal(record?.action, 'operation');
    assert.equal(record?.operationName, 'ListCustomers');
    assert.equal(record?.operationType, 'mutation');
    assert.deepEqual(record?.rootFields, ['Mutation.createApiKey', 'Mutation.revokeApiKey']);
    assert.equal(record?.outcome, 'ok');

    const byField = await auditRecords({ principal: 'user:misnamer', rootField: 'Mutation.revokeApiKey' }, 1);
    assert.deepEqual(byField.map((found) => found.operationName), ['ListCustomers']);
  });

  it('holds the router’s own request id, the one the subgraphs saw, beside the id the client sent', async () => {
    const response = await graphql(hub.routerUrl, 'mutation Innocent { createApiKey(input: { name: "ids", role: "readonly" }) { apiKey { id } } }', undefined, {
      ...(await bearer('id-checker', ['admin'])),
      'x-request-id': 'client-chosen-1',
    });
    const keyId = response.body.data.createApiKey.apiKey.id;
    const [record] = await auditRecords({ principal: 'user:id-checker' }, 1);
    assert.equal(record?.clientRequestId, 'client-chosen-1');
    assert.match(record?.requestId, UUID);
    assert.equal(record?.requestId, response.headers.get('x-request-id'));
    // The access subgraph wrote the key's event under the router's id: the audit record leads to it.
    const { rows } = await db.query("select request_id from events.events where type = 'api_key.created' and subject_id = $1", [keyId]);
    assert.deepEqual(rows, [{ request_id: record?.requestId }]);
  });

  it('without a client request id holds the id of the response header, and null beside it', async () => {
    const response = await graphql(hub.routerUrl, 'mutation { createApiKey(input: { name: "denied", role: "admin" }) { secret } }', undefined, await bearer('no-id', ['readonly']));
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const [record] = await auditRecords({ principal: 'user:no-id' }, 1);
    assert.equal(record?.outcome, 'denied');
    assert.deepEqual(record?.rootFields, ['Mutation.createApiKey']);
    assert.equal(record?.clientRequestId, null);
    assert.equal(record?.requestId, response.headers.get('x-request-id'));
    assert.equal(record?.requestId, response.body.errors?.[0]?.extensions?.requestId);
  });
});

describe('a cache purge', () => {
  it('is audited with who asked, what and how many entries went, refused ones too', async () => {
    const since = new Date().toISOString();
    const purge = async (headers: Record<string, string>, body: unknown) =>
      fetch(new URL('/admin/cache/purge', hub.routerUrl), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const done = await purge({ ...(await bearer('purger', ['admin'])), 'x-request-id': 'purge-ok' }, { type: 'Order', id: '42' });
    assert.equal(done.status, 200);
    const { purged } = (await done.json()) as { purged: number };
    assert.equal((await purge(await bearer('not-purger', ['readonly']), { all: true })).status, 403);
    assert.equal((await purge({}, { all: true })).status, 401);
    assert.equal((await purge(await bearer('purger', ['admin']), { type: 'not a type' })).status, 400);

    const records = await auditRecords({ action: 'cache_purge', since }, 4);
    assert.deepEqual(
      records.map((record) => [record.principal, record.outcome, record.code, record.detail, record.clientIp]),
      [
        ['user:purger', 'ok', null, { type: 'Order', id: '42', purged }, '127.0.0.1'],
        ['user:not-purger', 'denied', 'FORBIDDEN', null, '127.0.0.1'],
        [null, 'denied', 'UNAUTHENTICATED', null, '127.0.0.1'],
        ['user:purger', 'error', 'BAD_USER_INPUT', null, '127.0.0.1'],
      ],
    );
    assert.equal(records[0]?.clientRequestId, 'purge-ok');
    assert.match(records[0]?.requestId, UUID);
    assert.ok(records.every((record) => record.operationName === null && record.operationType === null && record.rootFields.length === 0));
  });
});

describe('a refused WebSocket connection_init', () => {
  it('is audited as a denied connection with the client’s address and request id', async () => {
    const since = new Date().toISOString();
    const socket = new WebSocket(hub.routerUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers: { 'x-request-id': 'ws-refused-1' } });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer not-a-token' } })));
    assert.equal(await closed, 4403);

    const [record] = await auditRecords({ action: 'connection', since }, 1);
    assert.deepEqual(
      { ...record, requestId: undefined },
      {
        action: 'connection',
        requestId: undefined,
        clientRequestId: 'ws-refused-1',
        principal: null,
        clientIp: '127.0.0.1',
        operationName: null,
        operationType: null,
        rootFields: [],
        outcome: 'denied',
        code: 'UNAUTHENTICATED',
        detail: null,
      },
    );
    assert.match(record?.requestId, UUID);
  });
});
