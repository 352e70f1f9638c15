import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import pg from 'pg';
import { pino } from 'pino';
import { ROLE_SCOPES, ROLES } from '../infra/auth/principal.js';
import { loadConfig } from '../infra/config.js';
import { routerEnv } from '../router/config.js';
import { fromRoot } from '../infra/paths.js';
import * as router from '../router/server.js';
import { graphql, startTestHub, TEST_INTERNAL_SECRET, type TestHub } from './support/hub.js';
import { ANONYMOUS, asRole, TEST_JWT_SECRET, testToken } from './support/tokens.js';
import { refusal, subscribe, wsClient } from './support/ws.js';

let hub: TestHub;
let customerId: string;
let orderId: string;

before(async () => {
  hub = await startTestHub();
  ({ createCustomer: { id: customerId } } = await hub.query('mutation { createCustomer(input: { name: "Ada Lovelace", email: "ada@auth.example" }) { id } }'));
  ({ placeOrder: { id: orderId } } = await hub.query(
    'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
    { input: { customerId, currency: 'EUR', lines: [{ sku: 'BOLT-M8', quantity: 1, unitPrice: '0.12' }] } },
  ));
});

after(async () => {
  await hub?.stop();
});

interface Protected {
  name: string;
  query: string;
  variables: (who: string) => Record<string, unknown>;
  /** Every scope the operation needs. */
  scopes: string[];
}

const PROTECTED: Protected[] = [
  { name: 'Query.customers', query: '{ customers(first: 1) { totalCount } }', variables: () => ({}), scopes: ['customers:read'] },
  { name: 'Query.customer', query: 'query ($id: ID!) { customer(id: $id) { name } }', variables: () => ({ id: customerId }), scopes: ['customers:read'] },
  { name: 'Query.orders', query: '{ orders(first: 1) { totalCount } }', variables: () => ({}), scopes: ['orders:read'] },
  { name: 'Query.order', query: 'query ($id: ID!) { order(id: $id) { number } }', variables: () => ({ id: orderId }), scopes: ['orders:read'] },
  {
    name: 'Customer.orders (across subgraphs, in a fragment)',
    query: 'query ($id: ID!) { customer(id: $id) { ...Orders } } fragment Orders on Customer { orders(first: 1) { totalCount } }',
    variables: () => ({ id: customerId }),
    scopes: ['customers:read', 'orders:read'],
  },
  {
    name: 'Mutation.createCustomer',
    query: 'mutation ($email: String!) { createCustomer(input: { name: "Matrix Row", email: $email }) { id } }',
    variables: (who) => ({ email: `${who}@matrix.example` }),
    scopes: ['customers:write', 'customers:read'],
  },
  {
    name: 'Mutation.placeOrder',
    query: 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { number } }',
    variables: () => ({ input: { customerId, currency: 'EUR', lines: [{ sku: 'NUT-M8', quantity: 2, unitPrice: '0.05' }] } }),
    scopes: ['orders:write', 'orders:read'],
  },
];

