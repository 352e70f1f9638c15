import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeServices } from '@apollo/composition';
import { HeaderMap } from '@apollo/server';
import { ApolloGateway, LocalGraphQLDataSource, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse, validate, type GraphQLSchema } from 'graphql';
import { QueryPlanExecutor } from '../router/execution/query-plan-executor.js';
import { PLANNERS, type PlannerName } from '../router/execution/planners/planner.js';

/**
 * The router's executor against @apollo/gateway's: the same operations over the same subgraphs
 * must give the same answers, byte for byte, including the nulls and errors that subgraph
 * failures and wrong values cause.
 */

const shapesSdl = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable", "@inaccessible"])
  interface Node { id: ID! }
  type Circle implements Node @key(fields: "id") { id: ID! radius: Float size: Size }
  type Square implements Node @key(fields: "id") { id: ID! side: Int! color: Color }
  union Shape = Circle | Square
  enum Color { RED GREEN SECRET @inaccessible }
  enum Size { SMALL LARGE }
  type Query {
    nodes: [Node!]!
    shapes: [Shape]
    node(id: ID!): Node
    square(id: ID!): Square
    failing: String
  }
`);

const labelsSdl = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@external", "@requires"])
  type Circle @key(fields: "id") { id: ID! radius: Float @external label: String! area: Float @requires(fields: "radius") }
  type Square @key(fields: "id") { id: ID! label: String tags: [String!] }
`);

const shapes = [
  { __typename: 'Circle', id: 'c1', radius: 1.5, size: 'SMALL' },
  { __typename: 'Square', id: 's1', side: 2, color: 'RED' },
  { __typename: 'Circle', id: 'c2', radius: 10, size: 'LARGE' },
  { __typename: 'Square', id: 's2', side: 7, color: 'GREEN' },
];

const shapesSchema = buildSubgraphSchema({
  typeDefs: shapesSdl,
  resolvers: {
    Node: { __resolveType: (node: { __typename: string }) => node.__typename },
    Shape: { __resolveType: (node: { __typename: string }) => node.__typename },
    Query: {
      nodes: () => shapes,
      shapes: () => [...shapes, null],
      node: (_: unknown, { id }: { id: string }) => shapes.find((shape) => shape.id === id) ?? null,
      square: (_: unknown, { id }: { id: string }) => shapes.find((shape) => shape.id === id && shape.__typename === 'Square') ?? null,
      failing: () => {
        throw new GraphQLError('the shapes service broke', { extensions: { code: 'SHAPES_DOWN' } });
      },
    },
    Circle: { __resolveReference: (ref: { id: string }) => shapes.find((shape) => shape.id === ref.id) },
    Square: { __resolveReference: (ref: { id: string }) => shapes.find((shape) => shape.id === ref.id) },
  } as never,
});

const labelsSchema = buildSubgraphSchema({
  typeDefs: labelsSdl,
  resolvers: {
    Circle: {
      __resolveReference: (ref: { id: string; radius?: number }) => ref,
      // c2 has no label: a null for a non-null field, which the subgraph reports with the entity's path.
      label: (circle: { id: string }) => (circle.id === 'c2' ? null : `circle ${circle.id}`),
      area: (circle: { radius: number }) => Math.round(Math.PI * circle.radius ** 2 * 100) / 100,
    },
    Square: {
      __resolveReference: (ref: { id: string }) => ref,
      label: (square: { id: string }) => `square ${square.id}`,
      tags: (square: { id: string }) => (square.id === 's2' ? ['big', 'green'] : []),
    },
  } as never,
});

type Mutation = (service: string, data: Record<string, any>) => void;

/** A subgraph's data source with a hook that changes its answers, as a misbehaving subgraph would. */
class Tampered implements GraphQLDataSource {
  mutate?: Mutation;
  /** Each request's variables, when set. */
  sent?: Record<string, unknown>[];
  constructor(
    private readonly name: string,
    private readonly inner: LocalGraphQLDataSource,
  ) {}
  async process(options: Parameters<GraphQLDataSource['process']>[0]) {
    this.sent?.push(options.request.variables ?? {});
    const response = await this.inner.process(options);
    if (this.mutate && response.data) this.mutate(this.name, response.data as Record<string, any>);
    return response;
  }
}

const services: Record<string, Tampered> = {
  shapes: new Tampered('shapes', new LocalGraphQLDataSource(shapesSchema)),
  labels: new Tampered('labels', new LocalGraphQLDataSource(labelsSchema)),
};

const composed = composeServices([
  { name: 'shapes', url: 'http://shapes.invalid/graphql', typeDefs: shapesSdl },
  { name: 'labels', url: 'http://labels.invalid/graphql', typeDefs: labelsSdl },
]);
if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('; '));
const supergraphSdl = composed.supergraphSdl;

