import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'graphql';
import { createClient } from 'graphql-ws';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import WebSocket from 'ws';
import { INTERNAL_TOKEN_HEADER, INTERNAL_TOKEN_ISSUER, InternalTokenSigner, InternalTokenVerifier, ROUTER_SERVICE } from '../infra/auth/internal-token.js';
import type { Principal } from '../infra/auth/principal.js';
import { loadConfig } from '../infra/config.js';
import { customersEnv } from '../subgraphs/customers/subgraph.js';
import { routerEnv } from '../router/config.js';
import type { RequestContext } from '../infra/graphql/request-plugin.js';
import { startSubgraphServer, type RunningSubgraph } from '../infra/graphql/subgraph-server.js';
import { fromRoot } from '../infra/paths.js';
import * as router from '../router/server.js';
import { composeSupergraph } from '../scripts/compose.js';
import * as customers from '../subgraphs/customers/server.js';
import { INVENTORY_SDL, startInventorySubgraph } from './fixtures/inventory-subgraph.js';
import { TEST_INTERNAL_SECRET, graphql, internalHeaders, startTestHub, type TestHub } from './support/hub.js';
import { SUBGRAPHS } from '../subgraphs/index.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { countingProxy } from './support/proxy.js';
import { asRole, TEST_JWT_SECRET } from './support/tokens.js';

/**
 * The signed internal header: a subgraph answers only requests that the router (or another of
 * the hub's services) signed with INTERNAL_TOKEN_SECRET, over HTTP and graphql-ws alike.
 */

const ALICE: Principal = { kind: 'user', id: 'alice', roles: ['readonly'], scopes: ['customers:read', 'orders:read'] };

/** The name of the test subgraph below, and so the audience of the tokens it accepts. */
const WHOAMI = 'whoami';

/** A token's claims, unverified. */
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Log lines, as JSON text, of every service these tests start. */
const logLines: string[] = [];
const logger = pino(
  { level: 'trace' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  }),
);

/** A subgraph that tells who the internal header said was calling, over HTTP and over graphql-ws. */
function startWhoamiSubgraph(): Promise<RunningSubgraph> {
  const describePrincipal = (principal: Principal | undefined) => (principal ? `${principal.kind}:${principal.id}:${principal.scopes.join(' ')}` : 'anonymous');
  return startSubgraphServer<RequestContext>({
    name: WHOAMI,
    typeDefs: parse('type Query { whoami: String! } type Subscription { whoami: String! }'),
    resolvers: {
      Query: { whoami: (_parent: unknown, _args: unknown, context: RequestContext) => describePrincipal(context.principal) },
      Subscription: {
        whoami: {
          subscribe: async function* (_parent: unknown, _args: unknown, context: RequestContext) {
            yield { whoami: describePrincipal(context.principal) };
          },
        },
      },
    },
    port: 0,
    host: '127.0.0.1',
    production: false,
    logger,
    internalTokens: new InternalTokenVerifier(TEST_INTERNAL_SECRET, WHOAMI),
    context: (requestId) => ({ requestId, logger }),
    subscriptionContext: (requestId) => ({ requestId, logger }),
    ready: async () => {},
  });
}

async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

/** A token signed like the router's, with claims and times of the test's choosing. */
async function craftedToken(options: { secret?: string; audience?: string; issuer?: string; issuedAgo?: number; expiresIn?: number; claims?: Record<string, unknown> } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(options.claims ?? { kind: 'user', roles: ['admin'], scopes: ['admin'] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('mallory')
    .setIssuer(options.issuer ?? INTERNAL_TOKEN_ISSUER)
    .setAudience(options.audience ?? WHOAMI)
    .setIssuedAt(now - (options.issuedAgo ?? 0))
    .setExpirationTime(now + (options.expiresIn ?? 60))
    .sign(new TextEncoder().encode(options.secret ?? TEST_INTERNAL_SECRET));
}

/** Resolves with the close code of a graphql-ws connection that sends `connectionParams` and subscribes. */
function subscribeOverSocket(url: string, connectionParams: Record<string, unknown>): Promise<{ data?: unknown; closeCode?: number }> {
  return new Promise((resolve) => {
    const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams, lazy: true, retryAttempts: 0 });
    client.subscribe(
      { query: 'subscription { whoami }' },
      {
        next: (result) => {
          resolve({ data: result.data });
          void client.dispose();
        },
        error: (error) => {
          resolve({ closeCode: (error as { code?: number }).code });
          void client.dispose();
        },
        complete: () => {},
      },
    );
  });
}

