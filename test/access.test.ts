import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Kind, parse } from 'graphql';
import { sql } from 'kysely';
import { pino } from 'pino';
import { ApiKeyVerifier, generateApiKey, hashSecret, parseApiKey, verifySecret } from '../infra/auth/api-keys.js';
import type { AuditRecord } from '../router/audit/audit.js';
import { PostgresAuditSink } from '../router/audit/postgres-audit-sink.js';
import { INTERNAL_TOKEN_HEADER } from '../infra/auth/internal-token.js';
import { scopesOf, type Principal } from '../infra/auth/principal.js';
import { loadConfig } from '../infra/config.js';
import { routerEnv } from '../router/config.js';
import { createDatabase, type Database } from '../infra/db/database.js';
import { migrateToLatest } from '../infra/db/migrate.js';
import { createLogger } from '../infra/logger.js';
import { fromRoot } from '../infra/paths.js';
import * as router from '../router/server.js';
import { AccessRepository, type AccessTables } from '../subgraphs/access/access-repository.js';
import { accessMigrations } from '../subgraphs/access/migrations/index.js';
import { graphql, internalHeaders, startTestHub, TEST_INTERNAL_SECRET, type TestHub } from './support/hub.js';
import { createTestDatabase } from './support/postgres.js';
import { countingProxy } from './support/proxy.js';
import { asRole, roleToken, TEST_JWT_SECRET } from './support/tokens.js';

/**
 * The access subgraph (API keys and audit records) through the router, and the router's side of
 * both (ApiKeyVerifier, PostgresAuditSink) against the real database.
 */

const silent = createLogger('access-test', 'silent');

let hub: TestHub;
let database: Database<AccessTables>;

before(async () => {
  hub = await startTestHub();
  database = createDatabase<AccessTables>({ url: hub.database.url, poolMax: 2, connectTimeoutMs: 5_000, schema: 'access', logger: silent });
});

after(async () => {
  await database.close();
  await hub.stop();
});

const CREATE = `mutation Create($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name roles scopes status createdAt expiresAt revokedAt usageCount lastUsedAt rotatedFrom } }
}`;

async function createKey(input: Record<string, unknown>): Promise<{ secret: string; apiKey: Record<string, any> }> {
  const { createApiKey } = await hub.query(CREATE, { input });
  return createApiKey;
}

function errorOf(response: { body: { errors?: { extensions?: Record<string, any> }[] } }) {
  return response.body.errors?.[0]?.extensions ?? {};
}