const gateway = new ApolloGateway({ supergraphSdl, buildService: ({ name }) => services[name]! });
const gatewayLoaded = await gateway.load();
/** The router's executor with each planner. */
const ours = Object.fromEntries(
  PLANNERS.map((planner) => {
    const executor = new QueryPlanExecutor(supergraphSdl, { planner, exposeQueryPlan: true });
    return [planner, { schema: executor.schema, executor: (context: never) => executor.execute(context, services as unknown as ServiceMap) }];
  }),
) as Record<PlannerName, { schema: GraphQLSchema; executor: (context: never) => Promise<unknown> }>;

let hashes = 0;
function requestContext(schema: GraphQLSchema, query: string, variables?: Record<string, unknown>, operationName?: string, headers?: Record<string, string>) {
  const document = parse(query);
  const errors = validate(schema, document);
  assert.deepEqual(errors, [], `the test operation is valid: ${errors.map((error) => error.message).join('; ')}`);
  return {
    request: { query, variables, operationName, http: headers && { method: 'POST', headers: new HeaderMap(Object.entries(headers)), search: '' } },
    document,
    source: query,
    queryHash: `hash-${++hashes}`,
    operationName: operationName ?? null,
    operation: document.definitions[0],
    schema,
    context: {},
    logger: console,
    metrics: {},
    cache: undefined,
  } as never;
}

/** Both executors' answers to the same request, as the JSON a client would read. */
async function both(planner: PlannerName, query: string, options: { variables?: Record<string, unknown>; operationName?: string; mutate?: Mutation; headers?: Record<string, string> } = {}) {
  const run = async (loaded: { schema: GraphQLSchema; executor: (context: never) => Promise<unknown> }) => {
    for (const service of Object.values(services)) service.mutate = options.mutate;
    try {
      const result = await loaded.executor(requestContext(loaded.schema, query, options.variables, options.operationName, options.headers));
      return JSON.stringify(result, (_key, value) => (value instanceof GraphQLError ? value.toJSON() : value));
    } finally {
      for (const service of Object.values(services)) service.mutate = undefined;
    }
  };
  return { gateway: await run(gatewayLoaded), ours: await run(ours[planner]) };
}

/**
 * The one deliberate difference: an error in an entity fetch names the entity it is about. The
 * gateway takes the representation's index as an index into every object at the fetch's path, so
 * when some of those objects were not sent (a Square, for a field of Circles), it names another
 * object. `corrected`: the gateway's path (joined by `.`) and the right one.
 */
function correctPaths(answer: string, corrected: Record<string, (string | number)[]>): string {
  const parsed = JSON.parse(answer) as { errors?: { path?: (string | number)[] }[] };
  for (const error of parsed.errors ?? []) {
    const right = error.path && corrected[error.path.join('.')];
    if (right) error.path = right;
  }
  return JSON.stringify(parsed);
}

