import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { loadConfig } from '../infra/config.js';
import { routerEnv } from '../router/config.js';
import { createLogger } from '../infra/logger.js';
import * as router from '../router/server.js';
import { graphql } from './support/hub.js';

/**
 * The response cache when what it depends on fails: a subgraph (stale-if-error) and Redis
 * (served without the cache, then caching again once Redis is back). A small catalog subgraph
 * whose answers are fresh for one second stands in for the hub's.
 */
const CATALOG_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  type Product @key(fields: "id") @cacheControl(maxAge: 1, scope: PUBLIC) {
    id: ID!
    name: String!
  }
  type Query {
    products: [Product!]! @cacheControl(maxAge: 1, scope: PUBLIC)
  }
`;
const PRODUCTS = '{ products { id name } }';
const redisUrl = process.env.TEST_REDIS_URL;

async function startCatalog(port = 0): Promise<{ url: string; stop(): Promise<void> }> {
  const typeDefs = parse(CATALOG_SDL);
  const products = [
    { id: '1', name: 'Anvil' },
    { id: '2', name: 'Rocket skates' },
  ];
  const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers: { Query: { products: () => products } } }) });
  const { url } = await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}

async function startRouter(dir: string, catalogUrl: string, env: Record<string, string>): Promise<router.RunningRouter> {
  const composed = composeServices([{ name: 'catalog', url: catalogUrl, typeDefs: parse(CATALOG_SDL) }]);
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  const supergraphPath = join(dir, `supergraph-${Math.random().toString(36).slice(2)}.graphql`);
  writeFileSync(supergraphPath, composed.supergraphSdl);
  const config = loadConfig(routerEnv, {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    PORT: '0',
    SUPERGRAPH_PATH: supergraphPath,
    JWT_SECRET: 'response-cache-failures-secret-0123456789',
    SUBGRAPH_MAX_ATTEMPTS: '1',
    RESPONSE_CACHE: 'true',
    ...env,
  });
  return router.start(config, { logger: createLogger('router', config.LOG_LEVEL), subgraphUrls: { catalog: catalogUrl } });
}

const anonymous = { authorization: '' };
const status = (response: { headers: Headers }) => response.headers.get('x-cache');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the response cache when a subgraph fails', () => {
  let dir: string;
  let catalog: Awaited<ReturnType<typeof startCatalog>>;
  let running: router.RunningRouter;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'interchange-cache-'));
    catalog = await startCatalog();
    running = await startRouter(dir, catalog.url, { RESPONSE_CACHE_STALE_SECONDS: '600' });
  });
  after(async () => {
    await running.stop(1_000);
    await catalog.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves an expired answer within the grace window, marked stale, when the subgraph does not answer', async () => {
    const fresh = await graphql(running.url, PRODUCTS, undefined, anonymous);
    assert.equal(status(fresh), 'MISS');
    assert.equal(fresh.headers.get('cache-control'), 'max-age=1, public');
    await sleep(1_100); // past its max-age
    await catalog.stop();

    const stale = await graphql(running.url, PRODUCTS, undefined, anonymous);
    assert.equal(status(stale), 'STALE');
    assert.deepEqual(stale.body.data, fresh.body.data);
    assert.equal(stale.body.errors, undefined);
    assert.equal((stale.body as { extensions?: any }).extensions?.cache?.stale, true);
    assert.deepEqual((stale.body as { extensions?: any }).extensions?.cache?.errors, ['SUBGRAPH_UNAVAILABLE']);
    assert.equal(stale.headers.get('cache-control'), 'no-store');
    assert.ok(Number(stale.headers.get('age')) >= 1);
    assert.equal(running.cacheCounters()?.staleServed, 1);
  });

  it('passes the error on when it holds nothing for the operation', async () => {
    const response = await graphql(running.url, '{ products { id } }', undefined, anonymous);
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'SUBGRAPH_UNAVAILABLE');
  });
});

/** A TCP relay to Redis that a test can cut and restore on the same port. */
async function redisRelay(target: URL): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  return {
    url: `redis://127.0.0.1:${port}`,
    async cut() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    restore: listen,
  };
}

describe('the response cache when Redis goes away and comes back', { skip: redisUrl ? false : 'Redis does not answer (set REDIS_URL)' }, () => {
  let dir: string;
  let catalog: Awaited<ReturnType<typeof startCatalog>>;
  let relay: Awaited<ReturnType<typeof redisRelay>>;
  let running: router.RunningRouter;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'interchange-cache-'));
    catalog = await startCatalog();
    relay = await redisRelay(new URL(redisUrl!));
    running = await startRouter(dir, catalog.url, { REDIS_URL: relay.url, RESPONSE_CACHE_TIMEOUT_MS: '200' });
  });
  after(async () => {
    await running.stop(1_000);
    await catalog.stop();
    await relay.cut();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves without the cache while Redis is away, and caches again by itself once it is back', async () => {
    const query = '{ products { name } }';
    await graphql(running.url, query, undefined, anonymous);
    assert.equal(status(await graphql(running.url, query, undefined, anonymous)), 'HIT');

    await relay.cut();
    const during = await graphql(running.url, query, undefined, anonymous);
    assert.equal(during.status, 200);
    assert.equal(during.body.data.products.length, 2);
    assert.equal(status(during), 'BYPASS');
    assert.ok((running.cacheCounters()?.bypasses ?? 0) >= 1);

    await relay.restore();
    let answer = await graphql(running.url, query, undefined, anonymous);
    for (let attempt = 0; attempt < 100 && status(answer) !== 'HIT'; attempt += 1) {
      await sleep(50);
      answer = await graphql(running.url, query, undefined, anonymous);
    }
    assert.equal(status(answer), 'HIT');
    assert.equal(answer.body.data.products.length, 2);
  });
});