describe('API keys through the router', () => {
  it('creates a key and shows its secret once, in the form ik_<id>_<secret>', async () => {
    const { secret, apiKey } = await createKey({ name: '  ERP export  ', role: 'api_user', scopes: ['sap:read'] });
    assert.match(apiKey.id, /^key_[0-9a-f]{20}$/);
    assert.match(secret, new RegExp(`^ik_${apiKey.id}_[A-Za-z0-9_-]{43}$`));
    assert.equal(apiKey.name, 'ERP export');
    assert.deepEqual(apiKey.roles, ['api_user']);
    assert.deepEqual(apiKey.scopes, scopesOf(['api_user'], ['sap:read']));
    assert.equal(apiKey.status, 'ACTIVE');
    assert.equal(apiKey.usageCount, 0);
    assert.equal(apiKey.rotatedFrom, null);

    const [row] = (await sql<{ secret_hash: string }>`select secret_hash from access.api_keys where id = ${apiKey.id}`.execute(database.db.withoutPlugins())).rows;
    const secretPart = parseApiKey(secret)!.secret;
    assert.ok(row && !row.secret_hash.includes(secretPart), 'the secret is stored only as a hash');
    assert.match(row.secret_hash, /^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  });

  it('lists keys without any secret or hash', async () => {
    const { secret, apiKey } = await createKey({ name: 'listed', role: 'readonly' });
    const response = await hub.request('{ apiKeys(first: 100) { totalCount edges { node { id name status } } pageInfo { hasNextPage } } }');
    assert.equal(response.status, 200);
    assert.ok(response.body.data.apiKeys.edges.some((edge: any) => edge.node.id === apiKey.id));
    assert.ok(!JSON.stringify(response.body).includes(parseApiKey(secret)!.secret));

    const fields = await hub.query('{ __type(name: "ApiKey") { fields { name } } }');
    const names = fields.__type.fields.map((field: { name: string }) => field.name);
    assert.ok(!names.some((name: string) => /secret|hash/i.test(name)), names.join());
  });

  it('pages through keys newest first', async () => {
    for (const name of ['page a', 'page b', 'page c']) await createKey({ name, role: 'readonly' });
    const first = await hub.query('{ apiKeys(first: 2) { edges { node { name } } pageInfo { hasNextPage endCursor } } }');
    assert.deepEqual(first.apiKeys.edges.map((edge: any) => edge.node.name), ['page c', 'page b']);
    assert.equal(first.apiKeys.pageInfo.hasNextPage, true);
    const next = await hub.query('query ($after: String) { apiKeys(first: 1, after: $after) { edges { node { name } } } }', { after: first.apiKeys.pageInfo.endCursor });
    assert.deepEqual(next.apiKeys.edges.map((edge: any) => edge.node.name), ['page a']);
    const bad = await hub.request('{ apiKeys(after: "nonsense") { totalCount } }');
    assert.equal(errorOf(bad).code, 'BAD_USER_INPUT');
  });

  it('names every bad field of a new key', async () => {
    const response = await hub.request(CREATE, { input: { name: ' ', role: 'superuser', scopes: ['customers:read', 'everything'], expiresAt: '2001-01-01T00:00:00Z' } });
    const error = errorOf(response);
    assert.equal(error.code, 'BAD_USER_INPUT');
    assert.deepEqual(error.fields.map((field: { field: string }) => field.field).sort(), ['expiresAt', 'name', 'role', 'scopes.1']);

    const nothing = errorOf(await hub.request(CREATE, { input: { name: 'no rights' } }));
    assert.equal(nothing.code, 'BAD_USER_INPUT');
    assert.deepEqual(nothing.fields.map((field: { field: string }) => field.field), ['role']);
  });

  it('answers NOT_FOUND for a key that does not exist', async () => {
    for (const id of ['key_00000000000000000000', 'not-a-key']) {
      assert.equal(errorOf(await hub.request('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id })).code, 'NOT_FOUND');
      assert.equal(errorOf(await hub.request('mutation ($id: ID!) { rotateApiKey(id: $id) { secret } }', { id })).code, 'NOT_FOUND');
    }
    assert.equal((await hub.query('{ apiKey(id: "key_00000000000000000000") { id } }')).apiKey, null);
  });

  it('lets only admins manage keys', async () => {
    const response = await hub.request(CREATE, { input: { name: 'sneaky', role: 'admin' } }, await asRole('api_user'));
    assert.equal(errorOf(response).code, 'FORBIDDEN');
    const listing = await hub.request('{ apiKeys { totalCount } }', undefined, await asRole('readonly'));
    assert.equal(errorOf(listing).code, 'FORBIDDEN');
  });

  it('accepts a key as X-API-Key with its role, and refuses it at once once revoked', async () => {
    const { secret, apiKey } = await createKey({ name: 'integration', role: 'readonly' });
    const asKey = { 'x-api-key': secret };
    const read = await hub.request('{ customerGroups { code } }', undefined, asKey);
    assert.equal(read.status, 200, JSON.stringify(read.body));
    const write = await hub.request('mutation { createCustomer(input: { name: "Key Writer", email: "writer@access.example" }) { id } }', undefined, asKey);
    assert.equal(errorOf(write).code, 'FORBIDDEN');

    const revoked = await hub.query('mutation ($id: ID!) { revokeApiKey(id: $id) { status revokedAt } }', { id: apiKey.id });
    assert.equal(revoked.revokeApiKey.status, 'REVOKED');
    const refused = await hub.request('{ customerGroups { code } }', undefined, asKey);
    assert.equal(refused.status, 401);
    assert.equal(errorOf(refused).code, 'UNAUTHENTICATED');

    const again = await hub.query('mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: apiKey.id });
    assert.equal(again.revokeApiKey.revokedAt, revoked.revokeApiKey.revokedAt);
    const listed = await hub.query('{ without: apiKeys(first: 100) { edges { node { id } } } with: apiKeys(first: 100, includeRevoked: true) { edges { node { id } } } }');
    assert.ok(!listed.without.edges.some((edge: any) => edge.node.id === apiKey.id));
    assert.ok(listed.with.edges.some((edge: any) => edge.node.id === apiKey.id));
  });

  it('rotates a key: a new key replaces it and the old one stops at once', async () => {
    const old = await createKey({ name: 'rotating', role: 'api_user', expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    const { rotateApiKey } = await hub.query('mutation ($id: ID!) { rotateApiKey(id: $id) { secret apiKey { id name roles expiresAt rotatedFrom status } } }', { id: old.apiKey.id });
    assert.notEqual(rotateApiKey.apiKey.id, old.apiKey.id);
    assert.equal(rotateApiKey.apiKey.rotatedFrom, old.apiKey.id);
    assert.equal(rotateApiKey.apiKey.name, 'rotating');
    assert.deepEqual(rotateApiKey.apiKey.roles, ['api_user']);
    assert.equal(rotateApiKey.apiKey.expiresAt, old.apiKey.expiresAt);

    assert.equal((await hub.request('{ customerGroups { code } }', undefined, { 'x-api-key': old.secret })).status, 401);
    assert.equal((await hub.request('{ customerGroups { code } }', undefined, { 'x-api-key': rotateApiKey.secret })).status, 200);
    const status = await hub.query('query ($id: ID!) { apiKey(id: $id) { status } }', { id: old.apiKey.id });
    assert.equal(status.apiKey.status, 'REVOKED');
    assert.equal(errorOf(await hub.request('mutation ($id: ID!) { rotateApiKey(id: $id) { secret } }', { id: old.apiKey.id })).code, 'CONFLICT');
  });

  it('changes a key\'s role at once, with an api_key.updated event, and refuses what would leave it nothing', async () => {
    const { secret, apiKey } = await createKey({ name: 'changing', role: 'readonly' });
    const headers = { 'x-api-key': secret };
    const PLACE_CUSTOMER = 'mutation { createCustomer(input: { name: "By a changed key", email: "changed-key@example.com" }) { id } }';
    assert.equal(errorOf(await hub.request(PLACE_CUSTOMER, undefined, headers)).code, 'FORBIDDEN');

    const UPDATE = 'mutation ($id: ID!, $input: UpdateApiKeyInput!) { updateApiKey(id: $id, input: $input) { name roles scopes } }';
    const { updateApiKey } = await hub.query(UPDATE, { id: apiKey.id, input: { name: 'changed', role: 'api_user' } });
    assert.deepEqual(updateApiKey.roles, ['api_user']);
    assert.equal(updateApiKey.name, 'changed');
    assert.ok(updateApiKey.scopes.includes('customers:write'));
    assert.equal((await hub.request(PLACE_CUSTOMER, undefined, headers)).body.errors, undefined);

    // The same values again change nothing and write no event.
    await hub.query(UPDATE, { id: apiKey.id, input: { role: 'api_user' } });
    const { rows } = await sql<{ type: string }>`select type from events.events where subject_id = ${apiKey.id} order by id`.execute(database.db.withoutPlugins());
    assert.deepEqual(rows.map((row) => row.type), ['api_key.created', 'api_key.updated']);

    assert.equal(errorOf(await hub.request(UPDATE, { id: apiKey.id, input: { role: null } })).code, 'BAD_USER_INPUT');
    assert.deepEqual(errorOf(await hub.request(UPDATE, { id: apiKey.id, input: { role: 'superuser' } })).fields, [{ field: 'role', message: 'must be one of admin, api_user, sap_integration, readonly' }]);
    assert.equal(errorOf(await hub.request(UPDATE, { id: apiKey.id, input: {} })).code, 'BAD_USER_INPUT');
    assert.equal(errorOf(await hub.request(UPDATE, { id: 'key_00000000000000000000', input: { name: 'x' } })).code, 'NOT_FOUND');
    await hub.query('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: apiKey.id });
    assert.equal(errorOf(await hub.request(UPDATE, { id: apiKey.id, input: { name: 'too late' } })).code, 'CONFLICT');
  });

  it('writes api_key events to the event store, without the secret', async () => {
    const { secret, apiKey } = await createKey({ name: 'evented', role: 'readonly' });
    await hub.query('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: apiKey.id });
    const { rows } = await sql<{ type: string; data: unknown }>`select type, data from events.events where subject_id = ${apiKey.id} order by id`.execute(database.db.withoutPlugins());
    assert.deepEqual(rows.map((row) => row.type), ['api_key.created', 'api_key.revoked']);
    assert.ok(!JSON.stringify(rows).includes(parseApiKey(secret)!.secret));
    assert.ok(!JSON.stringify(rows).includes('scrypt'));
  });
});

describe('ApiKeyVerifier', () => {
  let verifier: ApiKeyVerifier;
  before(() => {
    verifier = new ApiKeyVerifier({ db: database.db, logger: silent, flushIntervalMs: 3_600_000 });
  });
  after(() => verifier.close());

  it('returns the principal of a valid key, with its roles and scopes', async () => {
    const { secret, apiKey } = await createKey({ name: 'verified', role: 'sap_integration', scopes: ['health:read'] });
    const principal = await verifier.verify(secret);
    assert.deepEqual(principal, { kind: 'api_key', id: apiKey.id, roles: ['sap_integration'], scopes: scopesOf(['sap_integration'], ['health:read']) });
    assert.deepEqual(await verifier.verify(secret), principal, 'a remembered check gives the same answer');
  });

  it('refuses a wrong secret, an unknown id and a malformed key', async () => {
    const { secret, apiKey } = await createKey({ name: 'wrong secret', role: 'readonly' });
    assert.ok(await verifier.verify(secret));
    const wrong = `ik_${apiKey.id}_${'A'.repeat(43)}`;
    assert.equal(await verifier.verify(wrong), undefined);
    assert.equal(await verifier.verify(`ik_key_00000000000000000000_${parseApiKey(secret)!.secret}`), undefined);
    for (const malformed of ['', 'ik_', secret.slice(0, -1), `Bearer ${secret}`, `${secret}x`]) assert.equal(await verifier.verify(malformed), undefined, malformed);
  });

  it('stops accepting a revoked key at once, even one it has just verified', async () => {
    const { secret, apiKey } = await createKey({ name: 'revoked', role: 'readonly' });
    assert.ok(await verifier.verify(secret));
    await hub.query('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: apiKey.id });
    assert.equal(await verifier.verify(secret), undefined);
  });

  it('stops accepting a key once it has expired', async () => {
    const { secret, apiKey } = await createKey({ name: 'expiring', role: 'readonly', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    assert.ok(await verifier.verify(secret));
    await sql`update access.api_keys set expires_at = now() - interval '1 second' where id = ${apiKey.id}`.execute(database.db.withoutPlugins());
    assert.equal(await verifier.verify(secret), undefined);
    const status = await hub.query('query ($id: ID!) { apiKey(id: $id) { status } }', { id: apiKey.id });
    assert.equal(status.apiKey.status, 'EXPIRED');
    assert.equal(errorOf(await hub.request('mutation ($id: ID!) { rotateApiKey(id: $id) { secret } }', { id: apiKey.id })).code, 'CONFLICT');
  });

  it('accepts the new key and refuses the old one after a rotation', async () => {
    const old = await createKey({ name: 'rotated', role: 'readonly' });
    assert.ok(await verifier.verify(old.secret));
    const { rotateApiKey } = await hub.query('mutation ($id: ID!) { rotateApiKey(id: $id) { secret apiKey { id } } }', { id: old.apiKey.id });
    assert.equal(await verifier.verify(old.secret), undefined);
    assert.equal((await verifier.verify(rotateApiKey.secret))?.id, rotateApiKey.apiKey.id);
  });

  it('records usage count and last use when it flushes', async () => {
    const { secret, apiKey } = await createKey({ name: 'counted', role: 'readonly' });
    const before = Date.now();
    for (let i = 0; i < 5; i += 1) assert.ok(await verifier.verify(secret));
    assert.equal(await verifier.verify(`ik_${apiKey.id}_${'B'.repeat(43)}`), undefined, 'a failed check is not a use');
    await verifier.flush();
    const { apiKey: recorded } = await hub.query('query ($id: ID!) { apiKey(id: $id) { usageCount lastUsedAt } }', { id: apiKey.id });
    assert.equal(recorded.usageCount, 5);
    assert.ok(new Date(recorded.lastUsedAt).getTime() >= before - 1_000);

    assert.ok(await verifier.verify(secret));
    await verifier.flush();
    assert.equal((await hub.query('query ($id: ID!) { apiKey(id: $id) { usageCount } }', { id: apiKey.id })).apiKey.usageCount, 6);
  });

  it('writes pending usage on close', async () => {
    const { secret, apiKey } = await createKey({ name: 'closed', role: 'readonly' });
    const database = createDatabase<AccessTables>({ url: hub.database.url, poolMax: 1, connectTimeoutMs: 5_000, schema: 'access', logger: silent });
    const own = new ApiKeyVerifier({ db: database.db, logger: silent, flushIntervalMs: 3_600_000 });
    assert.ok(await own.verify(secret));
    await own.close();
    await database.close();
    assert.equal((await hub.query('query ($id: ID!) { apiKey(id: $id) { usageCount } }', { id: apiKey.id })).apiKey.usageCount, 1);
  });
});

describe('API key hashing', () => {
  it('salts every hash and verifies only the right secret', async () => {
    const [a, b] = [await hashSecret('same secret'), await hashSecret('same secret')];
    assert.notEqual(a, b);
    assert.equal(await verifySecret('same secret', a), true);
    assert.equal(await verifySecret('other secret', a), false);
    assert.equal(await verifySecret('same secret', 'plaintext'), false);
  });

  it('generates keys that differ every time', async () => {
    const [a, b] = [await generateApiKey(), await generateApiKey()];
    assert.notEqual(a.id, b.id);
    assert.notEqual(parseApiKey(a.key)!.secret, parseApiKey(b.key)!.secret);
    assert.ok(await verifySecret(parseApiKey(a.key)!.secret, a.secretHash));
  });
});

function auditRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    at: new Date(),
    action: 'operation',
    requestId: 'req-1',
    clientRequestId: null,
    principal: 'user:alice',
    clientIp: '10.0.0.1',
    operationName: 'PlaceOrder',
    operationType: 'mutation',
    rootFields: ['Mutation.placeOrder'],
    outcome: 'ok',
    code: null,
    durationMs: 12,
    ...overrides,
  };
}

describe('audit records', () => {
  it('are written in batches by the sink and found by auditRecords with filters', async () => {
    const sink = new PostgresAuditSink({ db: database.db, logger: silent, flushIntervalMs: 3_600_000, batchSize: 2 });
    const base = Date.parse('2031-01-01T00:00:00Z');
    sink.record(auditRecord({ at: new Date(base), requestId: 'audit-1', clientRequestId: 'client-1', principal: 'api_key:key_aaaaaaaaaaaaaaaaaaaa', operationName: 'SyncOrders' }));
    sink.record(auditRecord({ at: new Date(base + 1_000), requestId: 'audit-2', principal: 'user:bob', outcome: 'denied', code: 'FORBIDDEN', operationName: 'SyncOrders' }));
    sink.record(auditRecord({ at: new Date(base + 2_000), requestId: 'audit-3', principal: null, outcome: 'rate_limited', code: 'RATE_LIMITED', clientIp: null, operationName: null, operationType: null, rootFields: [] }));
    sink.record(auditRecord({ at: new Date(base + 3_000), action: 'cache_purge', requestId: 'audit-4', operationName: null, operationType: null, rootFields: [], detail: { type: 'Order', purged: 2 } }));
    await sink.close();

    const QUERY = `query ($filter: AuditRecordFilter, $first: Int, $after: String) {
      auditRecords(filter: $filter, first: $first, after: $after) {
        totalCount
        edges { node { action requestId clientRequestId principal clientIp operationName operationType rootFields outcome code durationMs detail at } }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    const since = new Date(base).toISOString();
    const all = await hub.query(QUERY, { filter: { since }, first: 3 });
    assert.equal(all.auditRecords.totalCount, 4);
    assert.deepEqual(all.auditRecords.edges.map((edge: any) => edge.node.requestId), ['audit-4', 'audit-3', 'audit-2']);
    assert.equal(all.auditRecords.edges[0].node.action, 'cache_purge');
    assert.deepEqual(all.auditRecords.edges[0].node.detail, { type: 'Order', purged: 2 });
    const rest = await hub.query(QUERY, { filter: { since }, first: 3, after: all.auditRecords.pageInfo.endCursor });
    assert.deepEqual(rest.auditRecords.edges.map((edge: any) => edge.node), [
      {
        action: 'operation',
        requestId: 'audit-1',
        clientRequestId: 'client-1',
        principal: 'api_key:key_aaaaaaaaaaaaaaaaaaaa',
        clientIp: '10.0.0.1',
        operationName: 'SyncOrders',
        operationType: 'mutation',
        rootFields: ['Mutation.placeOrder'],
        outcome: 'ok',
        code: null,
        durationMs: 12,
        detail: null,
        at: since,
      },
    ]);
    const purges = await hub.query(QUERY, { filter: { since, action: 'cache_purge' } });
    assert.deepEqual(purges.auditRecords.edges.map((edge: any) => edge.node.requestId), ['audit-4']);
    const placed = await hub.query(QUERY, { filter: { since, rootField: 'Mutation.placeOrder' } });
    assert.deepEqual(placed.auditRecords.edges.map((edge: any) => edge.node.requestId), ['audit-2', 'audit-1']);

    const denied = await hub.query(QUERY, { filter: { since, outcome: 'denied' } });
    assert.deepEqual(denied.auditRecords.edges.map((edge: any) => edge.node.requestId), ['audit-2']);
    const bob = await hub.query(QUERY, { filter: { since, principal: 'user:bob' } });
    assert.deepEqual(bob.auditRecords.edges.map((edge: any) => edge.node.requestId), ['audit-2']);
    const sync = await hub.query(QUERY, { filter: { since, until: new Date(base + 1_000).toISOString(), operationName: 'SyncOrders' } });
    assert.deepEqual(sync.auditRecords.edges.map((edge: any) => edge.node.requestId), ['audit-1']);
  });

  it('are readable by admins only', async () => {
    const response = await hub.request('{ auditRecords { totalCount } }', undefined, await asRole('api_user'));
    assert.equal(errorOf(response).code, 'FORBIDDEN');
  });

  it('never throw into the caller when PostgreSQL refuses them', async () => {
    const nowhere = createDatabase({ url: 'postgres://nobody@127.0.0.1:1/none', poolMax: 1, connectTimeoutMs: 1_000, schema: 'access', logger: silent });
    const broken = new PostgresAuditSink({ db: nowhere.db, logger: silent, flushIntervalMs: 3_600_000 });
    assert.doesNotThrow(() => broken.record(auditRecord()));
    await broken.close();
    await nowhere.close();
  });

  it('stay queued while PostgreSQL cannot take them, and are written once it can', async () => {
    // A database whose access schema is not made yet, as when the router starts before the access subgraph has migrated.
    const fresh = await createTestDatabase();
    const early = createDatabase<AccessTables>({ url: fresh.url, poolMax: 1, connectTimeoutMs: 5_000, schema: 'access', logger: silent });
    try {
      const sink = new PostgresAuditSink({ db: early.db, logger: silent, flushIntervalMs: 3_600_000, batchSize: 2 });
      for (const requestId of ['early-1', 'early-2', 'early-3']) sink.record(auditRecord({ requestId }));
      await sink.flush();
      await migrateToLatest(early.db, 'access', accessMigrations, silent);
      sink.record(auditRecord({ requestId: 'early-4' }));
      await sink.close();
      const { rows } = await sql<{ request_id: string }>`select request_id from access.audit_records order by id`.execute(early.db.withoutPlugins());
      assert.deepEqual(rows.map((row) => row.request_id), ['early-1', 'early-2', 'early-3', 'early-4']);
    } finally {
      await early.close();
      await fresh.drop();
    }
  });

  it('lose only the record PostgreSQL refuses, not the rest of its batch', async () => {
    const sink = new PostgresAuditSink({ db: database.db, logger: silent, flushIntervalMs: 3_600_000, batchSize: 10 });
    sink.record(auditRecord({ requestId: 'batch-ok-1' }));
    // duration_ms is an integer column: three billion is out of its range (SQLSTATE 22003).
    sink.record(auditRecord({ requestId: 'batch-refused', durationMs: 3e9 }));
    sink.record(auditRecord({ requestId: 'batch-ok-2' }));
    await sink.close();
    const { rows } = await sql<{ request_id: string }>`select request_id from access.audit_records where request_id like 'batch-%' order by id`.execute(database.db.withoutPlugins());
    assert.deepEqual(rows.map((row) => row.request_id), ['batch-ok-1', 'batch-ok-2']);
  });

  it('older than the retention are pruned', async () => {
    const repository = new AccessRepository(database.db);
    const now = Date.now();
    const sink = new PostgresAuditSink({ db: database.db, logger: silent, flushIntervalMs: 3_600_000 });
    sink.record(auditRecord({ at: new Date(now - 100 * 86_400_000), requestId: 'ancient' }));
    sink.record(auditRecord({ at: new Date(now - 10 * 86_400_000), requestId: 'recent' }));
    await sink.close();

    const pruned = await repository.pruneAuditRecords(new Date(now - 90 * 86_400_000));
    assert.equal(pruned, 1);
    const { rows } = await sql<{ request_id: string }>`select request_id from access.audit_records where request_id in ('ancient', 'recent')`.execute(database.db.withoutPlugins());
    assert.deepEqual(rows.map((row) => row.request_id), ['recent']);
  });
});

describe('secrets', () => {
  it('appear in no log line and no audit record', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    const config = loadConfig(routerEnv, {
      HOST: '127.0.0.1',
      PORT: '0',
      NODE_ENV: 'test',
      LOG_LEVEL: 'trace',
      DATABASE_URL: hub.database.url,
      JWT_SECRET: TEST_JWT_SECRET,
      INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
      RATE_LIMIT_PER_CLIENT: '0',
      SUPERGRAPH_PATH: fromRoot('schema/supergraph.graphql'),
    });
    const traced = await router.start(config, { logger, subgraphUrls: { customers: hub.customersUrl, orders: hub.ordersUrl, access: hub.accessUrl } });
    const admin = await roleToken('admin');
    let secret = '';
    try {
      const created = await graphql(traced.url, 'mutation Mint { createApiKey(input: { name: "logged?", role: "api_user" }) { secret } }', undefined, { authorization: `Bearer ${admin}` });
      secret = created.body.data.createApiKey.secret;
      const used = await graphql(traced.url, 'mutation UseKey { createCustomer(input: { name: "Logged Key", email: "logged@access.example" }) { id } }', undefined, { 'x-api-key': secret });
      assert.equal(used.status, 200, JSON.stringify(used.body));
      await graphql(traced.url, 'query Wrong { customerGroups { code } }', undefined, { 'x-api-key': `${secret.slice(0, -4)}AAAA` });
      await graphql(traced.url, 'mutation Denied { createApiKey(input: { name: "no", role: "admin" }) { secret } }', undefined, { 'x-api-key': secret });
    } finally {
      await traced.stop(1_000);
    }

    const secretPart = parseApiKey(secret)!.secret;
    const log = lines.join('');
    assert.ok(log.includes('UseKey'), 'the operations were logged');
    for (const value of [secretPart, secret.slice(0, -4), admin, TEST_INTERNAL_SECRET, TEST_JWT_SECRET]) assert.ok(!log.includes(value), `the log holds ${value.slice(0, 12)}...`);
    assert.ok(!/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/.test(log), 'a JWT appears in the log');

    const { rows } = await sql<Record<string, unknown>>`select * from access.audit_records where operation_name in ('Mint', 'UseKey', 'Wrong', 'Denied')`.execute(database.db.withoutPlugins());
    assert.ok(rows.length >= 3, `audit rows: ${JSON.stringify(rows)}`);
    const stored = JSON.stringify(rows);
    for (const value of [secretPart, admin, TEST_INTERNAL_SECRET]) assert.ok(!stored.includes(value), 'an audit record holds a secret');
  });
});

describe('the access subgraph called directly, with a captured internal header', () => {
  const caller = (roles: string[]): Principal => ({ kind: 'user', id: `replayed-${roles.join('-') || 'none'}`, roles, scopes: scopesOf(roles) });
  /** Every admin operation of the access subgraph, by the root field it selects. */
  const operations = (keyId: string): Record<string, string> => ({
    'Query.apiKey': `{ apiKey(id: "${keyId}") { id } }`,
    'Query.apiKeys': '{ apiKeys { totalCount } }',
    'Query.auditRecords': '{ auditRecords { totalCount } }',
    'Mutation.createApiKey': 'mutation { createApiKey(input: { name: "replayed", role: "admin" }) { secret } }',
    'Mutation.rotateApiKey': `mutation { rotateApiKey(id: "${keyId}") { secret } }`,
    'Mutation.revokeApiKey': `mutation { revokeApiKey(id: "${keyId}") { id } }`,
    'Mutation.updateApiKey': `mutation { updateApiKey(id: "${keyId}", input: { role: "admin" }) { id } }`,
  });
  const post = async (query: string, headers: Record<string, string>) => {
    const response = await fetch(hub.accessUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const keyState = async () =>
    (await sql<{ id: string; revoked_at: Date | null }>`select id, revoked_at from access.api_keys order by id`.execute(database.db.withoutPlugins())).rows;

  it('answers a fragment fan-out sent with a valid header at once, without walking it', async () => {
    const fragments = Array.from({ length: 30 }, (_, index) => `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`).join('\n');
    const query = `query Q { ...F0 }\n${fragments}\nfragment F30 on Query { apiKeys { totalCount } }`;
    const { body } = await post(query, await internalHeaders(caller(['admin']), 'access'));
    assert.equal(body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(body.errors?.[0]?.message, /recursively requests too many selections/);
  });

  it('covers every root field the access schema keeps for admins', () => {
    const sdl = parse(readFileSync(fromRoot('schema/access.graphql'), 'utf8'));
    const adminFields = sdl.definitions.flatMap((definition) =>
      (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) && ['Query', 'Mutation', 'Subscription'].includes(definition.name.value)
        ? (definition.fields ?? []).filter((field) => field.directives?.some((directive) => directive.name.value === 'requiresScopes')).map((field) => `${definition.name.value}.${field.name.value}`)
        : [],
    );
    assert.deepEqual(Object.keys(operations('key_00000000000000000000')).sort(), adminFields.sort());
  });

  it("answers a non-admin caller's header with FORBIDDEN and nothing else, and changes nothing", async () => {
    const { apiKey } = await createKey({ name: 'target of replays', role: 'readonly' });
    // The header the router sends access with its readiness checks (as the router, no scopes), captured on its way.
    const proxy = await countingProxy(hub.accessUrl);
    let readiness: string | undefined;
    try {
      const watched = await hub.startRouter({ access: proxy.url });
      await fetch(new URL('/ready', watched.url), { headers: await asRole('admin') });
      const captured = proxy.lastHeaders()?.[INTERNAL_TOKEN_HEADER];
      readiness = typeof captured === 'string' ? captured : undefined;
    } finally {
      await proxy.close();
    }
    assert.ok(readiness, "the router's readiness check sent access no internal header");
    const headers = [
      { [INTERNAL_TOKEN_HEADER]: readiness },
      await internalHeaders(caller(['readonly']), 'access'),
      await internalHeaders(caller(['api_user', 'sap_integration']), 'access'),
      await internalHeaders(undefined, 'access'),
    ];
    const before = await keyState();
    for (const header of headers) {
      for (const [field, query] of Object.entries(operations(apiKey.id))) {
        const { status, body } = await post(query, header);
        assert.equal(status, 403, `${field}: ${JSON.stringify(body)}`);
        assert.deepEqual(Object.keys(body), ['errors'], `${field} answered more than the error`);
        assert.equal(body.errors.length, 1);
        assert.deepEqual(body.errors[0].extensions, { code: 'FORBIDDEN', requiredScopes: ['admin'], fields: [field], requestId: body.errors[0].extensions.requestId });
      }
    }
    assert.deepEqual(await keyState(), before, 'a refused operation changed API keys');
  });

  it('refuses an admin field reached through a fragment, and answers what needs no scope', async () => {
    const readonly = await internalHeaders(caller(['readonly']), 'access');
    const throughFragment = await post('query { ...Keys } fragment Keys on Query { ... on Query { apiKeys { totalCount } } }', readonly);
    assert.equal(throughFragment.status, 403);
    assert.deepEqual(throughFragment.body.errors[0].extensions.fields, ['Query.apiKeys']);
    const typename = await post('{ __typename }', readonly);
    assert.deepEqual(typename.body, { data: { __typename: 'Query' } });
  });

  it("answers an admin's header", async () => {
    const { status, body } = await post('{ apiKeys { totalCount } }', await internalHeaders(caller(['admin']), 'access'));
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(typeof body.data.apiKeys.totalCount, 'number');
  });
});
