import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { graphql, startTestHub, type TestHub } from './support/hub.js';
import { refusal, subscribe, wsClient } from './support/ws.js';

/** Each limit at its value passes, and one over it is refused before anything reaches a subgraph. */
let hub: TestHub;
let url: string;

before(async () => {
  hub = await startTestHub();
  const router = await hub.startRouter(
    {},
    {
      OPERATION_MAX_DEPTH: '5',
      OPERATION_MAX_ALIASES: '2',
      OPERATION_MAX_ROOT_FIELDS: '2',
      OPERATION_MAX_DIRECTIVES: '2',
      OPERATION_MAX_TOKENS: '60',
      OPERATION_MAX_COST: '110',
    },
  );
  url = router.url;
});
after(async () => {
  await hub?.stop();
});

async function limitOf(query: string, variables?: Record<string, unknown>) {
  hub.statements.reset();
  const response = await graphql(url, query, variables);
  const error = response.body.errors?.[0];
  return { status: response.status, code: error?.extensions?.code, limit: error?.extensions?.limit, actual: error?.extensions?.actual, statements: hub.statements.count() };
}

describe('operation limits', () => {
  it('allows depth 5 and refuses deeper', async () => {
    // Depth is the nesting of fields, leaves included: customers(1) edges(2) node(3) orders(4) totalCount(5).
    assert.equal((await limitOf('{ customers(first: 1) { edges { node { orders(first: 1) { totalCount } } } } }')).code, undefined);
    const over = await limitOf('{ customers(first: 1) { edges { node { orders(first: 1) { edges { node { id } } } } } } }');
    assert.deepEqual(over, { status: 200, code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', actual: 7, statements: 0 });
  });

  it('allows 2 aliases and refuses 3', async () => {
    assert.equal((await limitOf('{ a: customerGroups { code } b: customerGroups { code } }')).code, undefined);
    const over = await limitOf('{ a: customerGroups { x: code } b: customerGroups { y: code } }');
    assert.equal(over.limit, 'aliases');
    assert.equal(over.actual, 4);
  });

  it('allows 2 root fields and refuses 3', async () => {
    assert.equal((await limitOf('{ customerGroups { code } customers(first: 0) { totalCount } }')).code, undefined);
    assert.equal((await limitOf('{ customerGroups { code } customers(first: 0) { totalCount } orders(first: 0) { totalCount } }')).limit, 'root fields');
  });

  it('allows 2 directives and refuses 3', async () => {
    assert.equal((await limitOf('{ customerGroups { code @include(if: true) name @skip(if: false) } }')).code, undefined);
    assert.equal((await limitOf('{ customerGroups @include(if: true) { code @include(if: true) name @skip(if: false) } }')).limit, 'directives');
  });

  it('counts list fields by their page size, variables included, and refuses a cost over the limit', async () => {
    // 1 (customers) + 10 × (edges, node, name) = 31
    assert.equal((await limitOf('query ($n: Int) { customers(first: $n) { edges { node { name } } } }', { n: 10 })).code, undefined);
    // 1 + 10 × 3 + 10 × 10 × 1 (orders' totalCount under a page of 10) + 10 (orders) = 141
    const over = await limitOf('query ($n: Int) { customers(first: $n) { edges { node { name orders(first: 10) { totalCount } } } } }', { n: 10 });
    assert.equal(over.limit, 'cost');
    assert.equal(over.statements, 0, 'refused before any subgraph was asked');
  });

  it('refuses an operation with too many tokens, naming the limit', async () => {
    const fields = Array.from({ length: 70 }, () => 'code').join(' ');
    const over = await limitOf(`{ customerGroups { ${fields} } }`);
    assert.equal(over.code, 'OPERATION_LIMIT_EXCEEDED');
    assert.equal(over.limit, 'tokens');
  });

  it('refuses batched HTTP requests', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ customerGroups { code } }' }, { query: '{ customerGroups { name } }' }]),
    });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /batching/i);
  });

  it('applies to subscriptions too', async () => {
    const client = wsClient(url);
    try {
      const deep = subscribe(client, 'subscription { orderEvents { order { customer { orders(first: 1) { edges { node { id } } } } } } }');
      const [refused] = await refusal(deep);
      assert.equal(refused?.extensions?.code, 'OPERATION_LIMIT_EXCEEDED');
      assert.equal(refused?.extensions?.limit, 'depth');
    } finally {
      await client.dispose();
    }
  });
});

describe('production settings', () => {
  it('turns off introspection and the Sandbox page in production unless enabled, and keeps persisted queries working', async () => {
    const production = await hub.startRouter({}, { NODE_ENV: 'production' });
    const introspection = await graphql(production.url, '{ __schema { queryType { name } } }');
    assert.equal(introspection.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    const page = await fetch(production.url, { headers: { accept: 'text/html' } });
    assert.doesNotMatch(await page.text(), /embeddable-sandbox/);

    const enabled = await hub.startRouter({}, { NODE_ENV: 'production', INTROSPECTION: 'true', SANDBOX: 'true' });
    assert.equal((await graphql(enabled.url, '{ __schema { queryType { name } } }')).body.data?.__schema.queryType.name, 'Query');
    assert.match(await (await fetch(enabled.url, { headers: { accept: 'text/html' } })).text(), /embeddable-sandbox/);

    // Automatic persisted queries: the hash alone is unknown at first, then works once registered.
    const query = '{ customerGroups { code } }';
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    const post = (body: object) =>
      fetch(production.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    assert.equal((await post({ extensions: { persistedQuery } })).errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_FOUND');
    assert.equal((await post({ query, extensions: { persistedQuery } })).data?.customerGroups.length, 4);
    assert.equal((await post({ extensions: { persistedQuery } })).data?.customerGroups.length, 4);
  });
});