describe('access by role', () => {
  for (const role of ROLES) {
    for (const operation of PROTECTED) {
      const allowed = operation.scopes.every((scope) => (ROLE_SCOPES[role] as readonly string[]).includes(scope));
      it(`${allowed ? 'lets' : 'does not let'} ${role} use ${operation.name}`, async () => {
        const response = await hub.request(operation.query, operation.variables(role), await asRole(role));
        if (allowed) {
          assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
          assert.equal(response.status, 200);
          return;
        }
        assert.equal(response.status, 403);
        const [error] = response.body.errors ?? [];
        assert.equal(error?.extensions?.code, 'FORBIDDEN');
        const missing = operation.scopes.filter((scope) => !(ROLE_SCOPES[role] as readonly string[]).includes(scope));
        assert.deepEqual([...error!.extensions!.requiredScopes].sort(), missing.sort());
        assert.match(error!.message, new RegExp(missing[0]!));
        assert.ok(error!.path?.length, 'the error names the first refused field');
        assert.equal(response.body.data, undefined);
      });
    }
  }

  for (const operation of PROTECTED) {
    it(`refuses ${operation.name} without credentials, with UNAUTHENTICATED`, async () => {
      const response = await hub.request(operation.query, operation.variables('anonymous'), ANONYMOUS);
      assert.equal(response.status, 401);
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.equal(response.body.data, undefined);
    });
  }

  it('leaves customerGroups public', async () => {
    const response = await hub.request('{ customerGroups { code } }', undefined, ANONYMOUS);
    assert.equal(response.status, 200);
    assert.ok(response.body.data?.customerGroups.length > 0);
  });

  it('grants the scopes of a token’s scope claim as well as of its roles', async () => {
    const token = await testToken({ sub: 'scoped', scope: 'customers:read metrics:read' });
    const headers = { authorization: `Bearer ${token}` };
    assert.equal((await hub.request('{ customers(first: 0) { totalCount } }', undefined, headers)).status, 200);
    const orders = await hub.request('{ orders(first: 0) { totalCount } }', undefined, headers);
    assert.deepEqual(orders.body.errors?.[0]?.extensions?.requiredScopes, ['orders:read']);
  });

  it('refuses the whole operation before any subgraph is called', async () => {
    const running = await hub.startRouter();
    const before = running.subgraphRequests().sent;
    const readonly = await asRole('sap_integration');
    const mixed = await graphql(running.url, '{ customerGroups { code } customers(first: 1) { totalCount } }', undefined, readonly);
    assert.equal(mixed.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.deepEqual(mixed.body.errors?.[0]?.path, ['customers']);
    const anonymous = await graphql(running.url, '{ customerGroups { code } orders(first: 1) { totalCount } }', undefined, ANONYMOUS);
    assert.equal(anonymous.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.equal(running.subgraphRequests().sent, before, 'no subgraph request for a refused operation');

    await graphql(running.url, '{ customerGroups { code } }', undefined, readonly);
    assert.equal(running.subgraphRequests().sent, before + 1);
  });
});

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token whose payload is replaced, its signature kept. */
function tampered(token: string, payload: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url({ ...payload, exp: Math.floor(Date.now() / 1000) + 600 })}.${signature}`;
}

function unsigned(payload: Record<string, unknown>): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
}

describe('bearer tokens that do not verify', () => {
  let strict: router.RunningRouter;
  before(async () => {
    strict = await hub.startRouter({}, { JWT_AUDIENCE: 'interchange', JWT_ISSUER: 'https://id.example', JWT_CLOCK_SKEW_SECONDS: '5' });
  });
  const valid = (overrides = {}) => testToken({ roles: ['admin'], audience: 'interchange', issuer: 'https://id.example', ...overrides });

  const cases: [string, () => Promise<string>, RegExp][] = [
    ['an expired token', () => valid({ expiresIn: -60 }), /expired/],
    ['a token not valid yet', () => valid({ notBefore: 600 }), /not yet valid/],
    ['a token with the wrong signature', () => valid({ secret: 'another-secret-another-secret-another-secret' }), /signature/],
    ['a token for another audience', () => valid({ audience: 'someone-else' }), /audience/],
    ['a token from another issuer', () => valid({ issuer: 'https://evil.example' }), /issuer/],
    ['a token that is not a JWT', async () => 'not-a-jwt', /malformed/],
    ['a token whose claims were changed after signing', async () => tampered(await valid(), { roles: ['admin'], sub: 'someone-else' }), /signature/],
    ['an unsigned token (alg none)', async () => unsigned({ sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 }), /algorithm/],
    [
      'a token without exp',
      () => new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('forever').setAudience('interchange').setIssuer('https://id.example').sign(new TextEncoder().encode(TEST_JWT_SECRET)),
      /exp/,
    ],
    ['a token with a signature cut short', async () => (await valid()).slice(0, -4), /signature/],
  ];
  for (const [what, token, reason] of cases) {
    it(`answers ${what} with UNAUTHENTICATED and the reason, without echoing the token`, async () => {
      const presented = await token();
      // Even a public field: bad credentials are refused whatever the operation asks.
      const response = await graphql(strict.url, '{ customerGroups { code } }', undefined, { authorization: `Bearer ${presented}` });
      assert.equal(response.status, 401);
      const error = response.body.errors?.[0];
      assert.equal(error?.extensions?.code, 'UNAUTHENTICATED');
      assert.match(error!.extensions!.reason, reason);
      assert.ok(!JSON.stringify(response.body).includes(presented));
    });
  }

  it('accepts a valid token within the clock skew', async () => {
    const response = await graphql(strict.url, '{ customers(first: 0) { totalCount } }', undefined, { authorization: `Bearer ${await valid({ notBefore: 3 })}` });
    assert.equal(response.status, 200, JSON.stringify(response.body));
  });

  it('accepts a token whose audience is a list that names this router', async () => {
    const token = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('listed')
      .setAudience(['billing', 'interchange'])
      .setIssuer('https://id.example')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const response = await graphql(strict.url, '{ customers(first: 0) { totalCount } }', undefined, { authorization: `Bearer ${token}` });
    assert.equal(response.status, 200, JSON.stringify(response.body));
  });

  it('refuses another Authorization scheme', async () => {
    const response = await graphql(strict.url, '{ customerGroups { code } }', undefined, { authorization: 'Basic YWRtaW46YWRtaW4=' });
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });
});

describe('tokens signed with keys from a JWKS', () => {
  let jwks: Server;
  let keys: JWK[] = [];
  let jwksUrl: string;
  before(async () => {
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const address = jwks.address();
    jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/.well-known/jwks.json`;
  });
  after(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

  async function keyPair(alg: 'RS256' | 'ES256', kid: string) {
    const { publicKey, privateKey } = await generateKeyPair(alg);
    const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const sign = (roles: string[]) =>
      new SignJWT({ roles }).setProtectedHeader({ alg, kid }).setSubject(`jwks-${kid}`).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    return { jwk, sign };
  }

  it('verifies RS256 and ES256 tokens, and picks up a rotated key', async () => {
    const first = await keyPair('RS256', 'k1');
    const second = await keyPair('ES256', 'k2');
    keys = [first.jwk];
    const running = await hub.startRouter({}, { JWKS_URL: jwksUrl, JWKS_COOLDOWN_SECONDS: '0' });
    const ask = async (token: string) => graphql(running.url, '{ customers(first: 0) { totalCount } }', undefined, { authorization: `Bearer ${token}` });

    assert.equal((await ask(await first.sign(['readonly']))).status, 200);
    const unknownKey = await ask(await second.sign(['readonly']));
    assert.equal(unknownKey.body.errors?.[0]?.extensions?.reason, 'unknown signing key');

    keys = [second.jwk]; // rotated: k1 retired, k2 published
    assert.equal((await ask(await second.sign(['readonly']))).status, 200);
    const retired = await ask(await first.sign(['readonly']));
    assert.equal(retired.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');

    const forbidden = await ask(await second.sign(['sap_integration']));
    assert.equal(forbidden.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });

  it('refuses HS256 tokens beside JWKS_URL unless JWT_HS256_WITH_JWKS=true asks for both', async () => {
    const provider = await keyPair('ES256', 'k3');
    keys = [provider.jwk];
    const ask = (url: string, token: string) => graphql(url, '{ customers(first: 0) { totalCount } }', undefined, { authorization: `Bearer ${token}` });
    // Signed with TEST_JWT_SECRET, the JWT_SECRET of every test router.
    const hs256 = await testToken({ roles: ['readonly'] });

    const jwksOnly = await hub.startRouter({}, { JWKS_URL: jwksUrl });
    const refused = await ask(jwksOnly.url, hs256);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.equal(refused.body.errors?.[0]?.extensions?.reason, 'signing algorithm not accepted');
    assert.equal((await ask(jwksOnly.url, await provider.sign(['readonly']))).status, 200);

    const both = await hub.startRouter({}, { JWKS_URL: jwksUrl, JWT_HS256_WITH_JWKS: 'true' });
    assert.equal((await ask(both.url, hs256)).status, 200);
    assert.equal((await ask(both.url, await provider.sign(['readonly']))).status, 200);

    await assert.rejects(hub.startRouter({}, { JWT_HS256_WITH_JWKS: 'true' }), /JWT_HS256_WITH_JWKS="true": .*needs both JWT_SECRET and JWKS_URL/);
  });
});

describe('API keys', () => {
  it('lets a key act with its role until it is revoked', async () => {
    const { createApiKey } = await hub.query(
      'mutation { createApiKey(input: { name: "warehouse sync", role: "readonly" }) { secret apiKey { id } } }',
    );
    const headers = { 'x-api-key': createApiKey.secret as string };
    assert.equal((await hub.request('{ customers(first: 0) { totalCount } }', undefined, headers)).status, 200);
    const write = await hub.request('mutation { createCustomer(input: { name: "Key Writer", email: "key@auth.example" }) { id } }', undefined, headers);
    assert.equal(write.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');

    await hub.query('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: createApiKey.apiKey.id });
    const revoked = await hub.request('{ customerGroups { code } }', undefined, headers);
    assert.equal(revoked.status, 401);
    assert.equal(revoked.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.ok(!JSON.stringify(revoked.body).includes(createApiKey.secret));
  });

  it('refuses an unknown key', async () => {
    const response = await hub.request('{ customerGroups { code } }', undefined, { 'x-api-key': 'ik_key_00000000000000000000_nope' });
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });
});

describe('subscriptions', () => {
  it('closes a connection whose connection_init carries a bad token with 4403', async () => {
    const client = wsClient(hub.routerUrl, { connectionParams: { authorization: `Bearer ${await testToken({ roles: ['admin'], expiresIn: -3600 })}` } });
    try {
      const feed = subscribe(client, 'subscription { customerEvents { id } }');
      const closed = (await feed.error) as { code?: number };
      assert.equal(closed.code, 4403);
    } finally {
      await client.dispose();
    }
  });

  it('authorises each subscription like a query', async () => {
    const anonymous = wsClient(hub.routerUrl, { connectionParams: {} });
    const sap = wsClient(hub.routerUrl, { connectionParams: { authorization: `Bearer ${await testToken({ roles: ['sap_integration'] })}` } });
    const reader = wsClient(hub.routerUrl, { connectionParams: { Authorization: `Bearer ${await testToken({ roles: ['readonly'] })}` } });
    try {
      const [refused] = await refusal(subscribe(anonymous, 'subscription { orderEvents { id } }'));
      assert.equal(refused?.extensions?.code, 'UNAUTHENTICATED');
      const [forbidden] = await refusal(subscribe(sap, 'subscription { orderEvents { id order { number } } }'));
      assert.equal(forbidden?.extensions?.code, 'FORBIDDEN');
      assert.deepEqual(forbidden?.extensions?.requiredScopes, ['orders:read']);

      const opened = hub.upstreamSubscriptionsOpened();
      const feed = subscribe(reader, 'subscription ($id: ID) { customerEvents(customerId: $id) { type customer { name } } }', { id: customerId });
      while (hub.upstreamSubscriptionsOpened() === opened) await new Promise((resolve) => setTimeout(resolve, 20));
      await hub.query('mutation ($id: ID!) { updateCustomer(id: $id, input: { phone: "+44 20 7946 0000" }) { id } }', { id: customerId });
      const [event] = await feed.waitFor(1);
      assert.deepEqual(event!.data, { customerEvents: { type: 'customer.updated', customer: { name: 'Ada Lovelace' } } });
    } finally {
      await Promise.all([anonymous.dispose(), sap.dispose(), reader.dispose()]);
    }
  });
});

describe('audit records and logs', () => {
  it('records mutations and refused requests without any credential, in PostgreSQL and in the log', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
    const env = {
      HOST: '127.0.0.1',
      PORT: '0',
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
      RATE_LIMIT_PER_CLIENT: '0',
      SUPERGRAPH_PATH: fromRoot('schema/supergraph.graphql'),
    };
    const subgraphUrls = { customers: hub.customersUrl, orders: hub.ordersUrl, access: hub.accessUrl };
    // One router writes its audit records to the log (no database), one to PostgreSQL.
    const logged = await router.start(loadConfig(routerEnv, env), { logger, subgraphUrls });
    const stored = await router.start(loadConfig(routerEnv, { ...env, DATABASE_URL: hub.database.url }), { logger, subgraphUrls });
    const secrets: string[] = [];
    try {
      const admin = await testToken({ sub: 'auditor', roles: ['admin'] });
      const expired = await testToken({ sub: 'auditor', roles: ['admin'], expiresIn: -3600 });
      const readonly = await testToken({ sub: 'reader', roles: ['readonly'] });
      const { createApiKey } = await hub.query('mutation { createApiKey(input: { name: "audit probe", role: "readonly" }) { secret } }');
      secrets.push(admin, expired, readonly, createApiKey.secret, TEST_JWT_SECRET, TEST_INTERNAL_SECRET);

      for (const [index, target] of [logged, stored].entries()) {
        const send = (query: string, headers: Record<string, string>, requestId: string) =>
          graphql(target.url, query, undefined, { ...headers, 'x-request-id': `audit-${index}-${requestId}` });
        await send(`mutation Create { createCustomer(input: { name: "Audited", email: "audited-${index}@auth.example" }) { id } }`, { authorization: `Bearer ${admin}` }, 'mutation');
        await send('query Expired { customerGroups { code } }', { authorization: `Bearer ${expired}` }, 'expired');
        await send('query Writes { orders { totalCount } }', { authorization: `Bearer ${await testToken({ sub: 'sap', roles: ['sap_integration'] })}` }, 'forbidden');
        await send('query Keyed { customers { totalCount } }', { 'x-api-key': createApiKey.secret }, 'keyed');
        await send('query Reads { customers { totalCount } }', { authorization: `Bearer ${readonly}` }, 'read');
      }

      const fromLog = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'audit').map((line) => line.audit);
      // Keyed by the id the client sent; each record's requestId is the router's own.
      const byRequest = Object.fromEntries(fromLog.map((record) => [record.clientRequestId, record]));
      assert.equal(byRequest['audit-0-mutation']?.outcome, 'ok');
      assert.equal(byRequest['audit-0-mutation']?.operationType, 'mutation');
      assert.deepEqual(byRequest['audit-0-mutation']?.rootFields, ['Mutation.createCustomer']);
      assert.equal(byRequest['audit-0-mutation']?.principal, 'user:auditor');
      assert.match(byRequest['audit-0-mutation']?.requestId, /^[0-9a-f-]{36}$/);
      assert.equal(byRequest['audit-0-expired']?.code, 'UNAUTHENTICATED');
      assert.equal(byRequest['audit-0-forbidden']?.outcome, 'denied');
      assert.equal(byRequest['audit-0-forbidden']?.code, 'FORBIDDEN');
      assert.equal(byRequest['audit-0-read'], undefined, 'a permitted read is not audited');

      const client = new pg.Client({ connectionString: hub.database.url });
      await client.connect();
      try {
        let rows: Record<string, unknown>[] = [];
        // The sink writes in batches: wait until the router's records are in.
        while (rows.length < 3) {
          ({ rows } = await client.query("select * from access.audit_records where client_request_id like 'audit-1-%' order by client_request_id"));
          if (rows.length < 3) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.deepEqual(
          rows.map((row) => [row.client_request_id, row.outcome, row.code, row.principal, row.root_fields]),
          [
            ['audit-1-expired', 'denied', 'UNAUTHENTICATED', null, ['Query.customerGroups']],
            ['audit-1-forbidden', 'denied', 'FORBIDDEN', 'user:sap', ['Query.orders']],
            ['audit-1-mutation', 'ok', null, 'user:auditor', ['Mutation.createCustomer']],
          ],
        );
        const stored = JSON.stringify(rows);
        for (const secret of secrets) assert.ok(!stored.includes(secret), 'no credential in an audit record');
      } finally {
        await client.end();
      }
    } finally {
      await logged.stop(1_000);
      await stored.stop(1_000);
    }
    const log = lines.join('');
    for (const secret of secrets) assert.ok(!log.includes(secret), 'no credential in the log');
  });
});

describe('development tokens', () => {
  it('signs with npm run token a token that a router without JWT_SECRET accepts, and requires a key in production', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, rmSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'interchange-dev-token-'));
    try {
      const running = await hub.startRouter({}, { JWT_SECRET: '', DATA_DIR: dataDir, NODE_ENV: 'development' });
      const token = execFileSync(process.execPath, ['--import', 'tsx', fromRoot('scripts/token.ts'), '--role', 'readonly', '--sub', 'dev'], {
        env: { ...process.env, DATA_DIR: dataDir, JWT_SECRET: '' },
        encoding: 'utf8',
      }).trim();
      assert.equal(statSync(join(dataDir, 'dev-jwt-secret')).mode & 0o777, 0o600);
      const response = await graphql(running.url, '{ customers(first: 0) { totalCount } }', undefined, { authorization: `Bearer ${token}` });
      assert.equal(response.status, 200, JSON.stringify(response.body));

      await assert.rejects(hub.startRouter({}, { JWT_SECRET: '', NODE_ENV: 'production' }), /JWT_SECRET.*JWKS_URL/s);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
