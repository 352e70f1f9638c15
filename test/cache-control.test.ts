import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { getNamedType, isEnumType, isListType, isNonNullType, isObjectType, parse, type GraphQLFieldResolver, type GraphQLOutputType } from 'graphql';
import { staticCacheControlPlugin } from '../infra/graphql/cache-control.js';
import { fromRoot } from '../infra/paths.js';

/**
 * The subgraphs' Cache-Control header, worked out per operation, against Apollo Server's own
 * plugin, which collects the same hints field by field: both must write the same header for the
 * hub's schemas (data for every field, so that no parent is null).
 */

/** Data of the right shape for any field: two items per list, a value per scalar. */
const anyValue: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) => {
  if (source && typeof source === 'object' && info.fieldName in source) return (source as Record<string, unknown>)[info.fieldName];
  const valueOf = (type: GraphQLOutputType): unknown => {
    if (isNonNullType(type)) return valueOf(type.ofType);
    if (isListType(type)) return [valueOf(type.ofType), valueOf(type.ofType)];
    const named = getNamedType(type);
    if (isEnumType(named)) return named.getValues()[0]!.value;
    switch (named.name) {
      case 'Int':
        return 1;
      case 'Boolean':
        return true;
      case 'Decimal':
        return '1.50';
      case 'DateTime':
        return new Date(0).toISOString();
      case 'String':
      case 'ID':
        return 'x';
      default:
        return {};
    }
  };
  return valueOf(info.returnType);
};

async function headersOf(service: 'customers' | 'orders', query: string, variables?: Record<string, unknown>) {
  const schema = buildSubgraphSchema({ typeDefs: parse(readFileSync(fromRoot(`schema/${service}.graphql`), 'utf8')), resolvers: {} as never });
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) field.resolve ??= anyValue;
  }
  const answer = async (plugins: ApolloServer['internals']['plugins']) => {
    const server = new ApolloServer({ schema, plugins });
    await server.start();
    try {
      const response = await server.executeOperation({ query, variables });
      assert.equal(response.body.kind, 'single');
      return { header: response.http.headers.get('cache-control'), errors: response.body.kind === 'single' ? response.body.singleResult.errors : undefined };
    } finally {
      await server.stop();
    }
  };
  return { apollo: await answer([]), ours: await answer([ApolloServerPluginCacheControlDisabled(), staticCacheControlPlugin()]) };
}

const cases: [service: 'customers' | 'orders', query: string, expected: string, variables?: Record<string, unknown>][] = [
  ['customers', '{ customerGroups { code name } }', 'max-age=3600, public'],
  ['customers', '{ customers(first: 2) { totalCount edges { cursor node { id name tier } } pageInfo { hasNextPage } } }', 'max-age=30, private'],
  ['customers', '{ customerGroups { code } customer(id: "1") { id email } }', 'max-age=30, private'],
  ['customers', '{ customer(id: "1") { ...Parts } } fragment Parts on Customer { id ... on Customer { creditLimit } }', 'max-age=30, private'],
  ['customers', '{ __typename }', 'no-store'],
  ['customers', 'query ($withGroups: Boolean!) { customerGroups @include(if: $withGroups) { code } }', 'max-age=3600, public', { withGroups: true }],
  // Apollo Server gives a mutation's answer the hints of what it returns; the router never caches one.
  ['customers', 'mutation { createCustomer(input: { name: "a", email: "a@example.com" }) { id } }', 'max-age=30, private'],
  ['orders', '{ orders(first: 2) { totalCount edges { node { id number lines { sku lineTotal } customer { id } } } } }', 'max-age=10, private'],
  ['orders', '{ order(id: "1") { id status total } }', 'max-age=10, private'],
  [
    'orders',
    'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { orders(first: 3) { totalCount edges { node { number lines { sku } } } } } } }',
    'max-age=10, private',
    { representations: [{ __typename: 'Customer', id: '1' }, { __typename: 'Customer', id: '2' }] },
  ],
  [
    'orders',
    'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Order { number } } }',
    'max-age=10, private',
    { representations: [{ __typename: 'Order', id: '1' }] },
  ],
];

describe("the subgraphs' Cache-Control header", () => {
  for (const [service, query, expected, variables] of cases) {
    it(`${service}: ${query.slice(0, 90)} → ${expected}`, async () => {
      const { apollo, ours } = await headersOf(service, query, variables);
      assert.equal(apollo.errors, undefined, JSON.stringify(apollo.errors));
      assert.equal(ours.errors, undefined, JSON.stringify(ours.errors));
      assert.equal(ours.header, apollo.header);
      assert.equal(ours.header, expected);
    });
  }

  it('is no-store for an answer with errors, as Apollo Server writes it', async () => {
    const { apollo, ours } = await headersOf('customers', '{ customerGroups { code } nope }');
    assert.ok(ours.errors?.length);
    assert.equal(ours.header, apollo.header);
    assert.equal(ours.header, 'no-store');
  });
});
