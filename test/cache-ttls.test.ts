import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { routerEnv } from '../router/config.js';
import * as router from '../router/server.js';
import { composeSupergraph } from '../scripts/compose.js';
import { CATALOG_SDL, startCatalogSubgraph, type CatalogSubgraph } from './fixtures/catalog-subgraph.js';
import { graphql, type GraphQLResponse } from './support/hub.js';
import { ANONYMOUS, testToken, TEST_JWT_SECRET } from './support/tokens.js';

/**
 * The response cache over a subgraph that sends cache hints for some answers only (the catalog
 * fixture): RESPONSE_CACHE_DEFAULT_MAX_AGE for answers without hints, RESPONSE_CACHE_TTLS capping
 * answers by the types and fields they hold, and who a defaulted answer is kept for. Every
 * assertion counts the catalog's requests or reads the router's headers, never the clock; each
 * suite runs over the in-process store and Redis.
 */
const redisUrl = process.env.TEST_REDIS_URL;
const modes = [
  { name: 'in process', env: {} as Record<string, string>, skip: false as string | false },
  { name: 'in Redis', env: (redisUrl ? { REDIS_URL: redisUrl } : {}) as Record<string, string>, skip: redisUrl ? false : 'Redis does not answer (set TEST_REDIS_URL)' },
];

/** Operation names carry this, since Redis keeps entries between runs: a run never finds an earlier run's answers. */
const RUN = randomUUID().slice(0, 8);

let catalog: CatalogSubgraph;
let dir: string;
let supergraphPath: string;

before(async () => {
  catalog = await startCatalogSubgraph();
  dir = mkdtempSync(join(tmpdir(), 'interchange-cache-ttls-'));
  const configPath = join(dir, 'subgraphs.json');
  writeFileSync(configPath, JSON.stringify({ subgraphs: [{ name: 'catalog', url: catalog.url, schema: CATALOG_SDL }] }));
  supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composeSupergraph(configPath));
});

