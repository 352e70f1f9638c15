import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'graphql';
import { ConfigError, loadConfig } from '../infra/config.js';
import { fromRoot } from '../infra/paths.js';
import { readAccessRequirements } from '../router/auth/access-requirements.js';
import { routerEnv } from '../router/config.js';
import { HivePlanner } from '../router/execution/planners/hive-planner.js';
import { planningFailed } from '../router/execution/planners/planner.js';
import { QueryPlanExecutor } from '../router/execution/query-plan-executor.js';
import type * as router from '../router/server.js';
import { graphql, startTestHub, type TestHub } from './support/hub.js';
import { countingProxy, type CountingProxy } from './support/proxy.js';
import { subscribe, wsClient } from './support/ws.js';

/**
 * The planner seam through the real router: Hive's planner (the default) and Apollo's
 * (QUERY_PLANNER=apollo) give the same answers over the hub's subgraphs, and Hive's asks a
 * subgraph once where Apollo's asks it once per path (BatchFetch).
 */

const SUPERGRAPH = readAccessRequirements(readFileSync(fromRoot('schema/supergraph.graphql'), 'utf8')).gatewaySdl;

let hub: TestHub;
let customersProxy: CountingProxy;
const routers: Record<'hive' | 'apollo', router.RunningRouter> = {} as never;
let orderId: string;

before(async () => {
  hub = await startTestHub();
  customersProxy = await countingProxy(hub.customersUrl);
  for (const planner of ['hive', 'apollo'] as const) routers[planner] = await hub.startRouter({ customers: customersProxy.url }, { QUERY_PLANNER: planner, RESPONSE_CACHE: 'false' });
  const { createCustomer } = await hub.query<{ createCustomer: { id: string } }>('mutation { createCustomer(input: { name: "Planner Test", email: "planner@example.com", externalId: "PLAN-1" }) { id } }');
  const { placeOrder } = await hub.query<{ placeOrder: { id: string } }>('mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
    input: { customerId: createCustomer.id, currency: 'EUR', lines: [{ sku: 'PLAN-SKU', quantity: 1, unitPrice: '10.00' }] },
  });
  orderId = placeOrder.id;
});

after(async () => {
  await customersProxy?.close();
  await hub?.stop();
});

/** The answer of each planner's router, and how many requests customers got for it. */
async function askBoth(query: string, variables: Record<string, unknown> = {}) {
  const answers: Record<string, { body: unknown; customersRequests: number }> = {};
  for (const planner of ['hive', 'apollo'] as const) {
    const before = customersProxy.requests();
    const response = await graphql(routers[planner].url, query, variables);
    answers[planner] = { body: response.body, customersRequests: customersProxy.requests() - before };
  }
  return answers as Record<'hive' | 'apollo', { body: any; customersRequests: number }>;
}

