import type { executeQueryPlan, ServiceMap } from '@apollo/gateway';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { applyRewrites, deepMerge, satisfies, setKey, type BatchFetchNode, type FetchNode, type PathElement, type PlanNode, type QueryPlan, type RequiredField, type RequiredSelection } from './plan.js';
import type { ResponseShaper } from './response-shaper.js';

export type RequestContext = Parameters<typeof executeQueryPlan>[2];
export type ExecutionResult = Awaited<ReturnType<typeof executeQueryPlan>>;
type ResultMap = Record<string, unknown>;
type ResponsePath = (string | number)[];

export interface PlanExecutionOptions {
  /** The supergraph as graphql-js sees it: entity representations are read against it. */
  supergraphSchema: GraphQLSchema;
  /** The operation's response shaping, compiled against the API schema. */
  shaper: ResponseShaper;
  serviceMap: ServiceMap;
  requestContext: RequestContext;
  variables: Record<string, unknown> | undefined;
}

interface Execution extends PlanExecutionOptions {
  errors: GraphQLError[];
}

interface Cursor {
  /** The Flatten path from the root to `data` (type conditions included). */
  path: PathElement[];
  data: ResultMap | ResultMap[];
  fullResult: ResultMap;
}

/** @apollo/gateway's request kind for a fetch of the plan (GraphQLDataSourceRequestKind.INCOMING_OPERATION). */
const INCOMING_OPERATION = 'incoming operation';

/**
 * Runs a query plan and shapes its result for the client, with @apollo/gateway's semantics:
 * fetches through `serviceMap`'s data sources, results merged as the gateway merges them,
 * subgraph errors with their paths in the client's answer, value errors in
 * `extensions.valueCompletion` only when no fetch failed.
 */
export async function executePlan(queryPlan: QueryPlan, options: PlanExecutionOptions): Promise<ExecutionResult> {
  const execution: Execution = { ...options, errors: [] };
  const data = Object.create(null) as ResultMap;
  const root = queryPlan.node;
  if (root?.kind === 'Subscription') throw new Error('Execution of subscriptions not supported by gateway');
  if (root) await executeNode(execution, root, { path: [], data, fullResult: data });
  let shaped;
  try {
    shaped = options.shaper.shape(data, options.variables);
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    return { errors: [new GraphQLError(error instanceof Error ? error.message : 'Unexpected error during query plan execution', { originalError: error instanceof Error ? error : undefined })] };
  }
  // As the gateway does: value errors are reported only when no fetch failed.
  if (execution.errors.length === 0 && shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
  return execution.errors.length === 0 ? { data: shaped.data } : { errors: execution.errors, data: shaped.data };
}

async function executeNode(execution: Execution, node: PlanNode, cursor: Cursor): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(execution, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(execution, child, cursor)));
      return;
    case 'Flatten': {
      const data = flattenResultsAtPath(execution.supergraphSchema, cursor.data, node.path);
      if (data) await executeNode(execution, node.node, { path: [...cursor.path, ...node.path], data, fullResult: cursor.fullResult });
      return;
    }
    case 'Fetch':
    case 'BatchFetch':
      try {
        await (node.kind === 'Fetch' ? executeFetch(execution, node, cursor) : executeBatchFetch(execution, node, cursor));
      } catch (error) {
        // A failed fetch names its subgraph, as a subgraph's own errors do: clients see which part failed.
        const failed = error as GraphQLError;
        if (failed instanceof GraphQLError && failed.extensions.serviceName === undefined) failed.extensions.serviceName = node.serviceName;
        execution.errors.push(failed);
      }
      return;
    case 'Condition': {
      const branch = condition(execution, node.condition) ? node.ifClause : node.elseClause;
      if (branch) await executeNode(execution, branch, cursor);
      return;
    }
  }
}

function condition(execution: Execution, variable: string): boolean {
  const provided = execution.variables?.[variable];
  const value = provided !== undefined ? provided : execution.shaper.defaultedVariables[variable];
  if (typeof value !== 'boolean') throw new Error(`Invalid non-boolean value ${String(value)} for Boolean! variable $${variable}`);
  return value;
}

