import { createRequire } from 'node:module';
import type { ApolloGateway, ServiceMap } from '@apollo/gateway';
import { trace } from '@opentelemetry/api';
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { valueFromASTUntyped, type VariableDefinitionNode } from 'graphql';
import { PerOperation } from '../../infra/graphql/per-operation.js';
import { spanFailed, SpanAttributes, type Tracing } from '../../infra/tracing/tracing.js';
import { executePlan, type ExecutionResult, type RequestContext } from './plan-execution.js';
import type { QueryPlan } from './plan.js';
import { ApolloPlanner, apolloSupergraph } from './planners/apollo-planner.js';
import { HivePlanner } from './planners/hive-planner.js';
import type { PlannedOperation, Planner, PlannerName } from './planners/planner.js';
import { ResponseShaper } from './response-shaper.js';

// graphql-jit's variable coercion is not in its index; its ESM files import their siblings by
// names Node cannot resolve, so it is required (as its index itself loads the CommonJS build).
const { compileVariableParsing, failToParseVariables } = createRequire(import.meta.url)('graphql-jit/dist/variables') as typeof import('graphql-jit/dist/variables');

type GatewayInterface = Pick<ApolloGateway, 'load' | 'onSchemaLoadOrUpdate' | 'stop'>;

/** The operation a request runs, and the document's fragments. */
export interface OperationContext {
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
}

/** What one operation of one document needs, worked out on its first request. */
export interface PreparedOperation {
  operationContext: OperationContext;
  queryPlan: QueryPlan;
  planned: PlannedOperation;
  shaper: ResponseShaper;
  /** Whether variables coerce, by code compiled for the operation's definitions (see execute); undefined when it has none. */
  variablesCoerce?: (variables: Record<string, unknown>) => boolean;
}

/**
 * Plans queries and mutations with the configured planner (planners/: Hive's by default,
 * Apollo's with QUERY_PLANNER=apollo) and runs the plans in place of @apollo/gateway's executor,
 * with the gateway's answers for Apollo's plans: the same subgraph requests through the same data
 * sources, the same merging, error paths and response shaping (plan-execution.ts). What it does
 * not redo on every request is the gateway's: each operation is planned and compiled for shaping
 * once per document Apollo Server keeps, and no telemetry span or usage-reporting trace node is made.
 */
export class QueryPlanExecutor {
  /** The API schema: operations' variables are checked and answers shaped against it. */
  readonly schema: GraphQLSchema;
  /** The supergraph as graphql-js sees it, for entity representations. */
  readonly supergraphSchema: GraphQLSchema;
  readonly planner: Planner;
  private readonly prepared = new PerOperation((document, operationName) => this.prepare(document, operationName));

  /**
   * `supergraphSdl` as the gateway gets it (without `for: SECURITY` links). `planner`: which
   * planner plans (a supergraph Hive's refuses throws, naming it). `exposeQueryPlan`:
   * answer the `Apollo-Query-Plan-Experimental` header with the plan in `extensions`, as the
   * gateway does outside production (Apollo Sandbox shows it). `tracing`: the operation span says
   * whether its plan was kept from an earlier request, and planning anew is a span of its own.
   */
  constructor(
    supergraphSdl: string,
    private readonly options: { planner: PlannerName; exposeQueryPlan: boolean; tracing?: Tracing | undefined } = { planner: 'hive', exposeQueryPlan: false },
  ) {
    // The schemas come from Apollo's supergraph model with either planner (see the README's licence note).
    const { supergraph, apiSchema } = apolloSupergraph(supergraphSdl);
    this.schema = apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.planner = options.planner === 'apollo' ? new ApolloPlanner(supergraph, apiSchema) : new HivePlanner(supergraphSdl);
  }

  /**
   * The gateway as Apollo Server sees it: the ApolloGateway loads the supergraph and gives the
   * schema Apollo Server validates against; operations run here.
   */
  asGateway(gateway: ApolloGateway, serviceMap: () => ServiceMap): GatewayInterface {
    return {
      load: async (loadOptions) => {
        const loaded = await gateway.load(loadOptions);
        return { schema: loaded.schema, executor: (requestContext) => this.execute(requestContext as RequestContext, serviceMap()) };
      },
      onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
      stop: () => gateway.stop(),
    };
  }

