import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchema, parse, type GraphQLScalarType, type OperationDefinitionNode } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { DecimalScalar } from '../infra/graphql/scalars.js';
import { compiledCoercion } from '../router/execution/query-plan-executor.js';

// The router lets graphql-jit's compiled coercion accept variables, and graphql-js only word the
// refusals: so graphql-jit must refuse whatever graphql-js refuses.
const schema = buildSchema(`
  scalar Decimal
  enum Tier { A B }
  input Row { row: Int!, values: [String]!, tier: Tier, amount: Decimal, flag: Boolean, f: Float, id: ID, nested: [[Int!]!] }
  type Query { x(r: [Row!]!, s: String, i: Int, d: Decimal!, t: Tier): Int }
`);
(schema.getType('Decimal') as GraphQLScalarType).parseValue = DecimalScalar.parseValue;
const definitions = (parse('query ($r: [Row!]!, $s: String, $i: Int, $d: Decimal!, $t: Tier = A) { x(r: $r, s: $s, i: $i, d: $d, t: $t) }').definitions[0] as OperationDefinitionNode)
  .variableDefinitions!;

const base = { r: [{ row: 1, values: ['a', null] }], d: '1.5' };
const row = (fields: Record<string, unknown>) => ({ ...base, r: [{ row: 1, values: [], ...fields }] });
const cases: Record<string, unknown>[] = [
  base, {}, { ...base, d: null }, { ...base, d: 'x' }, { ...base, d: 1e21 }, { ...base, r: null }, { ...base, r: { row: 1, values: [] } },
  { ...base, r: [{ row: '1', values: [] }] }, { ...base, r: [{ row: 1.5, values: [] }] }, { ...base, r: [{ row: 2 ** 31, values: [] }] },
  { ...base, r: [{ row: 1, values: 'a' }] }, { ...base, r: [{ row: 1, values: [1] }] }, { ...base, r: [{ row: 1, values: [{}] }] },
  { ...base, r: [{ values: [] }] }, { ...base, r: [{ row: null, values: [] }] }, { ...base, r: [null] },
  row({ extra: 1 }), row({ tier: 'C' }), row({ tier: 1 }), row({ tier: null }), row({ flag: 'true' }), row({ f: 'NaN' }), row({ f: Infinity }),
  row({ id: 1.5 }), row({ id: true }), row({ id: 7 }), row({ nested: [[1, null]] }), row({ nested: [1] }), row({ nested: [null] }), row({ nested: [[1, 2]] }),
  row({ amount: '1.234e5' }), row({ amount: [] }), row({ amount: '12.50' }),
  { ...base, s: 1 }, { ...base, s: {} }, { ...base, i: '1' }, { ...base, i: 1.0 }, { ...base, t: 'B' }, { ...base, t: 'Z' },
];

describe('the router’s compiled variable coercion', () => {
  it('accepts exactly what graphql-js accepts', () => {
    const coerce = compiledCoercion(schema, definitions)!;
    const accepted = (variables: Record<string, unknown>) => getVariableValues(schema, definitions, variables).errors === undefined;
    const differing = cases.filter((variables) => coerce(variables) !== accepted(variables));
    assert.deepEqual(differing, []);
    assert.ok(cases.filter(accepted).length >= 6 && cases.filter((variables) => !accepted(variables)).length >= 25, 'both kinds are tried');
  });
});