/** The request's values of the variables a fetch uses. */
function variablesOf(execution: Execution, usages: readonly string[]): Record<string, unknown> {
  // Plain objects, not Object.create(null): V8 keeps those in dictionary mode, slow to fill and to serialise. Keys are GraphQL names, never `__proto__`.
  const variables: Record<string, unknown> = {};
  const provided = execution.variables;
  for (const name of usages) {
    if (provided && Object.prototype.hasOwnProperty.call(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
  }
  return variables;
}

/** Sends one subgraph request of the plan; its errors go to the answer, placed by `errorPath`. */
async function send(
  execution: Execution,
  fetch: Pick<FetchNode, 'serviceName' | 'operation' | 'operationName' | 'document'>,
  cursor: Cursor,
  variables: Record<string, unknown>,
  errorPath: (path: readonly (string | number)[] | undefined) => ResponsePath | undefined,
): Promise<ResultMap | undefined | null> {
  const service = execution.serviceMap[fetch.serviceName];
  if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  const response = await service.process({
    kind: INCOMING_OPERATION as never,
    request: { query: fetch.operation, variables, operationName: fetch.operationName },
    incomingRequestContext: execution.requestContext,
    context: execution.requestContext.context,
    document: fetch.document,
    pathInIncomingRequest: responsePath(cursor.path) as never,
  });
  if (response.errors) execution.errors.push(...response.errors.map((error) => downstreamServiceError(error, fetch.serviceName, errorPath)));
  return response.data as ResultMap | undefined | null;
}

async function executeFetch(execution: Execution, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const entities = Array.isArray(cursor.data) ? cursor.data.filter((entity) => entity != null) : [cursor.data];
  if (entities.length < 1) return;
  const variables = variablesOf(execution, fetch.variableUsages);

  if (!fetch.requires) {
    const received = await send(execution, fetch, cursor, variables, (path) => (path ? [...responsePath(cursor.path), ...path] : undefined));
    if (received) applyRewrites(execution.supergraphSchema, fetch.outputRewrites, received);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }

  const { representations, targets, representationOf } = representationsOf(execution, entities, fetch.requires, fetch.inputRewrites);
  if (representations.length < 1) return;
  if ('representations' in variables) throw new Error(`Variables cannot contain key "representations"`);
  const received = await send(execution, fetch, cursor, { ...variables, representations }, entityErrorPath(execution.supergraphSchema, cursor.fullResult, [cursor.path], targets));
  if (received) mergeEntities(execution, received._entities, '_entities', entities, representations.length, representationOf, fetch.outputRewrites);
}

/**
 * Several entity fetches to one subgraph in one request (Hive's planner): each alias has its
 * entities (found along its paths from the root), its representations variable and its rewrites.
 */
async function executeBatchFetch(execution: Execution, batch: BatchFetchNode, cursor: Cursor): Promise<void> {
  const variables = variablesOf(execution, batch.variableUsages);
  const aliases = batch.aliases.map((alias) => {
    const paths = alias.paths.map((path) => [...cursor.path, ...path]);
    const entities = alias.paths.flatMap((path) => {
      const data = flattenResultsAtPath(execution.supergraphSchema, cursor.data, path);
      return data === undefined ? [] : (Array.isArray(data) ? data : [data]).filter((entity) => entity != null);
    });
    const { representations, targets, representationOf } = representationsOf(execution, entities, alias.requires, alias.inputRewrites);
    // Aliases that share a variable have the same requirements and paths, hence the same representations.
    variables[alias.variable] ??= representations;
    return { alias, paths, entities, targets, representationOf, representations };
  });
  if (aliases.every(({ representations }) => representations.length === 0)) return;
  const errorPaths = new Map(aliases.map(({ alias, paths, targets }) => [alias.alias, entityErrorPath(execution.supergraphSchema, cursor.fullResult, paths, targets)]));
  const received = await send(execution, batch, cursor, variables, (path) => {
    const byAlias = typeof path?.[0] === 'string' ? errorPaths.get(path[0]) : undefined;
    return byAlias ? byAlias(path) : path ? [...path] : undefined;
  });
  if (!received) return;
  for (const { alias, entities, representations, representationOf } of aliases) {
    if (representations.length > 0) mergeEntities(execution, received[alias.alias], alias.alias, entities, representations.length, representationOf, alias.outputRewrites);
  }
}

/**
 * The distinct representations of `entities` (those that have all the required fields): an
 * entity reached along several paths, or several times in a list, is sent once (as Hive Router
 * does). `representationOf[i]`: the index of entity i's representation, or -1; `targets[r]`: the
 * first entity with representation r, which the subgraph's errors about it are placed at.
 */
function representationsOf(
  execution: Execution,
  entities: ResultMap[],
  requires: readonly RequiredSelection[],
  inputRewrites: FetchNode['inputRewrites'],
): { representations: ResultMap[]; targets: number[]; representationOf: number[] } {
  const representations: ResultMap[] = [];
  const targets: number[] = [];
  const representationOf: number[] = [];
  const seen = new Map<string, number>();
  const flat = inputRewrites ? undefined : flatRequires(requires);
  entities.forEach((entity, index) => {
    // Most entities repeat one already seen: told apart by their fields' values, made only when new.
    const flatKey = flat && flatRepresentationKey(execution.supergraphSchema, flat, entity);
    if (flatKey === null) {
      representationOf.push(-1);
      return;
    }
    let key = flatKey;
    let representation: ResultMap | null = null;
    if (key === undefined) {
      representation = selectRepresentation(execution.supergraphSchema, entity, requires);
      if (!representation || !representation.__typename) {
        representationOf.push(-1);
        return;
      }
      applyRewrites(execution.supergraphSchema, inputRewrites, representation);
      key = representationKey(representation);
    }
    let at = seen.get(key);
    if (at === undefined) {
      at = representations.push(representation ?? selectRepresentation(execution.supergraphSchema, entity, requires)!) - 1;
      seen.set(key, at);
      targets.push(index);
    }
    representationOf.push(at);
  });
  return { representations, targets, representationOf };
}

/** Requires that are one inline fragment of leaf fields with `__typename` (`... on Product { __typename upc }`), as most are. */
interface FlatRequires {
  typeCondition: string;
  fields: RequiredField[];
}

const flatRequiresCache = new WeakMap<readonly RequiredSelection[], FlatRequires | false>();

function flatRequires(requires: readonly RequiredSelection[]): FlatRequires | undefined {
  let flat = flatRequiresCache.get(requires);
  if (flat === undefined) {
    const fragment = requires.length === 1 && requires[0]!.kind === 'InlineFragment' ? requires[0] : undefined;
    const fields = fragment?.selections.filter((selection): selection is RequiredField => selection.kind === 'Field' && !selection.selections) ?? [];
    const leavesOnly = fragment !== undefined && fields.length === fragment.selections.length;
    flat = fragment?.typeCondition && leavesOnly && fields.some((field) => field.key === '__typename') ? { typeCondition: fragment.typeCondition, fields } : false;
    flatRequiresCache.set(requires, flat);
  }
  return flat || undefined;
}

/** The value an entity has for a required field: read as its source (an alias the planner gave it), else as its key; undefined when missing. */
function requiredValue(entity: ResultMap, field: RequiredField): unknown {
  const read = Object.prototype.hasOwnProperty.call(entity, field.source) ? field.source : field.key;
  return Object.prototype.hasOwnProperty.call(entity, read) ? entity[read] : undefined;
}

/**
 * What tells the entity's flat representation apart from others of the same requires: its values,
 * each tagged with its kind, strings with their length. Null when it has none (as
 * selectRepresentation gives none), undefined when a value is a list or an object: the caller
 * makes the representation and its JSON tells it apart.
 */
function flatRepresentationKey(schema: GraphQLSchema, flat: FlatRequires, entity: ResultMap | null): string | null | undefined {
  if (entity === null || !satisfies(schema, entity, [flat.typeCondition], false)) return null;
  let key = '';
  for (const field of flat.fields) {
    const value = requiredValue(entity, field);
    if (value === undefined || (field.key === '__typename' && !value)) return null;
    if (typeof value === 'string') key += `s${value.length}:${value}`;
    else if (typeof value === 'number' || typeof value === 'boolean') key += `${typeof value === 'number' ? 'n' : 'b'}${value};`;
    else if (value === null) key += 'z';
    else return undefined;
  }
  return key;
}

/**
 * What tells representations apart: their JSON, except for the usual `{ __typename, <key> }` with
 * a string or number key, told apart for a fraction of the cost by a text JSON never starts with
 * (names hold no NUL, and `s` or `n` keeps "1" from 1).
 */
function representationKey(representation: ResultMap): string {
  let first: string | undefined;
  let second: string | undefined;
  let count = 0;
  for (const name in representation) {
    if (count === 0) first = name;
    else if (count === 1) second = name;
    count++;
  }
  const typename = representation.__typename;
  if (count === 2 && first === '__typename' && typeof typename === 'string') {
    const value = representation[second!];
    if (typeof value === 'string') return `${typename}\0${second}\0s${value}`;
    if (typeof value === 'number') return `${typename}\0${second}\0n${value}`;
  }
  return JSON.stringify(representation);
}

/**
 * Merges the entities a subgraph returned into those they were asked for. An entity sent once
 * for several places is merged into each, each getting a copy of its own after the first (so
 * that later fetches into one place do not show in another).
 */
function mergeEntities(
  execution: Execution,
  receivedEntities: unknown,
  field: string,
  entities: ResultMap[],
  sent: number,
  representationOf: number[],
  outputRewrites: FetchNode['outputRewrites'],
): void {
  if (!Array.isArray(receivedEntities)) throw new Error(`Expected "data.${field}" in response to be an array`);
  if (receivedEntities.length !== sent) throw new Error(`Expected "data.${field}" to contain ${sent} elements`);
  const used = new Uint8Array(sent);
  for (let i = 0; i < entities.length; i++) {
    const at = representationOf[i]!;
    if (at < 0) continue;
    const entity = entities[i]!;
    let receivedEntity = receivedEntities[at] as ResultMap | null;
    if (used[at]) receivedEntity = receivedEntity && (copyJson(receivedEntity) as ResultMap);
    else {
      used[at] = 1;
      applyRewrites(execution.supergraphSchema, outputRewrites, receivedEntity);
    }
    if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = entity.__typename;
    deepMerge(entity, receivedEntity);
  }
}

/**
 * A copy of an answer's JSON value for another place in the answer: its objects and lists new,
 * its scalars shared. An object of scalars only is its own copy, since merging copies scalars.
 */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (typeof value !== 'object' || value === null) return value;
  const object = value as ResultMap;
  let nested = false;
  for (const key in object) {
    if (typeof object[key] === 'object' && object[key] !== null) {
      nested = true;
      break;
    }
  }
  if (!nested) return object;
  const copy: ResultMap = {};
  for (const key in object) setKey(copy, key, copyJson(object[key]));
  return copy;
}

/** The value at `path`: `@` takes each item of a list, a type condition keeps the objects that satisfy it. */
function flattenResultsAtPath(schema: GraphQLSchema, value: unknown, path: readonly PathElement[]): ResultMap | ResultMap[] | undefined {
  const found: ResultMap[] = [];
  const reached = walkPath(schema, value, path, 0, found);
  return reached === found ? found : reached === null ? undefined : (reached as ResultMap | ResultMap[] | undefined);
}

/**
 * Follows `path` from `from`. Until a list is met, answers the value reached (undefined for a
 * missing or null one on the way). From a list on, what the rest of the path finds from each item
 * goes into `found` (a list at the end gives its items), with no array per item or level, and the
 * answer is `found`.
 */
function walkPath(schema: GraphQLSchema, value: unknown, path: readonly PathElement[], from: number, found: ResultMap[]): unknown {
  let current = value;
  for (let i = from; i < path.length; i++) {
    if (current === undefined || current === null) return undefined;
    const element = path[i]!;
    if (element === '@' || (typeof element !== 'string' && Array.isArray(current))) {
      for (const item of current as unknown[]) {
        if (element !== '@' && (item == null || !satisfies(schema, item as ResultMap, element.typeCondition, true))) continue;
        const reached = walkPath(schema, item, path, i + 1, found);
        if (reached === found || reached === undefined || reached === null) continue;
        if (Array.isArray(reached)) for (const entity of reached) found.push(entity as ResultMap);
        else found.push(reached as ResultMap);
      }
      return found;
    }
    if (typeof element !== 'string') {
      if (!satisfies(schema, current as ResultMap, element.typeCondition, true)) return undefined;
      continue;
    }
    if (Array.isArray(current)) throw new Error(`Unexpected array in result for path element ${element}`);
    current = Object.prototype.hasOwnProperty.call(current, element) ? (current as ResultMap)[element] : undefined;
  }
  return current;
}

/** A Flatten path as a response path: its fields and `@`, without type conditions. */
function responsePath(path: readonly PathElement[]): ResponsePath {
  return path.filter((element): element is string => typeof element === 'string');
}

/** The response path of each non-null object at `path`, with list indexes, in the order flattenResultsAtPath finds them. */
function hydratedPaths(schema: GraphQLSchema, value: unknown, path: readonly PathElement[], index = 0, at: ResponsePath = [], found: ResponsePath[] = []): ResponsePath[] {
  if (value === undefined || value === null) return found;
  if (index === path.length) {
    if (Array.isArray(value)) value.forEach((item, i) => item != null && found.push([...at, i]));
    else found.push([...at]);
    return found;
  }
  const element = path[index]!;
  if (element === '@' || (typeof element !== 'string' && Array.isArray(value))) {
    (value as unknown[]).forEach((item, i) => {
      if (element !== '@' && (item == null || !satisfies(schema, item as ResultMap, element.typeCondition, true))) return;
      hydratedPaths(schema, item, path, index + 1, [...at, i], found);
    });
  } else if (typeof element !== 'string') {
    if (satisfies(schema, value as ResultMap, element.typeCondition, true)) hydratedPaths(schema, value, path, index + 1, at, found);
  } else if (!Array.isArray(value)) {
    hydratedPaths(schema, Object.prototype.hasOwnProperty.call(value, element) ? (value as ResultMap)[element] : undefined, path, index + 1, [...at, element], found);
  }
  return found;
}

/**
 * Where an entity fetch's errors belong in the client's answer: an error at `[<field>, i, ...]`
 * is about the entity of representation i (`targets[i]` of the entities found along `paths`, in
 * order), at that entity's place.
 */
function entityErrorPath(schema: GraphQLSchema, fullResult: ResultMap, paths: PathElement[][], targets: number[]): (path: readonly (string | number)[] | undefined) => ResponsePath | undefined {
  let byRepresentation: ResponsePath[] | undefined;
  return (errorPath) => {
    if (typeof errorPath?.[1] !== 'number') return errorPath ? [...responsePath(paths[0] ?? []), ...errorPath] : undefined;
    if (!byRepresentation) {
      const entityPaths = paths.flatMap((path) => hydratedPaths(schema, fullResult, path));
      byRepresentation = targets.map((target) => entityPaths[target] ?? []);
    }
    return [...(byRepresentation[errorPath[1]] ?? []), ...errorPath.slice(2)];
  };
}

/** An entity's representation: the fields `requires` selects (each read as its source, sent as its key), or null when one is missing. */
function selectRepresentation(schema: GraphQLSchema, source: ResultMap | null, selections: readonly RequiredSelection[]): ResultMap | null {
  if (source === null) return null;
  // Made by the first selection that writes: a representation that is one inline fragment (`... on
  // Product { __typename upc }`, as most are) is the fragment's object, not a merged copy of it.
  let result: ResultMap | undefined;
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      const value = requiredValue(source, selection);
      if (value === undefined) return null;
      const sub = selection.selections;
      result ??= {};
      if (Array.isArray(value)) result[selection.key] = value.map((item) => (sub ? selectRepresentation(schema, item as ResultMap | null, sub) : item));
      else result[selection.key] = sub ? selectRepresentation(schema, value as ResultMap | null, sub) : value;
    } else if (selection.typeCondition && satisfies(schema, source, [selection.typeCondition], false)) {
      const fragment = selectRepresentation(schema, source, selection.selections);
      if (fragment === null) continue;
      if (result === undefined) result = fragment;
      else deepMerge(result, fragment);
    }
  }
  return result ?? {};
}

/** A subgraph's error as the client sees it: its own code kept, else DOWNSTREAM_SERVICE_ERROR; with the subgraph's name. */
function downstreamServiceError(
  original: { message?: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> },
  serviceName: string,
  errorPath: (path: readonly (string | number)[] | undefined) => ResponsePath | undefined,
): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const extensions = { ...original.extensions, serviceName };
  return new GraphQLError(message, { originalError: original as Error, path: errorPath(original.path), extensions: original.extensions?.code ? extensions : { ...extensions, code: 'DOWNSTREAM_SERVICE_ERROR' } });
}
