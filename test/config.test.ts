import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, customersEnv, loadConfig, routerEnv } from '../infra/config.js';
import { subgraphUrlsFromEnv } from '../router/supergraph.js';

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