describe('a subgraph called directly', () => {
  let whoami: RunningSubgraph;
  before(async () => {
    whoami = await startWhoamiSubgraph();
  });
  after(() => whoami.stop(1_000));

  it('refuses a request without the internal header with 401 UNAUTHENTICATED', async () => {
    const response = await post(whoami.url, '{ whoami }');
    assert.equal(response.status, 401);
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.ok(response.body.errors?.[0]?.extensions?.requestId);
    assert.equal(response.body.data, undefined);
  });

  it('refuses a header signed with another secret', async () => {
    const forged = await craftedToken({ secret: 'not-the-hub-secret-but-just-as-long-as-it' });
    const response = await post(whoami.url, '{ whoami }', { [INTERNAL_TOKEN_HEADER]: forged });
    assert.equal(response.status, 401);
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  it('refuses a valid token whose claims were changed', async () => {
    const [header, , signature] = (await new InternalTokenSigner(TEST_INTERNAL_SECRET, WHOAMI).token(ALICE)).split('.');
    const claims = Buffer.from(JSON.stringify({ sub: 'alice', kind: 'user', roles: ['admin'], scopes: ['admin'], iss: INTERNAL_TOKEN_ISSUER, aud: WHOAMI, exp: Math.floor(Date.now() / 1000) + 30 })).toString('base64url');
    const response = await post(whoami.url, '{ whoami }', { [INTERNAL_TOKEN_HEADER]: `${header}.${claims}.${signature}` });
    assert.equal(response.status, 401);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'mallory', kind: 'user', roles: ['admin'], scopes: ['admin'], iss: INTERNAL_TOKEN_ISSUER, aud: WHOAMI, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 30 })}.`;
    const response = await post(whoami.url, '{ whoami }', { [INTERNAL_TOKEN_HEADER]: unsigned });
    assert.equal(response.status, 401);
  });

  it('refuses an expired token', async () => {
    const expired = await craftedToken({ issuedAgo: 600, expiresIn: -540 });
    const response = await post(whoami.url, '{ whoami }', { [INTERNAL_TOKEN_HEADER]: expired });
    assert.equal(response.status, 401);
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  it('refuses a token for another subgraph, for the subgraphs at large, or from another issuer', async () => {
    const others = [await craftedToken({ audience: 'orders' }), await craftedToken({ audience: 'interchange-subgraphs' }), await craftedToken({ issuer: 'someone-else' })];
    for (const token of [...others, await new InternalTokenSigner(TEST_INTERNAL_SECRET, 'orders').token(ALICE)]) {
      const response = await post(whoami.url, '{ whoami }', { [INTERNAL_TOKEN_HEADER]: token });
      assert.equal(response.status, 401);
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    }
  });

  it('refuses a token issued more than 30 s ago, whatever its exp says', async () => {
    const old = await craftedToken({ issuedAgo: 31, expiresIn: 3600 });
    assert.equal((await post(whoami.url, '{ whoami }', { [INTERNAL_TOKEN_HEADER]: old })).status, 401);
    const young = await craftedToken({ issuedAgo: 20, expiresIn: 10 });
    assert.equal((await post(whoami.url, '{ whoami }', { [INTERNAL_TOKEN_HEADER]: young })).status, 200);
  });

  it('stops accepting a token it has verified once it is 30 s old', async () => {
    const token = await craftedToken({ issuedAgo: 26, expiresIn: 3600 });
    assert.equal((await post(whoami.url, '{ whoami }', { [INTERNAL_TOKEN_HEADER]: token })).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    assert.equal((await post(whoami.url, '{ whoami }', { [INTERNAL_TOKEN_HEADER]: token })).status, 401);
  });

  it('answers a request with a valid header and puts its principal in the context', async () => {
    const asAlice = await post(whoami.url, '{ whoami }', await internalHeaders(ALICE, WHOAMI));
    assert.equal(asAlice.status, 200);
    assert.equal(asAlice.body.data?.whoami, 'user:alice:customers:read orders:read');

    const anonymous = await post(whoami.url, '{ whoami }', await internalHeaders(undefined, WHOAMI));
    assert.equal(anonymous.body.data?.whoami, 'anonymous');
  });

  it('keeps /health and /ready open', async () => {
    const origin = new URL(whoami.url).origin;
    assert.equal((await fetch(`${origin}/health`)).status, 200);
    assert.equal((await fetch(`${origin}/ready`)).status, 200);
  });

  it('closes a graphql-ws connection without the header, or with a forged one, with 4403', async () => {
    assert.deepEqual(await subscribeOverSocket(whoami.url, {}), { closeCode: 4403 });
    const forged = await craftedToken({ secret: 'not-the-hub-secret-but-just-as-long-as-it' });
    assert.deepEqual(await subscribeOverSocket(whoami.url, { [INTERNAL_TOKEN_HEADER]: forged }), { closeCode: 4403 });
  });

  it('serves a graphql-ws connection whose connection_init carries a valid header, as that principal', async () => {
    const token = await new InternalTokenSigner(TEST_INTERNAL_SECRET, WHOAMI).token(ROUTER_SERVICE);
    assert.deepEqual(await subscribeOverSocket(whoami.url, { [INTERNAL_TOKEN_HEADER]: token }), { data: { whoami: 'service:router:' } });
  });
});

describe('the internal token', () => {
  it('is reused for the same principal and subgraph, and differs between principals and between subgraphs', async () => {
    const signer = new InternalTokenSigner(TEST_INTERNAL_SECRET, 'customers');
    assert.equal(await signer.token(ALICE), await signer.token({ ...ALICE }));
    assert.notEqual(await signer.token(ALICE), await signer.token(undefined));
    assert.notEqual(await signer.token(ALICE), await signer.token(ALICE, 'orders'));
  });

  it('names its issuer, the one subgraph it is for, and a lifetime of 30 s', async () => {
    const claims = claimsOf(await new InternalTokenSigner(TEST_INTERNAL_SECRET, 'orders').token(ALICE));
    assert.equal(claims.iss, INTERNAL_TOKEN_ISSUER);
    assert.equal(claims.aud, 'orders');
    assert.equal(claims.sub, 'alice');
    assert.equal((claims.exp as number) - (claims.iat as number), 30);
  });

  it('is not signed without a subgraph to name', async () => {
    await assert.rejects(new InternalTokenSigner(TEST_INTERNAL_SECRET).token(ALICE), /must name the subgraph/);
  });

  it('needs a secret of at least 32 characters', () => {
    assert.throws(() => new InternalTokenSigner('too-short'), /at least 32 characters/);
    assert.throws(() => loadConfig(customersEnv, { DATABASE_URL: 'postgres://localhost/db', INTERNAL_TOKEN_SECRET: 'too-short' }), /INTERNAL_TOKEN_SECRET=\(9 characters, hidden\): must be at least 32 characters/);
    assert.throws(() => loadConfig(customersEnv, { DATABASE_URL: 'postgres://localhost/db' }), /INTERNAL_TOKEN_SECRET=\(unset\)/);
  });
});

describe('a domain subgraph', () => {
  let database: TestDatabase;
  let service: RunningSubgraph;
  before(async () => {
    database = await createTestDatabase();
    const config = loadConfig(customersEnv, { DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET });
    service = await customers.start(config, { logger });
  });
  after(async () => {
    await service.stop(1_000);
    await database.drop();
  });

  it('refuses queries, mutations and subscriptions without the header', async () => {
    const query = await post(service.url, '{ customerGroups { code } }');
    assert.equal(query.status, 401);
    const mutation = await post(service.url, 'mutation { createCustomer(input: { name: "Eve", email: "eve@example.com" }) { id } }');
    assert.equal(mutation.status, 401);
    const entities = await post(service.url, '{ _entities(representations: [{ __typename: "Customer", id: "00000000-0000-0000-0000-000000000000" }]) { __typename } }');
    assert.equal(entities.status, 401);
    assert.deepEqual(await subscribeOverSocket(service.url, {}), { closeCode: 4403 });
    assert.equal((await post(service.url, '{ customerGroups { code } }', await internalHeaders())).status, 200);
  });
});

describe('the router', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub();
  });
  after(() => hub.stop());

  it('signs every subgraph request, its readiness checks included', async () => {
    assert.ok((await hub.query('{ customerGroups { code } }')).customerGroups.length > 0);
    const ready = await fetch(new URL('/ready', hub.routerUrl));
    assert.equal(ready.status, 200);
  });

  it('sends no internal header without INTERNAL_TOKEN_SECRET, so the subgraphs refuse it', async () => {
    const unsigned = await hub.startRouter({}, { INTERNAL_TOKEN_SECRET: '' });
    const ready = (await (await fetch(new URL('/ready', unsigned.url), { headers: await asRole('admin') })).json()) as { subgraphs: { name: string; ready: boolean; error?: string }[] };
    assert.ok(ready.subgraphs.every((subgraph) => !subgraph.ready && subgraph.error === 'HTTP 401'), JSON.stringify(ready));
  });

  it('signs only for the subgraphs INTERNAL_TOKEN_SUBGRAPHS names', async () => {
    const partial = await hub.startRouter({}, { INTERNAL_TOKEN_SUBGRAPHS: 'customers, orders' });
    const ready = (await (await fetch(new URL('/ready', partial.url), { headers: await asRole('admin') })).json()) as { subgraphs: { name: string; ready: boolean; error?: string }[] };
    assert.deepEqual(
      ready.subgraphs.map(({ name, ready: up, error }) => ({ name, up, error })),
      SUBGRAPHS.map(({ name }) => (['customers', 'orders'].includes(name) ? { name, up: true, error: undefined } : { name, up: false, error: 'HTTP 401' })),
    );
    await assert.rejects(hub.startRouter({}, { INTERNAL_TOKEN_SUBGRAPHS: 'customers,inventory' }), /INTERNAL_TOKEN_SUBGRAPHS=.*inventory names no subgraph/);
  });

  it('signs each subgraph its own header: one captured on its way to orders is refused by customers and access', async () => {
    const proxy = await countingProxy(hub.ordersUrl);
    try {
      const watched = await hub.startRouter({ orders: proxy.url });
      const response = await graphql(watched.url, '{ orders(first: 1) { edges { node { id } } } }');
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const captured = proxy.lastHeaders()?.[INTERNAL_TOKEN_HEADER];
      assert.ok(typeof captured === 'string', 'the router sent orders no internal header');
      assert.equal(claimsOf(captured).aud, 'orders');
      const replayed = (url: string) => post(url, '{ __typename }', { [INTERNAL_TOKEN_HEADER]: captured });
      assert.equal((await replayed(hub.ordersUrl)).status, 200);
      for (const url of [hub.customersUrl, hub.accessUrl]) {
        const refused = await replayed(url);
        assert.equal(refused.status, 401);
        assert.equal(refused.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      }
    } finally {
      await proxy.close();
    }
  });

  it("sends the internal header to the hub's own subgraphs only, unless INTERNAL_TOKEN_SUBGRAPHS names others", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interchange-internal-token-'));
    const inventory = await startInventorySubgraph({ warehouses: [{ code: 'AMS', city: 'Amsterdam' }], shipments: new Map() });
    // What reaches the foreign subgraph, recorded on its way.
    const proxy = await countingProxy(inventory.url);
    const routers: router.RunningRouter[] = [];
    try {
      const configPath = join(dir, 'subgraphs.json');
      const subgraphs = [
        { name: 'customers', url: hub.customersUrl, schema: fromRoot('schema/customers.graphql') },
        { name: 'orders', url: hub.ordersUrl, schema: fromRoot('schema/orders.graphql') },
        { name: 'inventory', url: proxy.url, schema: INVENTORY_SDL },
      ];
      writeFileSync(configPath, JSON.stringify({ subgraphs }));
      const supergraphPath = join(dir, 'supergraph.graphql');
      writeFileSync(supergraphPath, composeSupergraph(configPath));
      const startRouter = async (env: Record<string, string>) => {
        const config = loadConfig(routerEnv, {
          NODE_ENV: 'test',
          HOST: '127.0.0.1',
          PORT: '0',
          RATE_LIMIT_PER_CLIENT: '0',
          JWT_SECRET: TEST_JWT_SECRET,
          INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
          SUPERGRAPH_PATH: supergraphPath,
          ...env,
        });
        const running = await router.start(config, { logger, subgraphUrls: Object.fromEntries(subgraphs.map(({ name, url }) => [name, url])) });
        routers.push(running);
        return running;
      };
      const both = '{ warehouses { code } customerGroups { code } }';

      const byDefault = await startRouter({});
      const answered = await graphql(byDefault.url, both);
      assert.equal(answered.status, 200, JSON.stringify(answered.body));
      assert.deepEqual(answered.body.data?.warehouses, [{ code: 'AMS' }]);
      assert.ok(answered.body.data?.customerGroups.length > 0, "customers, one of the hub's own, got its header");
      assert.ok(proxy.requests() > 0);
      assert.equal(proxy.lastHeaders()?.[INTERNAL_TOKEN_HEADER], undefined);
      const before = proxy.requests();
      await fetch(new URL('/ready', byDefault.url), { headers: await asRole('admin') });
      assert.ok(proxy.requests() > before, 'the readiness check did not reach inventory');
      assert.equal(proxy.lastHeaders()?.[INTERNAL_TOKEN_HEADER], undefined);

      const trusted = await startRouter({ INTERNAL_TOKEN_SUBGRAPHS: 'customers,orders,inventory' });
      assert.equal((await graphql(trusted.url, both)).status, 200);
      const sent = proxy.lastHeaders()?.[INTERNAL_TOKEN_HEADER];
      assert.ok(typeof sent === 'string', 'inventory got no header though INTERNAL_TOKEN_SUBGRAPHS names it');
      assert.equal(claimsOf(sent).aud, 'inventory');
    } finally {
      for (const running of routers) await running.stop(1_000);
      await proxy.close();
      await inventory.stop(1_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes on no internal header of a client's", async () => {
    const forged = await craftedToken();
    const withHeader = await startTestHub({ env: { FORWARD_HEADERS: `authorization,${INTERNAL_TOKEN_HEADER}`, INTERNAL_TOKEN_SECRET: 'another-hub-secret-at-least-32-characters' } });
    try {
      // The hub's own secret differs, so the router's header is the only one its subgraphs accept.
      const response = await withHeader.request('{ customerGroups { code } }', undefined, { [INTERNAL_TOKEN_HEADER]: forged });
      assert.equal(response.status, 200, JSON.stringify(response.body));
    } finally {
      await withHeader.stop();
    }
  });

  it('writes no secret and no internal token to the log', () => {
    const log = logLines.join('');
    assert.ok(log.length > 0);
    assert.ok(!log.includes(TEST_INTERNAL_SECRET));
    assert.ok(!log.includes(INTERNAL_TOKEN_HEADER + '":"ey'));
    assert.ok(!/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/.test(log), 'a JWT appears in the log');
  });
});
