import { buildOperationContext, type ApolloGateway, type executeQueryPlan, type ServiceMap } from '@apollo/gateway';
import { applyRewrites, isObjectOfType } from '@apollo/gateway/dist/dataRewrites.js';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { generateHydratedPaths } from '@apollo/gateway/dist/executeQueryPlan.js';
import { deepMerge } from '@apollo/gateway/dist/utilities/deepMerge.js';
import { ERRORS, errorCodeDef, operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { getResponseName, prettyFormatQueryPlan, QueryPlanner, type FetchNode, type PlanNode, type QueryPlan, type QueryPlanSelectionNode } from '@apollo/query-planner';
import { GraphQLError, Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { PerOperation } from '../../infra/graphql/per-operation.js';
import { ResponseShaper } from './response-shaper.js';

type RequestContext = Parameters<typeof executeQueryPlan>[2];
type ExecutionResult = Awaited<ReturnType<typeof executeQueryPlan>>;
type ResultMap = Record<string, unknown>;
type ResponsePath = (string | number)[];
type GatewayInterface = Pick<ApolloGateway, 'load' | 'onSchemaLoadOrUpdate' | 'stop'>;

/** What one operation of one document needs, worked out on its first request. */
interface PreparedOperation {
  operationContext: ReturnType<typeof buildOperationContext>;
  queryPlan: QueryPlan;
  shaper: ResponseShaper;
}

interface Cursor {
  path: ResponsePath;
  data: ResultMap | ResultMap[];
  fullResult: ResultMap;
}

interface Execution {
  serviceMap: ServiceMap;
  requestContext: RequestContext;
  variables: Record<string, unknown> | undefined;
  prepared: PreparedOperation;
  errors: GraphQLError[];
}

/**
 * Runs @apollo/query-planner's plans for queries and mutations in place of @apollo/gateway's
 * executor, with the same answers: the same plan, the same subgraph requests through the same
 * data sources, the same merging, error paths and response shaping. What it does not redo on
 * every request is the gateway's: the operation is parsed into the federation model, planned and
 * compiled for shaping once per document Apollo Server keeps (the gateway rebuilds the model
 * and hashes the text per request), and no telemetry span or usage-reporting trace node is made.
 */
export class QueryPlanExecutor {
  private readonly supergraphSchema: GraphQLSchema;
  private readonly apiSchema: Schema;
  private readonly schema: GraphQLSchema;
  private readonly planner: QueryPlanner;
  private readonly prepared = new PerOperation((document, operationName) => this.prepare(document, operationName));

  /**
   * `supergraphSdl` as the gateway gets it; `schema` is the API schema Apollo Server validates
   * against. `exposeQueryPlan`: answer the `Apollo-Query-Plan-Experimental` header with the plan
   * in `extensions`, as the gateway does outside production (Apollo Sandbox shows it).
   */
  constructor(
    supergraphSdl: string,
    schema: GraphQLSchema,
    private readonly options: { exposeQueryPlan: boolean } = { exposeQueryPlan: false },
  ) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.apiSchema = supergraph.apiSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.schema = schema;
    this.planner = new QueryPlanner(supergraph);
  }

  /**
   * The gateway as Apollo Server sees it: the ApolloGateway loads the supergraph and gives the
   * schema; operations run here.
   */
  static wrap(gateway: ApolloGateway, supergraphSdl: string, serviceMap: () => ServiceMap, options: { exposeQueryPlan: boolean }): GatewayInterface {
    return {
      load: async (loadOptions) => {
        const loaded = await gateway.load(loadOptions);
        const executor = new QueryPlanExecutor(supergraphSdl, loaded.schema, options);
        return { schema: loaded.schema, executor: (requestContext) => executor.execute(requestContext as RequestContext, serviceMap()) };
      },
      onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
      stop: () => gateway.stop(),
    };
  }

  async execute(requestContext: RequestContext, serviceMap: ServiceMap): Promise<ExecutionResult> {
    const prepared = this.prepared.get(requestContext.document, requestContext.request.operationName);
    const variables = requestContext.request.variables;
    const definitions = prepared.operationContext.operation.variableDefinitions;
    if (definitions && definitions.length > 0) {
      const { errors } = getVariableValues(this.schema, definitions, variables ?? {});
      if (errors) return { errors };
    }
    const result = await this.run({ serviceMap, requestContext, variables, prepared, errors: [] });
    const headers = requestContext.request.http?.headers;
    if (this.options.exposeQueryPlan && headers?.get('apollo-query-plan-experimental')) {
      const format = headers.get('apollo-query-plan-experimental-format') ?? 'prettified';
      const { queryPlan } = prepared;
      result.extensions = {
        __queryPlanExperimental: format === 'prettified' ? (queryPlan.node ? prettyFormatQueryPlan(queryPlan) : true) : format === 'internal' ? queryPlan : true,
      };
    }
    return result;
  }

  private async run(execution: Execution): Promise<ExecutionResult> {
    const { prepared, variables } = execution;
    const data = Object.create(null) as ResultMap;
    const root = prepared.queryPlan.node;
    if (root?.kind === 'Subscription') throw new Error('Execution of subscriptions not supported by gateway');
    if (root) await this.executeNode(execution, root, { path: [], data, fullResult: data });
    let shaped;
    try {
      shaped = prepared.shaper.shape(data, variables);
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [error] };
      return { errors: [new GraphQLError(error instanceof Error ? error.message : 'Unexpected error during query plan execution', { originalError: error instanceof Error ? error : undefined })] };
    }
    // As the gateway does: value errors are reported only when no fetch failed.
    if (execution.errors.length === 0 && shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
    return execution.errors.length === 0 ? { data: shaped.data } : { errors: execution.errors, data: shaped.data };
  }

  private prepare(document: DocumentNode, operationName: string | undefined): PreparedOperation {
    const operationContext = buildOperationContext({ schema: this.schema, operationDocument: document, operationName });
    const queryPlan = this.planner.buildQueryPlan(operationFromDocument(this.apiSchema, document, { operationName }));
    const shaper = new ResponseShaper(this.schema, operationContext.operation, operationContext.fragments);
    return { operationContext, queryPlan, shaper };
  }

  private async executeNode(execution: Execution, node: PlanNode, cursor: Cursor): Promise<void> {
    switch (node.kind) {
      case 'Sequence':
        for (const child of node.nodes) await this.executeNode(execution, child, cursor);
        return;
      case 'Parallel':
        await Promise.all(node.nodes.map((child) => this.executeNode(execution, child, cursor)));
        return;
      case 'Flatten': {
        const data = flattenResultsAtPath(cursor.data, node.path);
        if (data) await this.executeNode(execution, node.node, { path: [...cursor.path, ...node.path], data, fullResult: cursor.fullResult });
        return;
      }
      case 'Fetch':
        try {
          await this.executeFetch(execution, node, cursor);
        } catch (error) {
          execution.errors.push(error as GraphQLError);
        }
        return;
      case 'Condition': {
        const branch = this.condition(execution, node.condition) ? node.ifClause : node.elseClause;
        if (branch) await this.executeNode(execution, branch, cursor);
        return;
      }
      default:
        throw new Error(`${node.kind} nodes are not supported by the router's executor`);
    }
  }

  private condition(execution: Execution, variable: string): boolean {
    const provided = execution.variables?.[variable];
    const value = provided !== undefined ? provided : execution.prepared.shaper.defaultedVariables[variable];
    if (typeof value !== 'boolean') throw new Error(`Invalid non-boolean value ${String(value)} for Boolean! variable $${variable}`);
    return value;
  }

  private async executeFetch(execution: Execution, fetch: FetchNode, cursor: Cursor): Promise<void> {
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
      if (received) applyRewrites(this.supergraphSchema, fetch.outputRewrites, received);
      for (const entity of entities) deepMerge(entity, received);
      return;
    }

    const representations: ResultMap[] = [];
    const representationToEntity: number[] = [];
    entities.forEach((entity, index) => {
      const representation = selectRepresentation(this.supergraphSchema, entity, fetch.requires!);
      if (representation && representation.__typename) {
        applyRewrites(this.supergraphSchema, fetch.inputRewrites, representation);
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
      applyRewrites(this.supergraphSchema, fetch.outputRewrites, receivedEntity as never);
      deepMerge(entity, receivedEntity);
    }
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