  async execute(requestContext: RequestContext, serviceMap: ServiceMap): Promise<ExecutionResult> {
    // In gateway mode Apollo Server hands over a document whose operation it could not resolve.
    if (!requestContext.operation) return { errors: [operationNotFound(requestContext.request.operationName)] };
    let prepared: PreparedOperation;
    try {
      prepared = this.options.tracing
        ? this.preparedTraced(this.options.tracing, requestContext.document, requestContext.request.operationName)
        : this.prepared.get(requestContext.document, requestContext.request.operationName);
    } catch (error) {
      // An operation the planner cannot plan (QUERY_PLANNING_FAILED, naming the planner).
      if (error instanceof GraphQLError) return { errors: [error] };
      throw error;
    }
    let variables = requestContext.request.variables;
    const definitions = prepared.operationContext.operation.variableDefinitions;
    if (definitions && definitions.length > 0) {
      // graphql-jit's compiled coercion takes a fraction of graphql-js's time over big variables
      // (an import's batch of 2,000 rows). Values it refuses are coerced again by graphql-js, the
      // authority, whose errors are the answer (graphql-jit words some differently).
      if (!prepared.variablesCoerce?.(variables ?? {})) {
        const { errors } = getVariableValues(this.schema, definitions, variables ?? {});
        if (errors) return { errors };
      }
      variables = withDefaults(definitions, variables);
    }
    const result = await executePlan(prepared.queryPlan, { supergraphSchema: this.supergraphSchema, shaper: prepared.shaper, serviceMap, requestContext, variables });
    const headers = requestContext.request.http?.headers;
    if (this.options.exposeQueryPlan && headers?.get('apollo-query-plan-experimental')) {
      const format = headers.get('apollo-query-plan-experimental-format') ?? 'prettified';
      const { planned } = prepared;
      result.extensions = {
        __queryPlanExperimental: format === 'prettified' ? (planned.plan.node ? planned.pretty() : true) : format === 'internal' ? planned.raw : true,
      };
    }
    return result;
  }

  /** `prepared.get`, telling the active operation span whether the plan was kept, and with a `graphql.plan` span when it was not. */
  private preparedTraced(tracing: Tracing, document: DocumentNode, operationName: string | undefined): PreparedOperation {
    const operationSpan = trace.getActiveSpan();
    const kept = this.prepared.has(document, operationName);
    operationSpan?.setAttribute(SpanAttributes.planCache, kept ? 'hit' : 'miss');
    if (kept || !operationSpan) return this.prepared.get(document, operationName);
    return tracing.tracer.startActiveSpan('graphql.plan', (span) => {
      try {
        return this.prepared.get(document, operationName);
      } catch (error) {
        spanFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** Plans an operation and compiles its shaping (`execute` keeps the result per document). */
  prepare(document: DocumentNode, operationName: string | undefined): PreparedOperation {
    const operationContext = operationContextOf(document, operationName);
    const planned = this.planner.plan(document, operationName);
    const shaper = new ResponseShaper(this.schema, operationContext.operation, operationContext.fragments);
    return { operationContext, queryPlan: planned.plan, planned, shaper, variablesCoerce: compiledCoercion(this.schema, operationContext.operation.variableDefinitions) };
  }
}

/** graphql-jit's coercion of the definitions' variables, as a yes or no; undefined for none, or definitions it cannot compile. */
export function compiledCoercion(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[] | undefined): PreparedOperation['variablesCoerce'] {
  if (!definitions || definitions.length === 0) return undefined;
  try {
    const parse = compileVariableParsing(schema, definitions);
    return (variables) => !failToParseVariables(parse(variables));
  } catch {
    return undefined;
  }
}

/** The operation named (or the only one) and the document's fragments; an unknown name is the error Apollo Server gives. */
function operationContextOf(document: DocumentNode, operationName: string | undefined): OperationContext {
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    else if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  const operation = operationName === undefined ? (operations.length === 1 ? operations[0] : undefined) : operations.find((candidate) => candidate.name?.value === operationName);
  if (!operation) throw operationNotFound(operationName);
  return { operation, fragments };
}

/** The request names an operation the document does not define (or names none in a document of several). */
function operationNotFound(operationName: string | undefined): GraphQLError {
  const message = operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
}

/**
 * The request's variables with each omitted one that has a default given its default, as the
 * client would have written it: the subgraph operations declare the variables without their
 * defaults, so a subgraph would otherwise see a non-null variable with no value.
 */
function withDefaults(definitions: readonly VariableDefinitionNode[], variables: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const missing = definitions.filter((definition) => definition.defaultValue && variables?.[definition.variable.name.value] === undefined);
  if (missing.length === 0) return variables;
  return { ...variables, ...Object.fromEntries(missing.map((definition) => [definition.variable.name.value, valueFromASTUntyped(definition.defaultValue!)])) };
}