after(async () => {
  await catalog?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The router alone over the catalog: no database, no internal header, no rate limits. */
function startRouter(env: Record<string, string>): Promise<router.RunningRouter> {
  const config = loadConfig(routerEnv, {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_PER_CLIENT: '0',
    METRICS: 'false',
    SUPERGRAPH_PATH: supergraphPath,
    RESPONSE_CACHE: 'true',
    ...env,
  });
  return router.start(config, { logger: createLogger('router', config.LOG_LEVEL), subgraphUrls: { catalog: catalog.url } });
}

const bearer = async (sub: string) => ({ authorization: `Bearer ${await testToken({ sub, roles: ['readonly'] })}` });

interface Answer {
  response: GraphQLResponse;
  /** Requests the catalog answered for it. */
  upstream: number;
}

for (const mode of modes) {
  describe(`the response cache ${mode.name} over a subgraph that hints some answers only`, { skip: mode.skip }, () => {
    let alice: Record<string, string>;
    let bob: Record<string, string>;

    before(async () => {
      alice = await bearer('alice');
      bob = await bearer('bob');
    });

    /** Runs `query <name>_<run> <selection>` on `running` as `headers` (no credentials by default). */
    const ask = async (running: router.RunningRouter, name: string, selection: string, headers: Record<string, string> = ANONYMOUS): Promise<Answer> => {
      const before = catalog.requests();
      const response = await graphql(running.url, `query ${name}_${RUN} ${selection}`, undefined, headers);
      assert.equal(response.body.errors, undefined);
      return { response, upstream: catalog.requests() - before };
    };
    const cacheOf = ({ response }: Answer) => ({ status: response.headers.get('x-cache'), cacheControl: response.headers.get('cache-control') });

    describe('without RESPONSE_CACHE_DEFAULT_MAX_AGE, with RESPONSE_CACHE_TTLS=Query.product=45', () => {
      let running: router.RunningRouter;
      before(async () => {
        running = await startRouter({ ...mode.env, RESPONSE_CACHE_TTLS: 'Query.product=45' });
      });
      after(() => running?.stop(1_000));

      it('asks the subgraph again for an answer it sent no cache hint for', async () => {
        const first = await ask(running, 'GreetingUnhinted', '{ greeting }');
        const second = await ask(running, 'GreetingUnhinted', '{ greeting }');

        assert.equal(first.upstream + second.upstream, 2);
        assert.deepEqual(cacheOf(second), { status: 'MISS', cacheControl: 'no-store' });
      });

      it('keeps a hinted answer for the max-age of its hint', async () => {
        const first = await ask(running, 'PriceHinted', '{ price(sku: "TEA-1") { sku amount } }');
        const second = await ask(running, 'PriceHinted', '{ price(sku: "TEA-1") { sku amount } }');

        assert.equal(first.upstream + second.upstream, 1);
        assert.deepEqual(cacheOf(second), { status: 'HIT', cacheControl: 'max-age=300, public' });
        assert.deepEqual(second.response.body, first.response.body);
      });

      it('lets the TTL of a field stand in for the hint its subgraph did not send', async () => {
        const first = await ask(running, 'ProductByTtl', '{ product(id: "1") { name } }');
        const second = await ask(running, 'ProductByTtl', '{ product(id: "1") { name } }');

        assert.equal(first.upstream + second.upstream, 1);
        assert.deepEqual(cacheOf(first), { status: 'MISS', cacheControl: 'max-age=45, public' });
        assert.deepEqual(cacheOf(second), { status: 'HIT', cacheControl: 'max-age=45, public' });
      });

      it('keeps a hint that names no scope to the caller with credentials, and shares it between callers without', async () => {
        const byAlice = await ask(running, 'NoticeUnscoped', '{ notice }', alice);
        assert.deepEqual(cacheOf(byAlice), { status: 'MISS', cacheControl: 'max-age=300, private' });
        assert.equal((await ask(running, 'NoticeUnscoped', '{ notice }', alice)).upstream, 0);

        const byBob = await ask(running, 'NoticeUnscoped', '{ notice }', bob);
        assert.equal(byBob.upstream, 1, 'alice’s answer is not bob’s');

        const anonymous = await ask(running, 'NoticeUnscoped', '{ notice }');
        const again = await ask(running, 'NoticeUnscoped', '{ notice }');
        assert.equal(anonymous.upstream + again.upstream, 1);
        assert.deepEqual(cacheOf(again), { status: 'HIT', cacheControl: 'max-age=300, public' });
      });
    });

    describe('with RESPONSE_CACHE_DEFAULT_MAX_AGE=120 and RESPONSE_CACHE_TTLS=Product=60,Query.topProducts=0', () => {
      let running: router.RunningRouter;
      before(async () => {
        running = await startRouter({ ...mode.env, RESPONSE_CACHE_DEFAULT_MAX_AGE: '120', RESPONSE_CACHE_TTLS: 'Product=60,Query.topProducts=0' });
      });
      after(() => running?.stop(1_000));

      it('keeps an answer without cache hints for RESPONSE_CACHE_DEFAULT_MAX_AGE, asking the subgraph once', async () => {
        const first = await ask(running, 'GreetingDefaulted', '{ greeting }');
        const second = await ask(running, 'GreetingDefaulted', '{ greeting }');

        assert.equal(first.upstream + second.upstream, 1);
        assert.deepEqual(cacheOf(first), { status: 'MISS', cacheControl: 'max-age=120, public' });
        assert.deepEqual(cacheOf(second), { status: 'HIT', cacheControl: 'max-age=120, public' });
        assert.deepEqual(second.response.body, { data: { greeting: 'hello' } });
      });

      it('leaves a hinted answer to its hint when no TTL applies', async () => {
        const first = await ask(running, 'PriceKept', '{ price(sku: "TEA-2") { amount } }');
        assert.deepEqual(cacheOf(first), { status: 'MISS', cacheControl: 'max-age=300, public' });
      });

      it('caps a hinted answer by the TTL of a type it holds, and still shares a public one', async () => {
        const first = await ask(running, 'FeaturedCapped', '{ featured { id name } }', alice);
        const byBob = await ask(running, 'FeaturedCapped', '{ featured { id name } }', bob);

        assert.equal(first.upstream + byBob.upstream, 1);
        assert.deepEqual(cacheOf(first), { status: 'MISS', cacheControl: 'max-age=60, public' });
        assert.deepEqual(cacheOf(byBob), { status: 'HIT', cacheControl: 'max-age=60, public' });
      });

      it('caps an answer by the TTL of a type that an abstract field it selects may hold', async () => {
        const answer = await ask(running, 'SearchCapped', '{ search(text: "tea") { ... on Article { title } } }');
        assert.deepEqual(cacheOf(answer), { status: 'MISS', cacheControl: 'max-age=60, public' });
      });

      it('never keeps an answer selecting a field whose TTL is 0', async () => {
        const first = await ask(running, 'TopProductsNever', '{ topProducts { name } }');
        const second = await ask(running, 'TopProductsNever', '{ topProducts { name } }');

        assert.equal(first.upstream + second.upstream, 2);
        assert.deepEqual(cacheOf(second), { status: 'MISS', cacheControl: 'no-store' });
        // The same type through another field is kept, for the type's TTL.
        const product = await ask(running, 'ProductKept', '{ product(id: "2") { name } }');
        const again = await ask(running, 'ProductKept', '{ product(id: "2") { name } }');
        assert.equal(product.upstream + again.upstream, 1);
        assert.deepEqual(cacheOf(again), { status: 'HIT', cacheControl: 'max-age=60, public' });
      });

      it('keeps a defaulted answer for the caller with credentials alone, and never serves one kept without credentials to them', async () => {
        const anonymous = await ask(running, 'GreetingPrivate', '{ greeting }');
        assert.deepEqual(cacheOf(anonymous), { status: 'MISS', cacheControl: 'max-age=120, public' });

        const byAlice = await ask(running, 'GreetingPrivate', '{ greeting }', alice);
        assert.equal(byAlice.upstream, 1, 'the answer kept for callers without credentials is not served to alice');
        assert.deepEqual(cacheOf(byAlice), { status: 'MISS', cacheControl: 'max-age=120, private' });

        const aliceAgain = await ask(running, 'GreetingPrivate', '{ greeting }', alice);
        assert.deepEqual({ upstream: aliceAgain.upstream, ...cacheOf(aliceAgain) }, { upstream: 0, status: 'HIT', cacheControl: 'max-age=120, private' });

        const byBob = await ask(running, 'GreetingPrivate', '{ greeting }', bob);
        assert.equal(byBob.upstream, 1, 'alice’s answer is not served to bob');
        assert.equal(cacheOf(byBob).status, 'MISS');

        const anonymousAgain = await ask(running, 'GreetingPrivate', '{ greeting }');
        assert.deepEqual({ upstream: anonymousAgain.upstream, status: cacheOf(anonymousAgain).status }, { upstream: 0, status: 'HIT' });
      });
    });
  });
}

describe('RESPONSE_CACHE_DEFAULT_MAX_AGE and RESPONSE_CACHE_TTLS configuration', () => {
  it('is off by default', () => {
    const config = loadConfig(routerEnv, {});
    assert.equal(config.RESPONSE_CACHE_DEFAULT_MAX_AGE, 0);
    assert.deepEqual(config.RESPONSE_CACHE_TTLS, []);
  });

  it('reads types and fields with their seconds', () => {
    const config = loadConfig(routerEnv, { RESPONSE_CACHE_TTLS: ' Product=60, Query.topProducts = 30,' });
    assert.deepEqual(config.RESPONSE_CACHE_TTLS, [
      { coordinate: 'Product', type: 'Product', field: undefined, seconds: 60 },
      { coordinate: 'Query.topProducts', type: 'Query', field: 'topProducts', seconds: 30 },
    ]);
  });

  it('refuses an entry it cannot read, or one given twice, naming it', () => {
    for (const [value, message] of [
      ['Product=60,Product=soon', /RESPONSE_CACHE_TTLS="Product=60,Product=soon": "Product=soon" is not Type=seconds or Type\.field=seconds/],
      ['Query.topProducts', /"Query\.topProducts" is not Type=seconds/],
      ['Query.top.products=5', /"Query\.top\.products=5" is not/],
      ['Product=-1', /"Product=-1" is not/],
      ['Product=60,Product=30', /Product is given twice/],
    ] as const) {
      assert.throws(() => loadConfig(routerEnv, { RESPONSE_CACHE_TTLS: value }), (error: unknown) => error instanceof ConfigError && message.test(error.message), value);
    }
    assert.throws(() => loadConfig(routerEnv, { RESPONSE_CACHE_DEFAULT_MAX_AGE: 'soon' }), /RESPONSE_CACHE_DEFAULT_MAX_AGE="soon"/);
  });

  it('stops the router at start for an entry that names no type or field of the supergraph, naming each', async () => {
    await assert.rejects(startRouter({ RESPONSE_CACHE_TTLS: 'Prodct=60,Product.price=5,Query.greeting=10,String=5' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /RESPONSE_CACHE_TTLS="Prodct=60,Product\.price=5,Query\.greeting=10,String=5": Prodct: Prodct names no type of the supergraph/);
      assert.match(error.message, /Product\.price: names no field of the supergraph \(Product has id, name\)/);
      assert.match(error.message, /String: String is not a type of objects/);
      assert.doesNotMatch(error.message, /Query\.greeting:/);
      return true;
    });
  });
});