describe('query planners', () => {
  it('answer alike; Hive`s batches the entity fetches of two paths to one subgraph into one request', async () => {
    const query = `query TwoPaths($id: ID!) { order(id: $id) { id customer { name } } orders(first: 5) { edges { node { id customer { email } } } } }`;
    const answers = await askBoth(query, { id: orderId });
    assert.equal(answers.hive.body.errors, undefined);
    assert.deepEqual(answers.hive.body, answers.apollo.body);
    assert.equal(answers.hive.body.data.order.customer.name, 'Planner Test');
    assert.deepEqual({ hive: answers.hive.customersRequests, apollo: answers.apollo.customersRequests }, { hive: 1, apollo: 2 });
  });

  it('answer alike for @include/@skip by variable, @requires across three subgraphs, aliases and introspection next to data', async () => {
    const cases: [string, Record<string, unknown>][] = [
      [`query Cond($with: Boolean!, $skip: Boolean!) { orders(first: 5) { edges { node { id customer @include(if: $with) { name } lines @skip(if: $skip) { sku } } } } }`, { with: true, skip: false }],
      [`query Cond($with: Boolean!, $skip: Boolean!) { orders(first: 5) { edges { node { id customer @include(if: $with) { name } lines @skip(if: $skip) { sku } } } } }`, { with: false, skip: true }],
      [`query Chain($id: ID!) { order(id: $id) { a: id customer { n: name externalId } } }`, { id: orderId }],
      [`{ __typename t: __type(name: "Order") { name } orders(first: 1) { edges { node { __typename id } } } }`, {}],
      [`{ __schema { queryType { name } } }`, {}],
    ];
    for (const [query, variables] of cases) {
      const answers = await askBoth(query, variables);
      assert.equal(answers.hive.body.errors, undefined, query);
      assert.deepEqual(answers.hive.body, answers.apollo.body, query);
    }
  });

  it('show the plan to Apollo Sandbox, as text or as the planner`s own', async () => {
    const query = '{ orders(first: 1) { edges { node { id customer { name } } } } }';
    for (const planner of ['hive', 'apollo'] as const) {
      const pretty = await graphql(routers[planner].url, query, undefined, { 'apollo-query-plan-experimental': '1' });
      assert.match(pretty.body.extensions!.__queryPlanExperimental, /^QueryPlan \{[\s\S]*Fetch\(service: "orders"\)[\s\S]*Flatten\(path: "orders\.edges\.@\.node\.customer"\)/, planner);
      const internal = await graphql(routers[planner].url, query, undefined, { 'apollo-query-plan-experimental': '1', 'apollo-query-plan-experimental-format': 'internal' });
      assert.equal(internal.body.extensions!.__queryPlanExperimental.kind, 'QueryPlan');
    }
  });

  it('plan federated subscriptions: the event`s entity fetch runs through the seam', async () => {
    for (const planner of ['hive', 'apollo'] as const) {
      const client = wsClient(routers[planner].url);
      try {
        const events = subscribe<{ orderEvents: { type: string; order: { id: string; customer: { name: string } } } }>(client, 'subscription { orderEvents { type order { id customer { name } } } }');
        await new Promise((resolve) => setTimeout(resolve, 300));
        // Each router's subscriber sees an event of its own: a new order of the same customer.
        const customerId = (await hub.query<{ order: { customer: { id: string } } }>('query ($id: ID!) { order(id: $id) { customer { id } } }', { id: orderId })).order.customer.id;
        const { placeOrder } = await hub.query<{ placeOrder: { id: string } }>('mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
          input: { customerId, currency: 'EUR', lines: [{ sku: 'PLAN-SUB', quantity: 1, unitPrice: '1.00' }] },
        });
        const [first] = await events.waitFor(1);
        assert.equal(first!.errors, undefined, planner);
        assert.equal(first!.data!.orderEvents.order.id, placeOrder.id);
        assert.equal(first!.data!.orderEvents.order.customer.name, 'Planner Test');
        events.stop();
      } finally {
        await client.dispose();
      }
    }
  });

  it('name the planner when it cannot plan, and refuse at start a supergraph it refuses', async () => {
    const executor = new QueryPlanExecutor(SUPERGRAPH, { planner: 'hive', exposeQueryPlan: false });
    const refused = planningFailed('hive', new Error('Failed to plan query: no path'));
    assert.equal(refused.extensions.code, 'QUERY_PLANNING_FAILED');
    assert.equal(refused.extensions.planner, 'hive');
    assert.match(refused.message, /^The hive query planner could not plan this operation: Failed to plan query: no path \(QUERY_PLANNER=apollo/);
    // Through the executor: the error is the answer, not a crash.
    executor.planner.plan = () => {
      throw refused;
    };
    const document = parse('{ orders(first: 1) { totalCount } }');
    const result = await executor.execute({ request: { query: '', variables: {} }, document, operation: document.definitions[0], context: {} } as never, {});
    assert.equal(result.errors?.[0]?.extensions?.code, 'QUERY_PLANNING_FAILED');

    assert.throws(() => new HivePlanner('this is not a supergraph {'), /^Error: The hive query planner refused the supergraph: [\s\S]*QUERY_PLANNER=apollo/);
    assert.throws(() => loadConfig(routerEnv, { QUERY_PLANNER: 'rust' }), (error: unknown) => error instanceof ConfigError && /QUERY_PLANNER="rust"/.test(error.message));
  });
});