for (const planner of PLANNERS) {
/**
 * The same answer, byte for byte; with Hive's planner the plan itself, which differs, is left
 * out of the comparison (`extensions.__queryPlanExperimental`).
 */
async function same(query: string, options?: Parameters<typeof both>[2] & { correctedPaths?: Record<string, (string | number)[]> }): Promise<Record<string, any>> {
  const answers = await both(planner, query, options);
  if (options?.correctedPaths) answers.gateway = correctPaths(answers.gateway, options.correctedPaths);
  if (planner === 'hive' && options?.headers?.['apollo-query-plan-experimental']) {
    const withoutPlan = (answer: string) => JSON.stringify({ ...JSON.parse(answer), extensions: undefined });
    assert.equal(withoutPlan(answers.ours), withoutPlan(answers.gateway));
  } else {
    assert.equal(answers.ours, answers.gateway);
  }
  return JSON.parse(answers.ours) as Record<string, any>;
}

describe(`the router's query plan executor, planning with ${planner}'s planner, answers as @apollo/gateway does`, () => {
  it('for fields from two subgraphs, with aliases, fragments on interfaces and unions, and __typename', async () => {
    const result = await same(`
      query Shapes {
        all: nodes { kind: __typename id ... on Square { side label tags } ...CircleParts }
        shapes { __typename ... on Circle { id radius label } ... on Node { id } ... on Square { side2: side } }
        one: node(id: "s2") { ... on Square { color label } }
      }
      fragment CircleParts on Circle { radius area size }`, { correctedPaths: { 'shapes.1.label': ['shapes', 2, 'label'] } });
    assert.equal(result.data.all.length, 4);
    assert.equal(result.data.all[1].label, 'square s1');
    assert.equal(result.data.shapes[4], null);
  });

  it('for a field aliased __proto__ (kept as a field of the answer, not taken for its prototype)', async () => {
    const result = await same(`{ square(id: "s1") { __proto__: side id } nodes { id } }`);
    assert.equal(result.data.square.__proto__, 2, 'square s1 has side 2');
    assert.deepEqual(Object.keys(result.data.square), ['__proto__', 'id']);
  });

  it('for @skip and @include, by literal, variable and default', async () => {
    const query = `query Conditional($withLabel: Boolean = true, $skipSide: Boolean!) {
      square(id: "s1") { id label @include(if: $withLabel) side @skip(if: $skipSide) ... @include(if: false) { color } }
    }`;
    for (const variables of [{ skipSide: true }, { skipSide: false, withLabel: false }, { skipSide: false }]) {
      await same(query, { variables, operationName: 'Conditional' });
    }
  });

  it('for introspection next to data', async () => {
    const result = await same(`{ __typename t: __type(name: "Color") { name enumValues { name } ...Named } square(id: "s1") { id } }
      fragment Named on __Type { kind }`);
    assert.deepEqual(result.data.t.enumValues.map((value: { name: string }) => value.name), ['RED', 'GREEN']);
  });

  it('when a subgraph nulls a non-null field of an entity, and when a root field fails', async () => {
    const result = await same(`{ nodes { id ... on Circle { label } } failing }`, { correctedPaths: { 'nodes.1.label': ['nodes', 2, 'label'] } });
    assert.ok(result.errors.length >= 2);
    assert.equal(result.data, null);
    await same(`{ shapes { ... on Circle { id label } } failing }`, { correctedPaths: { 'shapes.1.label': ['shapes', 2, 'label'] } });
  });

  it('when a subgraph answers a leaf of the wrong kind, an unknown __typename or a null in a non-null list', async () => {
    const wrongLeaf: Mutation = (service, data) => {
      if (service === 'shapes' && data.nodes) {
        data.nodes[1].side = 'two';
        data.nodes[0].size = 'HUGE';
        data.nodes[3].color = 'SECRET';
      }
    };
    const leaves = await same(`{ nodes { id ... on Square { side color } ... on Circle { size radius } } }`, { mutate: wrongLeaf });
    assert.ok(leaves.extensions?.valueCompletion?.length >= 1 || leaves.data === null);
    // Int: an integer is valid as long as it is written without an exponent (below 1e21), whatever its size.
    for (const side of [1e21, 2.5, -0, 2 ** 60]) {
      await same(`{ nodes { id ... on Square { side } } }`, { mutate: (service, data) => service === 'shapes' && data.nodes && (data.nodes[1].side = side) });
    }
    await same(`{ nodes { id } }`, { mutate: (service, data) => service === 'shapes' && data.nodes && (data.nodes[2].__typename = 'Triangle') });
    await same(`{ nodes { id } }`, { mutate: (service, data) => service === 'shapes' && data.nodes && (data.nodes[2] = null) });
    await same(`{ square(id: "s2") { id tags } }`, { mutate: (service, data) => service === 'labels' && data._entities?.[0] && (data._entities[0].tags = ['a', null]) });
  });

  it('when entities come back short, or a subgraph sends nothing', async () => {
    await same(`{ nodes { id ... on Square { label } } }`, { mutate: (service, data) => service === 'labels' && data._entities?.pop() });
    await same(`{ square(id: "missing") { id label } node(id: "c1") { id ... on Circle { label area } } }`);
  });

  it('with the query plan in extensions when a developer asks for it (Apollo Sandbox)', async () => {
    const query = '{ nodes { id ... on Square { label } } }';
    const prettified = await same(query, { headers: { 'apollo-query-plan-experimental': '1' } });
    assert.match(prettified.extensions.__queryPlanExperimental, /QueryPlan \{[\s\S]*Fetch\(service: "labels"\)/);
    const internal = await same(query, { headers: { 'apollo-query-plan-experimental': '1', 'apollo-query-plan-experimental-format': 'internal' } });
    // The planner's own plan: both planners' start with this.
    assert.equal(internal.extensions.__queryPlanExperimental.kind, 'QueryPlan');
  });

  it('sending each distinct representation once, whatever the values that tell them apart', async () => {
    // c2's radius is null where nodes lists it and 10 where shapes does: two representations of it.
    // A square's side is a number, its id a string; `@requires(fields: "radius")` sends both kinds.
    services.labels!.sent = [];
    try {
      await same(`{ a: nodes { id ... on Circle { area } ... on Square { label } } b: shapes { ... on Circle { id area } ... on Square { id label } } c: node(id: "c1") { id ... on Circle { area } } }`, {
        mutate: (service, data) => service === 'shapes' && data.a && (data.a[2].radius = null),
      });
      const lists = services.labels!.sent.flatMap((variables) => Object.values(variables).filter(Array.isArray) as unknown[][]);
      assert.ok(lists.length > 0);
      for (const list of lists) assert.equal(new Set(list.map((representation) => JSON.stringify(representation))).size, list.length, `no representation twice in ${JSON.stringify(list)}`);
      const sent = lists.flat().map((representation) => JSON.stringify(representation));
      const c2 = sent.filter((representation) => representation.includes('"c2"') && representation.includes('radius')).map((representation) => JSON.parse(representation).radius);
      assert.deepEqual([...new Set(c2)].sort(), [10, null], sent.join(' '));
    } finally {
      services.labels!.sent = undefined;
    }
  });

  it('for invalid variables, before any subgraph is called', async () => {
    const result = await same(`query ($id: ID!) { node(id: $id) { id } }`, { variables: { id: { nested: true } } });
    assert.match(result.errors[0].message, /\$id/);
  });
});
}
