import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { graphql, startTestHub, type TestHub } from './support/hub.js';
import { ANONYMOUS, testToken } from './support/tokens.js';
import { refusal, subscribe, wsClient } from './support/ws.js';

const GROUPS = '{ customerGroups { code } }';
/** Set by the test runner when Redis answers (under CI=true a Redis that does not answer fails the run). */
const redisUrl = process.env.TEST_REDIS_URL;

let hub: TestHub;
before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

/** A bearer header for a caller of its own, so that tests sharing a Redis never share counters. */
async function caller(roles = ['readonly']): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await testToken({ sub: `rate-${randomUUID()}`, roles })}` };
}

function assertLimited(response: Awaited<ReturnType<typeof graphql>>, limit: string) {
  assert.equal(response.status, 429);
  const error = response.body.errors?.[0];
  assert.equal(error?.extensions?.code, 'RATE_LIMITED');
  assert.equal(error?.extensions?.limit, limit);
  assert.ok(error!.extensions!.retryAfter >= 1 && error!.extensions!.retryAfter <= 60);
  assert.equal(response.headers.get('retry-after'), String(error!.extensions!.retryAfter));
}

describe('rate limits in one router', () => {
  it('answers a client over its limit with 429, RATE_LIMITED and Retry-After, and keeps serving others', async () => {
    const router = await hub.startRouter({}, { RATE_LIMIT_PER_CLIENT: '3' });
    const first = await caller();
    for (let i = 0; i < 3; i++) assert.equal((await graphql(router.url, GROUPS, undefined, first)).status, 200);
    assertLimited(await graphql(router.url, GROUPS, undefined, first), 'client');
    assert.equal((await graphql(router.url, GROUPS, undefined, await caller())).status, 200);
  });

  it('counts callers without credentials by their address', async () => {
    const router = await hub.startRouter({}, { RATE_LIMIT_PER_CLIENT: '2' });
    for (let i = 0; i < 2; i++) assert.equal((await graphql(router.url, GROUPS, undefined, ANONYMOUS)).status, 200);
    assertLimited(await graphql(router.url, GROUPS, undefined, ANONYMOUS), 'client');
  });

  it('counts callers behind a trusted proxy by their X-Forwarded-For address, and ignores the header otherwise', async () => {
    const behindProxy = await hub.startRouter({}, { RATE_LIMIT_PER_CLIENT: '1', TRUSTED_PROXIES: '127.0.0.1' });
    const from = (address: string) => ({ ...ANONYMOUS, 'x-forwarded-for': address });
    assert.equal((await graphql(behindProxy.url, GROUPS, undefined, from('198.51.100.1'))).status, 200);
    assert.equal((await graphql(behindProxy.url, GROUPS, undefined, from('198.51.100.2'))).status, 200);
    assertLimited(await graphql(behindProxy.url, GROUPS, undefined, from('198.51.100.1')), 'client');

    const direct = await hub.startRouter({}, { RATE_LIMIT_PER_CLIENT: '1' });
    assert.equal((await graphql(direct.url, GROUPS, undefined, from('198.51.100.1'))).status, 200);
    assertLimited(await graphql(direct.url, GROUPS, undefined, from('198.51.100.2')), 'client');
  });

  it('gives each role its own limit', async () => {
    const router = await hub.startRouter({}, { RATE_LIMIT_PER_CLIENT: '1', RATE_LIMIT_ROLE_ADMIN: '0', RATE_LIMIT_ROLE_API_USER: '3' });
    const admin = await caller(['admin']);
    for (let i = 0; i < 5; i++) assert.equal((await graphql(router.url, GROUPS, undefined, admin)).status, 200, 'admin: no limit');
    const apiUser = await caller(['api_user']);
    for (let i = 0; i < 3; i++) assert.equal((await graphql(router.url, GROUPS, undefined, apiUser)).status, 200);
    assertLimited(await graphql(router.url, GROUPS, undefined, apiUser), 'client');
    const readonly = await caller(['readonly']);
    assert.equal((await graphql(router.url, GROUPS, undefined, readonly)).status, 200);
    assertLimited(await graphql(router.url, GROUPS, undefined, readonly), 'client');
  });

  it('limits one operation name over all callers, and the whole router', async () => {
    const perOperation = await hub.startRouter({}, { RATE_LIMIT_PER_OPERATION: '2' });
    const named = `query Groups${randomUUID().slice(0, 8)} { customerGroups { code } }`;
    for (let i = 0; i < 2; i++) assert.equal((await graphql(perOperation.url, named, undefined, await caller())).status, 200);
    assertLimited(await graphql(perOperation.url, named, undefined, await caller()), 'operation');
    assert.equal((await graphql(perOperation.url, GROUPS, undefined, await caller())).status, 200, 'another operation is not affected');

    const global = await hub.startRouter({}, { RATE_LIMIT_GLOBAL: '2' });
    for (let i = 0; i < 2; i++) assert.equal((await graphql(global.url, GROUPS, undefined, await caller())).status, 200);
    assertLimited(await graphql(global.url, GROUPS, undefined, await caller()), 'global');
  });

  it('applies to subscriptions, as an error on the operation', async () => {
    const router = await hub.startRouter({}, { RATE_LIMIT_PER_CLIENT: '1' });
    const admin = await caller(['admin']);
    assert.equal((await graphql(router.url, GROUPS, undefined, admin)).status, 200);
    const client = wsClient(router.url, { connectionParams: admin });
    try {
      const [refused] = await refusal(subscribe(client, 'subscription { orderEvents { id } }'));
      assert.equal(refused?.extensions?.code, 'RATE_LIMITED');
      assert.ok(Number(refused?.extensions?.retryAfter) >= 1);
    } finally {
      await client.dispose();
    }
  });

  it('keeps serving, counting in memory, when Redis does not answer', async () => {
    const router = await hub.startRouter({}, { RATE_LIMIT_PER_CLIENT: '2', REDIS_URL: 'redis://127.0.0.1:1' });
    const first = await caller();
    for (let i = 0; i < 2; i++) assert.equal((await graphql(router.url, GROUPS, undefined, first)).status, 200);
    assertLimited(await graphql(router.url, GROUPS, undefined, first), 'client');
  });
});

describe('rate limits shared in Redis', () => {
  it('counts a client across two routers sharing Redis', { skip: redisUrl ? false : 'Redis does not answer (set REDIS_URL)' }, async () => {
    const env = { RATE_LIMIT_PER_CLIENT: '3', REDIS_URL: redisUrl! };
    const [a, b] = [await hub.startRouter({}, env), await hub.startRouter({}, env)];
    const client = await caller();
    assert.equal((await graphql(a.url, GROUPS, undefined, client)).status, 200);
    assert.equal((await graphql(b.url, GROUPS, undefined, client)).status, 200);
    assert.equal((await graphql(a.url, GROUPS, undefined, client)).status, 200);
    assertLimited(await graphql(b.url, GROUPS, undefined, client), 'client');
    assertLimited(await graphql(a.url, GROUPS, undefined, client), 'client');
  });
});

describe('a safelist of persisted operations', () => {
  let dir: string;
  let url: string;
  const listed = 'query Groups { customerGroups { code name } }';
  const hash = createHash('sha256').update(listed).digest('hex');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'interchange-safelist-'));
    const path = join(dir, 'safelist.json');
    writeFileSync(path, JSON.stringify({ [hash]: listed }));
    url = (await hub.startRouter({}, { SAFELIST_PATH: path })).url;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a listed operation, sent whole or reformatted', async () => {
    assert.equal((await graphql(url, listed)).status, 200);
    const reformatted = await graphql(url, 'query Groups {\n  customerGroups {\n    code\n    name\n  }\n}');
    assert.equal(reformatted.body.errors, undefined);
  });

  it('runs a listed operation by its hash alone, without registering it first', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await testToken({ roles: ['readonly'] })}` },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    });
    const body = (await response.json()) as { data?: { customerGroups: unknown[] } };
    assert.ok(body.data?.customerGroups.length);
  });

  it('refuses anything else with PERSISTED_QUERY_NOT_ALLOWED, over HTTP and WebSocket', async () => {
    const response = await graphql(url, '{ customerGroups { code } }');
    assert.equal(response.status, 400);
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_ALLOWED');

    const client = wsClient(url);
    try {
      const [refused] = await refusal(subscribe(client, 'subscription { customerEvents { id } }'));
      assert.equal(refused?.extensions?.code, 'PERSISTED_QUERY_NOT_ALLOWED');
    } finally {
      await client.dispose();
    }
  });
});
