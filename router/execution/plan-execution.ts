import type { executeQueryPlan, ServiceMap } from '@apollo/gateway';
import { applyRewrites, isObjectOfType } from '@apollo/gateway/dist/dataRewrites.js';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { generateHydratedPaths } from '@apollo/gateway/dist/executeQueryPlan.js';
import { deepMerge } from '@apollo/gateway/dist/utilities/deepMerge.js';
import { ERRORS, errorCodeDef } from '@apollo/federation-internals';
import { getResponseName, type FetchNode, type PlanNode, type QueryPlan, type QueryPlanSelectionNode } from '@apollo/query-planner';
import { GraphQLError, Kind, type GraphQLSchema } from 'graphql';
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
  path: ResponsePath;
  data: ResultMap | ResultMap[];
  fullResult: ResultMap;
}

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
      const data = flattenResultsAtPath(cursor.data, node.path);
      if (data) await executeNode(execution, node.node, { path: [...cursor.path, ...node.path], data, fullResult: cursor.fullResult });
      return;
    }
    case 'Fetch':
      try {
        await executeFetch(execution, node, cursor);
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
    default:
      throw new Error(`${node.kind} nodes are not supported by the router's executor`);
  }
}

function condition(execution: Execution, variable: string): boolean {
  const provided = execution.variables?.[variable];
  const value = provided !== undefined ? provided : execution.shaper.defaultedVariables[variable];
  if (typeof value !== 'boolean') throw new Error(`Invalid non-boolean value ${String(value)} for Boolean! variable $${variable}`);
  return value;
}

async function executeFetch(execution: Execution, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const service = execution.serviceMap[fetch.serviceName];
  if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  const entities = Array.isArray(cursor.data) ? cursor.data.filter((entity) => entity != null) : [cursor.data];
  if (entities.length < 1) return;

  const variables = Object.create(null) as Record<string, unknown>;
  const provided = execution.variables;
  for (const name of fetch.variableUsages ?? []) {
    if (provided && Object.prototype.hasOwnProperty.call(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
  }

  const send = async (requestVariables: Record<string, unknown>): Promise<ResultMap | undefined | null> => {
    const response = await service.process({
      kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
      request: { query: fetch.operation, variables: requestVariables, operationName: fetch.operationName },
      incomingRequestContext: execution.requestContext,
      context: execution.requestContext.context,
      document: fetch.operationDocumentNode,
      pathInIncomingRequest: cursor.path as never,
    });
    if (response.errors) {
      const errorPath = lazyErrorPath(fetch, cursor);
      execution.errors.push(...response.errors.map((error) => downstreamServiceError(error, fetch.serviceName, errorPath)));
    }
    return response.data as ResultMap | undefined | null;
  };

  if (!fetch.requires) {
    const received = await send(variables);
    if (received) applyRewrites(execution.supergraphSchema, fetch.outputRewrites, received);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }

  const representations: ResultMap[] = [];
  const representationToEntity: number[] = [];
  entities.forEach((entity, index) => {
    const representation = selectRepresentation(execution.supergraphSchema, entity, fetch.requires!);
    if (representation && representation.__typename) {
      applyRewrites(execution.supergraphSchema, fetch.inputRewrites, representation);
      representations.push(representation);
      representationToEntity.push(index);
    }
  });
  if (representations.length < 1) return;
  if ('representations' in variables) throw new Error(`Variables cannot contain key "representations"`);
  const received = await send({ ...variables, representations });
  if (!received) return;
  const receivedEntities = received._entities;
  if (!Array.isArray(receivedEntities)) throw new Error(`Expected "data._entities" in response to be an array`);
  if (receivedEntities.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
  for (let i = 0; i < receivedEntities.length; i++) {
    const receivedEntity = receivedEntities[i] as ResultMap | null;
    const entity = entities[representationToEntity[i]!]!;
    if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = entity.__typename;
    applyRewrites(execution.supergraphSchema, fetch.outputRewrites, receivedEntity as never);
    deepMerge(entity, receivedEntity);
  }
}

function flattenResultsAtPath(value: unknown, path: readonly (string | number)[]): ResultMap | ResultMap[] | undefined {
  let current: unknown = value;
  for (let i = 0; i < path.length; i++) {
    if (current === undefined || current === null) return undefined;
    const element = path[i];
    if (element === '@') {
      const rest = path.slice(i + 1);
      return (current as unknown[]).flatMap((item) => flattenResultsAtPath(item, rest) ?? []) as ResultMap[];
    }
    if (typeof element !== 'string') throw new Error(`Unexpected ${typeof element} found in path`);
    if (Array.isArray(current)) throw new Error(`Unexpected array in result for path element ${element}`);
    current = Object.prototype.hasOwnProperty.call(current, element) ? (current as ResultMap)[element] : undefined;
  }
  return current === null ? undefined : (current as ResultMap | ResultMap[] | undefined);
}

/** An entity's representation: the fields `requires` selects, or null when one is missing. */
function selectRepresentation(schema: GraphQLSchema, source: ResultMap | null, selections: readonly QueryPlanSelectionNode[]): ResultMap | null {
  if (source === null) return null;
  const result = Object.create(null) as ResultMap;
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const responseName = getResponseName(selection);
      const value = Object.prototype.hasOwnProperty.call(source, responseName) ? source[responseName] : undefined;
      if (value === undefined) return null;
      const sub = selection.selections;
      if (Array.isArray(value)) result[responseName] = value.map((item) => (sub ? selectRepresentation(schema, item as ResultMap | null, sub) : item));
      else result[responseName] = sub ? selectRepresentation(schema, value as ResultMap | null, sub) : value;
    } else if (selection.typeCondition && isObjectOfType(schema, source, selection.typeCondition)) {
      deepMerge(result, selectRepresentation(schema, source, selection.selections));
    }
  }
  return result;
}

/** Where a subgraph's error belongs in the client's answer (entity errors by their index). */
function lazyErrorPath(fetch: FetchNode, cursor: Cursor): (path: readonly (string | number)[] | undefined) => ResponsePath | undefined {
  let hydrated: ResponsePath[] | undefined;
  return (errorPath) => {
    if (fetch.requires && typeof errorPath?.[1] === 'number') {
      if (!hydrated) {
        hydrated = [];
        generateHydratedPaths([], cursor.path, cursor.fullResult as never, hydrated);
      }
      return [...(hydrated[errorPath[1]] ?? []), ...errorPath.slice(2)];
    }
    return errorPath ? [...cursor.path, ...errorPath] : undefined;
  };
}

function downstreamServiceError(
  original: { message?: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> },
  serviceName: string,
  errorPath: (path: readonly (string | number)[] | undefined) => ResponsePath | undefined,
): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const options = { originalError: original as Error, path: errorPath(original.path), extensions: { ...original.extensions, serviceName } };
  const codeDef = errorCodeDef(original as GraphQLError);
  if (!codeDef && original.extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}
