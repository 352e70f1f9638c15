import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, TRIAL_SECRETS } from '../infra/config.js';
import { customersEnv } from '../subgraphs/customers/subgraph.js';
import { eventRoutesEnv } from '../subgraphs/queues/event-routes.js';
import { routerEnv } from '../router/config.js';
import { subgraphUrlsFromEnv } from '../router/supergraph.js';
import { spawnService } from './support/service-process.js';

describe('configuration', () => {
  it('applies defaults and freezes the result', () => {
    const config = loadConfig(customersEnv, { DATABASE_URL: 'postgres://localhost/db', INTERNAL_TOKEN_SECRET: 'a-secret-of-at-least-thirty-two-characters' });
    assert.equal(config.PORT, 4001);
    assert.equal(config.DB_POOL_MAX, 10);
    assert.ok(Object.isFrozen(config));
  });

  it('names every bad variable and its value', () => {
    assert.throws(
      () => loadConfig(customersEnv, { DATABASE_URL: 'mysql://x', PORT: 'eighty', DB_POOL_MAX: '0' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /DATABASE_URL="mysql:\/\/x"/.test(error.message) &&
        /PORT="eighty"/.test(error.message) &&
        /DB_POOL_MAX="0"/.test(error.message),
    );
    assert.throws(() => loadConfig(customersEnv, {}), /DATABASE_URL=\(unset\)/);
  });

  it('reads the router pool size and the subgraphs\' executor', () => {
    assert.equal(loadConfig(routerEnv, {}).ROUTER_DB_POOL_MAX, 5);
    assert.equal(loadConfig(routerEnv, { ROUTER_DB_POOL_MAX: '20' }).ROUTER_DB_POOL_MAX, 20);
    assert.throws(() => loadConfig(routerEnv, { ROUTER_DB_POOL_MAX: '0' }), /ROUTER_DB_POOL_MAX="0"/);
    const secrets = { DATABASE_URL: 'postgres://localhost/db', INTERNAL_TOKEN_SECRET: 'a-secret-of-at-least-thirty-two-characters' };
    assert.equal(loadConfig(customersEnv, secrets).GRAPHQL_JIT, true);
    assert.equal(loadConfig(customersEnv, { ...secrets, GRAPHQL_JIT: 'false' }).GRAPHQL_JIT, false);
    assert.throws(() => loadConfig(customersEnv, { ...secrets, GRAPHQL_JIT: 'yes' }), /GRAPHQL_JIT="yes"/);
  });

  it('reads QUEUE_EVENT_ROUTES and names a bad route', () => {
    assert.deepEqual(loadConfig(eventRoutesEnv, { QUEUE_EVENT_ROUTES: 'order.*, customer.created = feed-1;*=everything' }).QUEUE_EVENT_ROUTES, [
      { types: ['order.*', 'customer.created'], queue: 'feed-1' },
      { types: ['*'], queue: 'everything' },
    ]);
    assert.deepEqual(loadConfig(eventRoutesEnv, {}).QUEUE_EVENT_ROUTES, []);
    assert.throws(() => loadConfig(eventRoutesEnv, { QUEUE_EVENT_ROUTES: 'order.*=Bad Queue' }), /QUEUE_EVENT_ROUTES.*"order\.\*=Bad Queue" is not <event types>=<queue>/s);
    assert.throws(() => loadConfig(eventRoutesEnv, { QUEUE_EVENT_ROUTES: 'a.*=q;b.*=q' }), /names a queue twice/);
  });

  it('reads CORS_ORIGINS and FORWARD_HEADERS as lists', () => {
    const config = loadConfig(routerEnv, { CORS_ORIGINS: 'https://a.example, https://b.example', FORWARD_HEADERS: 'Authorization, X-Tenant' });
    assert.deepEqual(config.CORS_ORIGINS, ['https://a.example', 'https://b.example']);
    assert.deepEqual(config.FORWARD_HEADERS, ['authorization', 'x-tenant']);
  });

  it('overrides subgraph URLs by SUBGRAPH_<NAME>_URL and refuses an override naming no subgraph', () => {
    const subgraphs = [
      { name: 'customers', url: 'http://localhost:4001/graphql' },
      { name: 'order-lines', url: 'http://localhost:4003/graphql' },
    ];
    assert.deepEqual(subgraphUrlsFromEnv(subgraphs, { SUBGRAPH_ORDER_LINES_URL: 'http://lines:80/graphql' }), {
      customers: 'http://localhost:4001/graphql',
      'order-lines': 'http://lines:80/graphql',
    });
    assert.throws(() => subgraphUrlsFromEnv(subgraphs, { SUBGRAPH_CUSTOMER_URL: 'http://x/graphql' }), /SUBGRAPH_CUSTOMER_URL: names no subgraph/);
    assert.throws(() => subgraphUrlsFromEnv(subgraphs, { SUBGRAPH_CUSTOMERS_URL: 'ftp://x' }), /SUBGRAPH_CUSTOMERS_URL="ftp:\/\/x"/);
  });
});

describe('secrets in the configuration', () => {
  const internal = 'a-secret-of-at-least-thirty-two-characters';
  const subgraph = { DATABASE_URL: 'postgres://localhost/db', INTERNAL_TOKEN_SECRET: internal };

  it('never shows a secret in an error, only its length', () => {
    assert.throws(
      () => loadConfig(routerEnv, { JWT_SECRET: 'short-jwt-secret', INTERNAL_TOKEN_SECRET: 'short-internal' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /JWT_SECRET=\(16 characters, hidden\): must be at least 32 characters/.test(error.message) &&
        /INTERNAL_TOKEN_SECRET=\(14 characters, hidden\): must be at least 32 characters/.test(error.message) &&
        !error.message.includes('short-jwt-secret') &&
        !error.message.includes('short-internal'),
    );
  });

  it("shows a URL without its password or query string, and a *_URL that is no URL by its length", () => {
    const error = (() => {
      try {
        loadConfig(customersEnv, { ...subgraph, DATABASE_URL: 'mysql://app:db-pass/w@rd@db:3306/app?password=again', REDIS_URL: 'http://:redis-pass@cache:6379' });
      } catch (caught) {
        return caught as ConfigError;
      }
      assert.fail('the configuration was accepted');
    })();
    assert.match(error.message, /DATABASE_URL="mysql:\/\/app:\(hidden\)@db:3306\/app\?\(hidden\)"/);
    assert.match(error.message, /REDIS_URL="http:\/\/:\(hidden\)@cache:6379"/);
    for (const secret of ['db-pass', 'w@rd', 'again', 'redis-pass']) assert.ok(!error.message.includes(secret), `the message shows ${secret}`);
    assert.throws(() => loadConfig(customersEnv, { ...subgraph, DATABASE_URL: 'host=db password=hunter2' }), /DATABASE_URL=\(24 characters, hidden\)/);
  });

  it('refuses a bearer token secret that is the internal token secret', () => {
    assert.throws(() => loadConfig(routerEnv, { JWT_SECRET: internal, INTERNAL_TOKEN_SECRET: internal }), /JWT_SECRET=\(42 characters, hidden\): must differ from INTERNAL_TOKEN_SECRET/);
  });

  it('accepts the published trial secrets outside production only', () => {
    for (const trial of TRIAL_SECRETS) {
      assert.doesNotThrow(() => loadConfig(customersEnv, { ...subgraph, INTERNAL_TOKEN_SECRET: trial }));
      assert.throws(() => loadConfig(customersEnv, { ...subgraph, NODE_ENV: 'production', INTERNAL_TOKEN_SECRET: trial }), /INTERNAL_TOKEN_SECRET=\(\d+ characters, hidden\): is a published trial value/);
      assert.throws(() => loadConfig(routerEnv, { NODE_ENV: 'production', JWT_SECRET: trial }), /JWT_SECRET=\(\d+ characters, hidden\): is a published trial value/);
    }
    assert.doesNotThrow(() => loadConfig(customersEnv, { ...subgraph, NODE_ENV: 'production' }));
  });

  describe('in production, a service started with a short or a published trial secret', () => {
    const [trialInternal, trialJwt] = TRIAL_SECRETS as [string, string];
    const cases: { entry: string; env: Record<string, string>; refused: string[]; secrets: string[] }[] = [
      { entry: 'router/index.ts', env: { JWT_SECRET: trialJwt, INTERNAL_TOKEN_SECRET: 'too-short-internal-secret' }, refused: ['JWT_SECRET', 'INTERNAL_TOKEN_SECRET'], secrets: [trialJwt, 'too-short-internal-secret'] },
      { entry: 'subgraphs/access/index.ts', env: { DATABASE_URL: 'postgres://interchange:db-secret-password@127.0.0.1:1/interchange', INTERNAL_TOKEN_SECRET: trialInternal, REDIS_URL: 'tcp://:redis-secret-password@127.0.0.1:1' }, refused: ['INTERNAL_TOKEN_SECRET', 'REDIS_URL'], secrets: [trialInternal, 'db-secret-password', 'redis-secret-password'] },
    ];
    for (const { entry, env, refused, secrets } of cases) {
      it(`${entry} exits 1, naming ${refused.join(' and ')}, and prints no secret`, async () => {
        const service = spawnService(entry, { ...env, NODE_ENV: 'production' });
        assert.deepEqual(await service.exited(), { code: 1, signal: null });
        const output = service.stdout() + service.stderr();
        for (const name of refused) assert.match(output, new RegExp(`${name}=`), output);
        for (const secret of secrets) assert.ok(!output.includes(secret), `the output shows ${secret}`);
      });
    }
  });
});
