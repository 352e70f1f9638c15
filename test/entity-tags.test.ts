import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchema, execute, parse, print } from 'graphql';
import { collectEntityTags, entityKeysFromSupergraph, tagOperation } from '../router/cache/entity-tags.js';

/**
 * How the response cache learns which entities an answer holds: it adds `__typename` and key
 * fields to the operation and reads them back out of the result.
 */
const schema = buildSchema(`
  interface Node { id: ID! }
  type Customer implements Node { id: ID! name: String! orders(first: Int): OrderConnection! }
  type Order implements Node { id: ID! total: String! customer: Customer! }
  type OrderConnection { totalCount: Int! edges: [OrderEdge!]! }
  type OrderEdge { cursor: String! node: Order! }
  type Group { code: String! }
  union SearchResult = Customer | Group
  type Query {
    customer(id: ID!): Customer
    node(id: ID!): Node
    search(text: String!): [SearchResult!]!
    groups: [Group!]!
  }
`);
const keys = new Map([
  ['Customer', ['id']],
  ['Order', ['id']],
]);

const root = {
  customer: {
    id: 'c1',
    name: 'Ada',
    orders: { totalCount: 1, edges: [{ cursor: 'x', node: { id: 'o1', total: '5.00', customer: { id: 'c1', name: 'Ada' } } }] },
  },
  node: { __typename: 'Order', id: 'o2', total: '7.00' },
  search: [
    { __typename: 'Customer', id: 'c3', name: 'Bea' },
    { __typename: 'Group', code: 'RETAIL' },
  ],
  groups: [{ code: 'RETAIL' }],
};
const resolveType = (value: { __typename: string }) => value.__typename;
for (const type of ['Node', 'SearchResult']) (schema.getType(type) as unknown as { resolveType: typeof resolveType }).resolveType = resolveType;

async function run(query: string) {
  const tagged = tagOperation(schema, parse(query), keys);
  const result = await execute({ schema, document: tagged.document, rootValue: root });
  assert.equal(result.errors, undefined);
  const tags = collectEntityTags(result.data, keys);
  return { tagged, data: JSON.parse(JSON.stringify(result.data)), tags: tags.sort() };
}

describe('entity tags', () => {
  it('tags every entity in an answer, however deep, and hands back the answer as asked', async () => {
    const { data, tags, tagged } = await run('{ customer(id: "c1") { name orders(first: 5) { edges { node { total customer { name } } } } } }');
    assert.deepEqual(data, {
      customer: { name: 'Ada', orders: { edges: [{ node: { total: '5.00', customer: { name: 'Ada' } } }] } },
    });
    assert.deepEqual(tags, ['Customer:c1', 'Order:o1', 'type:Customer', 'type:Order']);
    assert.deepEqual(tagged.listTags, ['list:Order']);
  });

  it('knows a connection lists its nodes even when no node is selected', async () => {
    const { tags, tagged } = await run('{ customer(id: "c1") { orders { totalCount } } }');
    assert.deepEqual(tagged.listTags, ['list:Order']);
    assert.deepEqual(tags, ['Customer:c1', 'type:Customer']);
  });

  it('tags entities behind interfaces and unions by their runtime type', async () => {
    const { data, tags, tagged } = await run('{ node(id: "o2") { ... on Order { total } } search(text: "b") { ... on Group { code } } }');
    assert.deepEqual(data, { node: { total: '7.00' }, search: [{}, { code: 'RETAIL' }] });
    assert.deepEqual(tags, ['Customer:c3', 'Order:o2', 'type:Customer', 'type:Order']);
    assert.deepEqual(tagged.listTags, ['list:Customer']);
  });

  it('leaves operations on types that are not entities as they were', async () => {
    const query = '{ groups { code } }';
    const { tagged, tags } = await run(query);
    assert.equal(print(tagged.document), print(parse(query)));
    assert.deepEqual(tags, []);
    assert.deepEqual(tagged.listTags, []);
  });

  it('reads entity keys from the supergraph, skipping nested keys', () => {
    const found = entityKeysFromSupergraph(`
      type Customer @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") { id: ID! }
      type Line @join__type(graph: A, key: "order { id } sku") { sku: String! }
      type Stock @join__type(graph: A, key: "warehouse sku") { sku: String! }
      type Plain @join__type(graph: A) { x: Int }
    `);
    assert.deepEqual([...found], [
      ['Customer', ['id']],
      ['Stock', ['warehouse', 'sku']],
    ]);
  });
});
